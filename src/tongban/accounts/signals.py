"""Logins and logouts go to the audit trail; a failed login names only the username tried."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tongban.audit.models import AuditEntry
from tongban.audit.services import record


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender, request, user, **kwargs):
    record(
        AuditEntry.Action.LOGIN,
        object_type="accounts.user",
        object_id=user.pk,
        object_label=user.get_username(),
        actor=user,
    )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(
            AuditEntry.Action.LOGOUT,
            object_type="accounts.user",
            object_id=user.pk,
            object_label=user.get_username(),
            actor=user,
        )


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(AuditEntry.Action.LOGIN_FAILED, object_type="accounts.user", object_label=username)

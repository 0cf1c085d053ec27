from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "tongban.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from tongban.audit.registry import audit_model

        from . import models, roles, signals  # noqa: F401

        post_migrate.connect(roles.sync_groups, dispatch_uid="tongban.sync_groups")
        audit_model(
            models.User,
            ignore=("last_login",),
            secret=("password",),
            masked={"id_number": models.mask_resident_id},
        )

"""E-mail of a notification, sent by a worker rather than in the request."""

import logging

from django.core.mail import send_mail
from django_tasks import task

from .models import Notification

log = logging.getLogger(__name__)


@task()
def send_notification_email(notification_id: int) -> bool:
    """E-mail the notice to its person in both languages; whether the mail server took it.

    A mail server that is down is logged, not retried: the in-site notice still stands.
    """
    note = Notification.objects.select_related("user", "application").get(pk=notification_id)
    application = note.application
    subject = f"tongban {application.number}" if application else "tongban"
    try:
        send_mail(subject, f"{note.text_zh}\n\n{note.text_en}", None, [note.user.email])
    except OSError:
        log.warning("could not e-mail %s about %s", note.user_id, subject)
        return False
    return True

"""Tell a person something: in the site (both languages kept) and by e-mail."""

from django.utils import timezone, translation

from .models import Notification
from .tasks import send_notification_email


def both(message, **params) -> tuple[str, str]:
    """A translatable message rendered in English and in Chinese."""
    texts = []
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            texts.append(str(message) % params if params else str(message))
    return texts[0], texts[1]


def notify(user, application, message, **params) -> Notification:
    """Keep ``message % params`` for ``user`` in both languages and e-mail it when they can
    be reached; ``application`` (or None) is what it is about, linked from the notice.

    The notice is written in the caller's transaction and the e-mail is queued there too,
    so a worker sends it once that transaction commits, never for a rolled-back one.
    """
    text_en, text_zh = both(message, **params)
    note = Notification.objects.create(
        user=user, application=application, text_en=text_en[:300], text_zh=text_zh[:300]
    )
    if user.email:
        send_notification_email.enqueue(note.pk)
    return note


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return unread.update(read_at=timezone.now())

"""Tell a person something: in the site (both languages kept) and by e-mail."""

import logging

from django.core.mail import send_mail
from django.utils import timezone, translation

from .models import Notification

log = logging.getLogger(__name__)


def both(message, **params) -> tuple[str, str]:
    """A translatable message rendered in English and in Chinese."""
    texts = []
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            texts.append(str(message) % params if params else str(message))
    return texts[0], texts[1]


def notify(user, application, message, **params) -> Notification:
    """Keep ``message % params`` for ``user`` in both languages and e-mail it when they can
    be reached; ``application`` (or None) is what it is about, linked from the notice."""
    text_en, text_zh = both(message, **params)
    note = Notification.objects.create(
        user=user, application=application, text_en=text_en[:300], text_zh=text_zh[:300]
    )
    if user.email:
        subject = f"tongban {application.number}" if application else "tongban"
        try:
            send_mail(subject, f"{text_zh}\n\n{text_en}", None, [user.email])
        except OSError:  # the mail server is down: the in-site notice still stands
            log.warning("could not e-mail %s about %s", user.pk, subject)
    return note


def mark_all_read(user) -> int:
    """Mark every unread notification of ``user`` read; how many were."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    return unread.update(read_at=timezone.now())

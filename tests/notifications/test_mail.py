"""Notification e-mail is sent by a background task, never in the caller's transaction."""

from django.core import mail
from django_tasks_db.models import DBTaskResult

from tongban.notifications import tasks as mailing
from tongban.notifications.models import Notification
from tongban.notifications.services import notify

SEND = "tongban.notifications.tasks.send_notification_email"


def test_notify_queues_the_mail_only_for_an_address(queued, demo):
    reachable, unreachable = demo["jingan.fresh"], demo["clerk"]
    unreachable.email = ""
    unreachable.save(update_fields=["email"])
    notify(reachable, None, "Hello")
    notify(unreachable, None, "Hello")
    sends = DBTaskResult.objects.filter(task_path=SEND)
    assert sends.count() == 1 and not mail.outbox
    note = Notification.objects.get(user=reachable)
    assert sends.get().args_kwargs["args"] == [note.pk]
    assert mailing.send_notification_email.call(note.pk) is True
    assert mail.outbox[0].to == [reachable.email] and "Hello" in mail.outbox[0].body


def test_a_mail_server_down_leaves_the_notice(demo, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(mailing, "send_mail", refuse)
    note = notify(demo["jingan.fresh"], None, "Hello")
    assert Notification.objects.filter(pk=note.pk).exists() and not mail.outbox
    assert "could not e-mail" in caplog.text

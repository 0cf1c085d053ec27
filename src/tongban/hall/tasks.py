"""The hall's slow work, run by a worker after the call that caused it commits."""

from django.core.mail import send_mail
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from tongban.notifications.services import both, notify

from . import sms, status
from .models import Hall, Ticket

NEAR_TURN = _(
    "%(centre)s: ticket %(number)s, %(ahead)s ahead of you. Please come back to the hall."
)


@task()
def tell_near_turn(hall_id: int) -> int:
    """Tell each waiting visitor whose turn is near (at most ``Hall.near_turn_ahead`` ahead)
    once, by text message, e-mail and notice, whichever is known; how many were told."""
    hall = Hall.objects.select_related("centre").get(pk=hall_id)
    reachable = Ticket.objects.filter(hall=hall, state="waiting", near_turn_told=False).filter(
        Q(phone__gt="") | Q(email__gt="") | Q(applicant__isnull=False)
    )
    if not reachable.exists():  # nobody to tell: no estimate needed
        return 0
    found = status.ranges(hall, fresh=True)
    near = [pk for pk, wait in found.items() if wait.ahead <= hall.near_turn_ahead]
    told = 0
    for ticket in Ticket.objects.filter(pk__in=near, state="waiting", near_turn_told=False):
        # Claimed first, so two workers never tell the same visitor twice.
        if not Ticket.objects.filter(pk=ticket.pk, near_turn_told=False).update(
            near_turn_told=True
        ):
            continue
        ahead = found[ticket.pk].ahead
        params = {"centre": hall.centre.name_zh, "number": ticket.number, "ahead": ahead}
        text_en, text_zh = both(NEAR_TURN, **params)
        if ticket.phone:
            sms.send(ticket.phone, text_zh)
        if ticket.email:
            send_mail(text_en[:80], f"{text_zh}\n\n{text_en}", None, [ticket.email])
        if ticket.applicant_id:
            notify(ticket.applicant, None, NEAR_TURN, **params)
        told += 1
    return told

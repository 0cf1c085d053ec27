"""Counters: a clerk signs in to one, opens and closes it; managers change its skills."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.moves import CaseError, move

from . import states
from .models import Counter, MatterGroup, Ticket


def sign_in(counter: Counter, clerk) -> Counter:
    """The clerk takes the counter and opens it: one clerk per counter, one counter each."""
    if clerk.centre_id != counter.hall.centre_id:
        raise CaseError(_("This counter is not in your centre."))
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(pk=counter.pk)
        if counter.clerk_id not in (None, clerk.pk):
            raise CaseError(_("Another clerk is signed in to this counter."))
        elsewhere = _("You are signed in to another counter: sign out there first.")
        if Counter.objects.filter(clerk=clerk).exclude(pk=counter.pk).exists():
            raise CaseError(elsewhere)
        counter.clerk, counter.is_open = clerk, True
        try:
            with transaction.atomic():
                counter.save(update_fields=["clerk", "is_open"])
        except IntegrityError as error:  # the same clerk, in a race on two counters
            raise CaseError(elsewhere) from error
    return counter


def close(counter: Counter, actor) -> Counter:
    """Close the counter and sign its clerk out. A called ticket waits again, keeping its
    arrival time; a ticket being served must be finished, parked or transferred first."""
    with transaction.atomic():
        counter = Counter.objects.select_for_update().get(pk=counter.pk)
        held = Ticket.objects.filter(counter=counter, state__in=states.HELD)
        if held.filter(state=states.SERVING).exists():
            raise CaseError(_("Finish, park or transfer the visitor you are serving first."))
        for ticket in held:
            move(ticket, states.TICKET, "release", actor, counter=None, called_at=None, recalls=0)
        counter.clerk, counter.is_open = None, False
        counter.save(update_fields=["clerk", "is_open"])
    return counter


def set_skills(counter: Counter, groups: list[MatterGroup], actor) -> Counter:
    """Change what the counter serves (audited with the counter's other changes)."""
    from tongban.audit.services import record

    before = sorted(counter.skills.values_list("code", flat=True))
    counter.skills.set(groups)
    record(
        "update",
        object_type="hall.counter",
        object_id=counter.pk,
        object_label=str(counter),
        before={"skills": before},
        after={"skills": sorted(group.code for group in groups)},
        actor=actor,
    )
    return counter

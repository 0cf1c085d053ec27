"""At the counter: cases taken on a visitor's behalf, city-wide, related matters, and what
the visitor brings (a guidance sheet's QR code or a case number).

The clerk creates the case through the same ``applications`` services as online (drafting,
city-wide beneficiaries, submission, acceptance); each matter accepted becomes a
``Handling`` at once, so finishing the ticket records only what is left. Rules:
docs/hall-rules.md, "At the counter".
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.accounts.models import User
from tongban.applications import access, services
from tongban.applications.models import Application, ApplicationMatter
from tongban.applications.services.citywide import beneficiary_district
from tongban.audit.services import record
from tongban.catalogue.models import Event, Matter, Region
from tongban.catalogue.queries import public_version
from tongban.core.identity import clean_resident_id, mask_resident_id
from tongban.core.moves import CaseError
from tongban.guidance.engine import Plan
from tongban.guidance.services import GuidanceUnavailable, InvalidSheet, read_sheet

from . import states, tickets
from .models import Counter, Handling, MatterGroup, Ticket

# A case number: the district code, the day (YYYYMMDD) and six digits (drafting._new_number).
CASE_NUMBER = re.compile(r"^[0-9]{20}$")


@dataclass(frozen=True)
class Beneficiary:
    """A family member a matter is for (the visitor acts for them)."""

    relation: str
    name: str = ""
    id_number: str = ""
    district: str = ""


def resident_id(value: str, field: str = "resident_id") -> str:
    try:
        return clean_resident_id(value)
    except ValidationError as error:
        raise CaseError(error.messages[0], field) from None


def visitor(id_number: str, clerk, *, name: str = "", district: str = "", email: str = "",
            phone: str = "") -> User:  # fmt: skip
    """The natural person with this resident ID number; a new applicant account when they
    have none, with a password nobody knows: they claim it by resetting the password (to
    the e-mail given here)."""
    number = resident_id(id_number)
    region = Region.objects.filter(code=district, kind=Region.Kind.DISTRICT).first()
    if district and region is None:
        raise CaseError(_("Choose the district where their household is registered."),
                        "district")  # fmt: skip
    person = User.objects.filter(id_number=number).first()
    if person is not None:
        if person.kind != User.Kind.PERSON:
            raise CaseError(_("This ID number belongs to an account that is not a person's."),
                            "resident_id")  # fmt: skip
        if region is not None and person.registration_district_id is None:
            # Said at the counter; city-wide matters are routed by it.
            person.registration_district = region
            person.save(update_fields=["registration_district"])
        return person
    if not name.strip():
        raise CaseError(_("Give the visitor's full name: they have no account yet."), "name")
    person = User(username=f"counter-{secrets.token_hex(6)}", kind=User.Kind.PERSON,
                  full_name=name.strip()[:100], id_number=number, registration_district=region,
                  email=email.strip()[:254], phone=phone.strip()[:20])  # fmt: skip
    # A random secret nobody is told, not Django's unusable password: the password reset
    # skips accounts without a usable one, and that is how the person claims the account.
    person.set_password(secrets.token_urlsafe(32))
    person.save()
    record("create", object_type="accounts.user", object_id=person.pk,
           object_label=person.username, actor=clerk,
           after={"id_number": mask_resident_id(number), "created_at": "counter"})  # fmt: skip
    return person


def _serving(ticket: Ticket, clerk) -> tuple[Ticket, Counter]:
    ticket = tickets.lock_ticket(ticket)
    counter = tickets.counter_holding(ticket, clerk)
    if ticket.state != states.SERVING:
        raise CaseError(_("Start serving the visitor first."))
    return ticket, counter


def handled_codes(ticket: Ticket) -> set[str]:
    return set(ticket.handlings.values_list("matter__code", flat=True))


def _serves(counter: Counter, matter: Matter) -> bool:
    group = next((g for g in MatterGroup.objects.all() if g.covers(matter)), None)
    return group is not None and counter.skills.filter(pk=group.pk).exists()


def _case_matters(ticket: Ticket, counter: Counter, codes: list[str]) -> list[Matter]:
    """The visit's matters named, each served by this counter and not handled yet."""
    if not codes:
        raise CaseError(_("Choose the matters of the case."), "matters")
    on_ticket = {matter.code: matter for matter in ticket.matters.all()}
    handled = handled_codes(ticket)
    found = []
    for code in dict.fromkeys(codes):
        matter = on_ticket.get(code)
        if matter is None:
            raise CaseError(_("Add %(code)s to the visit first.") % {"code": code}, "matters")
        if code in handled:
            raise CaseError(_("%(matter)s is already handled in this visit.")
                            % {"matter": matter.name}, "matters")  # fmt: skip
        if not _serves(counter, matter):
            raise CaseError(_("This counter does not handle %(matter)s: transfer the visitor.")
                            % {"matter": matter.name}, "matters")  # fmt: skip
        found.append(matter)
    return found


def start_case(ticket: Ticket, clerk, id_number: str, codes: list[str], *, name: str = "",
               district: str = "", email: str = "", phone: str = "", address: str = "",
               beneficiaries: dict[str, Beneficiary] | None = None) -> Application:  # fmt: skip
    """A case for the visitor (found or registered by resident ID number) for some matters
    of the visit, family members' city-wide matters named with their beneficiary. It stays
    a draft until ``accept_case``: the clerk scans the materials into it first."""
    with transaction.atomic():
        ticket, counter = _serving(ticket, clerk)
        matters = _case_matters(ticket, counter, codes)
        person = visitor(id_number, clerk, name=name, district=district, email=email,
                         phone=phone)  # fmt: skip
        contact = {"full_name": person.full_name or name.strip(), "phone": phone.strip(),
                   "address": address.strip()}  # fmt: skip
        application = services.start_at_counter(
            clerk, person, matters, counter_number=counter.number,
            data={key: value for key, value in contact.items() if value},
        )  # fmt: skip
        for code, beneficiary in (beneficiaries or {}).items():
            services.set_beneficiary(application, clerk, code, beneficiary.relation,
                                     name=beneficiary.name, id_number=beneficiary.id_number,
                                     district=beneficiary.district)  # fmt: skip
        ticket.applications.add(application)
        if not ticket.resident_id:
            ticket.resident_id, ticket.applicant = person.id_number, ticket.applicant or person
            ticket.save(update_fields=["resident_id", "applicant"])
        number = application.number
        tickets.audit_move(ticket, ticket.state, "start_case", clerk, application=number)
        return application


def open_case(ticket: Ticket, number: str) -> Application:
    """A draft the clerk started in this visit (404 otherwise)."""
    found = ticket.applications.filter(number=number.strip()).first()
    if found is None:
        raise Http404("no such case in this visit")
    return found


def scan_material(ticket: Ticket, clerk, number: str, key: str, source, name: str):
    """A material the visitor shows, scanned by the clerk into the case (and the visitor's
    vault, as an upload of theirs would be)."""
    with transaction.atomic():
        ticket, _counter = _serving(ticket, clerk)
        application = open_case(ticket, number)
        return services.upload(application, application.applicant, key, source, name)


def accept_case(ticket: Ticket, clerk, number: str, *, commitment: bool = False,
                refusals: dict[str, str] | None = None,
                now: datetime | None = None) -> list[Handling]:  # fmt: skip
    """Submit the case started in this visit (tolerable absence with the visitor's
    commitment, as online) and accept it at once; each of its matters is a handling of the
    visit, accepted into the case. A pre-check error comes back as a CaseError."""
    with transaction.atomic():
        ticket, counter = _serving(ticket, clerk)
        application = open_case(ticket, number)
        if application.state == "draft":
            findings = services.submit(application, application.applicant,
                                       commitment=commitment, by=clerk)  # fmt: skip
            errors = [finding.message for finding in findings if finding.level == "error"]
            if errors:
                raise CaseError(" ".join(errors), "application")
            application.refresh_from_db()
        if application.state == "submitted":
            services.accept(application, clerk, refusals)
        return _record(ticket, counter, clerk, application, now or timezone.now())


def _record(ticket: Ticket, counter: Counter, clerk, application: Application,
            now: datetime) -> list[Handling]:  # fmt: skip
    handled = handled_codes(ticket)
    community = tickets.is_community(ticket.hall)
    home = ticket.hall.centre.region.district
    tasks = application.matters.filter(lead=True).select_related(
        "matter", "beneficiary_district", "application__applicant__registration_district"
    )
    made = Handling.objects.bulk_create(
        Handling(ticket=ticket, matter=task.matter, outcome=Ticket.Outcome.ACCEPTED,
                 application=application, counter=counter, clerk=clerk, at=now,
                 city_wide=community and task.matter.city_wide
                 and _elsewhere(task, home))
        for task in tasks if task.matter.code not in handled
    )  # fmt: skip
    if any(handling.city_wide for handling in made) and not ticket.city_wide:
        ticket.city_wide = True
        ticket.save(update_fields=["city_wide"])
    tickets.audit_move(ticket, ticket.state, "accepted_case", clerk,
                       application=application.number,
                       matters=[handling.matter.code for handling in made])  # fmt: skip
    return made


def _elsewhere(task: ApplicationMatter, home: Region | None) -> bool:
    """Whether the matter's beneficiary is registered outside the centre's district (an
    unknown registration counts as elsewhere: the case is routed at submission)."""
    district = beneficiary_district(task)
    return district is None or home is None or district.pk != home.pk


# --- related matters ---------------------------------------------------------------


@dataclass(frozen=True)
class Related:
    event: Event
    here: list[Matter]  # this counter adds them with one click
    elsewhere: list[Matter]  # another queue of the hall: transfer


def related(ticket: Ticket, counter: Counter) -> list[Related]:
    """The other matters of the life events of the visit's matters, that a family may
    also claim in this hall (e.g. having a baby: the spouse's maternity benefit)."""
    matters = list(ticket.matters.prefetch_related("events"))
    if not matters:
        return []
    codes = {matter.code for matter in matters}
    version = matters[0].version_id
    events = {event.pk: event for matter in matters for event in matter.events.all()
              if event.kind == Event.Kind.LIFE}  # fmt: skip
    found = []
    for event in sorted(events.values(), key=lambda e: (e.order, e.code)):
        others = Matter.objects.filter(version_id=version, events=event).exclude(code__in=codes)
        offered, elsewhere = tickets.handled_here(ticket.hall, others.order_by("code"))
        here = [matter for matter in offered if _serves(counter, matter)]
        away = [matter for matter in offered if matter not in here]
        if here or away:
            found.append(Related(event, here, away))
    return found


# --- what the visitor brings -------------------------------------------------------


@dataclass(frozen=True)
class Scanned:
    added: list[Matter]
    not_here: list[Matter]  # on the sheet, not served by this counter
    plan: Plan


def sheet_token(scanned: str) -> str:
    """The token of a scanned sheet QR: its link (…/s/<token>/) or the token itself."""
    return scanned.strip().rstrip("/").rsplit("/", 1)[-1].split("?")[0]


def read_scanned_sheet(scanned: str) -> Plan:
    try:
        return read_sheet(sheet_token(scanned)).plan
    except (InvalidSheet, GuidanceUnavailable):
        raise CaseError(_("This code is not a guidance sheet of this site."), "scan") from None


def add_sheet(ticket: Ticket, clerk, scanned: str) -> Scanned:
    """Add the matters of a guidance sheet the visitor brings to the visit (those this
    counter serves; the others are named)."""
    plan = read_scanned_sheet(scanned)
    with transaction.atomic():
        ticket, counter = _serving(ticket, clerk)
        codes = [planned.code for planned in plan.matters]
        matters = Matter.objects.filter(version_id=ticket_version(ticket), code__in=codes)
        added, not_here = [], []
        for matter in sorted(matters, key=lambda m: codes.index(m.code)):
            if not _serves(counter, matter):
                not_here.append(matter)
            elif not ticket.matters.filter(pk=matter.pk).exists():
                tickets.add_matter(ticket, clerk, matter)
                added.append(matter)
        if not added and not ticket.matters.filter(code__in=codes).exists():
            raise CaseError(_("Nothing on this sheet is handled at this counter."), "scan")
        return Scanned(added, not_here, plan)


def ticket_version(ticket: Ticket) -> int:
    first = ticket.matters.first()
    return first.version_id if first is not None else public_version().pk


def find_case(clerk, number: str) -> Application:
    """A case the clerk may open by its number (the staff access rules; 404 otherwise)."""
    number = "".join(number.split())
    if not CASE_NUMBER.match(number):
        raise CaseError(_("This is neither a guidance sheet nor a case number."), "scan")
    return access.application_for(clerk, number)


def is_case_number(scanned: str) -> bool:
    return bool(CASE_NUMBER.match("".join(scanned.split())))

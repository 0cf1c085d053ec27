"""A stateful property test of the case: random actions by right and wrong actors.

Hypothesis drives one or two supermarket applications (four matters, three departments)
through the services, acting as the owner or another applicant, the centre's clerk or one
of another centre, the manager, and the reviewers of the case's departments or of one not
on the case, while a fake clock moves on. Each example starts an application some way
along the happy path (a "head start": draft, filled, submitted, accepted with supplements
asked for, decided, issued) and then takes random steps by role; actions the state or the
role does not allow are attempted too. After every step the invariants are checked
against the database:

- no application is issued while one of its matters is undecided, and an application is
  decided exactly when its last matter is;
- no principal material is missing once an application is submitted, let alone accepted;
- a paused clock does not count; after a resume, used + paused working days is the
  working days since the start; a due date is the promise plus the pauses, never earlier;
- only the owner sees an application; staff of other centres and departments do not;
- only a matter's department reviews it, and a department only once it is accepted;
- a refused action changes nothing, and is refused for the right reason (PermissionDenied
  or Http404 for a wrong actor, CaseError for a move the state does not allow);
- every stored state belongs to its machine, and every change of state is an audited,
  allowed move: the new audit entries replay from the last states to the current ones.

CaseError, PermissionDenied and Http404 (where a page looks the application up for its
owner) are the only failures an action may raise; anything else propagates as a bug.
Bugs the machine found are pinned by the regression tests at the end.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tongban.applications import access, delivery, issuing, services, states
from tongban.applications import tasks as results
from tongban.applications.models import (
    Application,
    ApplicationMaterial,
    ApplicationMatter,
    Delivery,
    Document,
    IssuedDocument,
    SupplementRequest,
)
from tongban.applications.results import issues_certificate
from tongban.applications.services import CaseError, clocks, instant
from tongban.audit.models import AuditEntry
from tongban.core import workdays
from tongban.core.machine import Machine
from tongban.notifications.models import Notification

from .cases import (
    fill_and_upload,
    pdf_file,
    second_shop,
    start_food_licence,
    start_supermarket,
    tolerable_key,
)

# Set by the test's fixture, read by every example of the machine.
WORLD: dict = {}
# What the examples did and reached, printed with -s.
REACHED: Counter = Counter()

APPLICANTS = ("jingan.fresh", "second.shop")
CONTACT = {"address": "1 Gonghe Road", "phone": "13800138000", "full_name": "Liu Yang"}
MACHINE_OF = {
    "applications.application": states.APPLICATION,
    "applications.applicationmatter": states.REVIEW,
    "applications.delivery": states.DELIVERY,
}
ACCEPTED = {"in_review", "decided", "issued", "completed"}
# How far along the happy path an application is taken before the random actions start.
HEAD_STARTS = ("accepted", "accepted", "submitted", "accepted", "decided", "issued", "filled",
               "draft", "accepted")  # fmt: skip
# What an applicant leaves out when filling in.
LEFT_OUT = ("tolerable", "nothing", "principal", "nothing")
OWNERS = ("owner", "owner", "owner", "owner", "other")
CENTRE_STAFF = ("right", "right", "right", "right", "right", "clerk", "clerk.pengpu",
                "clerk.pengpu", "manager", "reviewer.market", "jingan.fresh")  # fmt: skip
APPLICANT_ACTIONS = ("answer_supplement", "fill_and_upload", "fill_and_upload", "submit", "submit",
                     "withdraw", "remove_document", "set_delivery", "upload_one",
                     "answer_supplement", "answer_supplement")  # fmt: skip
CENTRE_ACTIONS = ("accept", "accept", "reject", "issue", "issue", "collect", "collect", "track",
                  "track", "expire_drafts")  # fmt: skip
DEPARTMENT_ACTIONS = ("approve", "approve", "approve", "refuse", "request_supplement",
                      "request_supplement")  # fmt: skip
REVIEWERS = ("right", "right", "right", "right", "right", "right", "other department",
             "not on the case", "clerk")  # fmt: skip


def _legal(machine: Machine, state: str, action: str) -> bool:
    return state in machine.moves[action][0]


def _fake_now() -> datetime:
    WORLD["tick"] += 1
    morning = timezone.make_aware(datetime.combine(WORLD["day"], time(8, 0)))
    return morning + timedelta(microseconds=WORLD["tick"])


class Case:
    """An application of the machine and who owns it."""

    def __init__(self, application: Application, owner: str):
        self.pk, self.number, self.owner = application.pk, application.number, owner

    def get(self) -> Application:
        return Application.objects.get(pk=self.pk)


class CaseMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.users = WORLD["users"]
        # Each example starts from the catalogue alone and leaves nothing behind.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.cases: list[Case] = []
        self.last_seq = AuditEntry.objects.aggregate(m=Max("seq"))["m"] or 0
        self.last_states: dict[tuple[str, str], str] = {}
        # The clock of each task as the machine saw it: pauses, used while paused, due.
        self.closed_pauses: dict[int, list[tuple[date, date]]] = {}
        self.open_pause: dict[int, date] = {}
        self.used_while_paused: dict[int, int] = {}
        self.last_due: dict[int, date] = {}

    def teardown(self):
        try:
            for state in Application.objects.filter(pk__in=self.pks).values_list(
                "state", flat=True
            ):
                REACHED[f"ended {state}"] += 1
        finally:
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    # --- helpers --------------------------------------------------------------------------

    @property
    def day(self) -> date:
        return WORLD["day"]

    @property
    def pks(self) -> list[int]:
        return [case.pk for case in self.cases]

    def case(self, which: int) -> Case:
        return self.cases[which % len(self.cases)]

    def other_applicant(self, case: Case) -> str:
        return next(name for name in APPLICANTS if name != case.owner)

    def fingerprint(self) -> tuple:
        """Everything a refused action must leave as it was."""
        pks = self.pks
        return (
            list(
                Application.objects.filter(pk__in=pks)
                .order_by("pk")
                .values_list("pk", "state", "data", "delivery_method", "reason")
            ),
            list(
                ApplicationMatter.objects.filter(application__in=pks)
                .order_by("pk")
                .values_list(
                    "pk", "state", "started_on", "due_on", "paused_on", "paused_days", "result"
                )
            ),
            list(
                ApplicationMaterial.objects.filter(application__in=pks)
                .order_by("pk")
                .values_list("pk", "document", "status", "due_on")
            ),
            list(
                SupplementRequest.objects.filter(task__application__in=pks)
                .order_by("pk")
                .values_list("pk", "answered_at")
            ),
            list(
                Delivery.objects.filter(application__in=pks)
                .order_by("pk")
                .values_list("pk", "state", "events")
            ),
            IssuedDocument.objects.count(),
            Document.objects.count(),
            Notification.objects.count(),
            AuditEntry.objects.aggregate(m=Max("seq"))["m"],
        )

    def attempt(self, name: str, action, *, forbidden=False, illegal=False, must=False):
        """Run an action and check how it ends.

        A refusal (CaseError, PermissionDenied, Http404) changes nothing. ``forbidden``:
        the actor may not do this at all, so it is refused as such (PermissionDenied, or
        Http404 for an applicant looking up someone else's application); ``illegal``: the
        state does not allow it, so it is refused (CaseError); ``must``: it has to work.
        """
        before = self.fingerprint()
        try:
            result = action()
        except (CaseError, PermissionDenied, Http404) as error:
            assert self.fingerprint() == before, f"{name} was refused but changed the case"
            if forbidden:
                assert isinstance(error, PermissionDenied | Http404), (name, error)
            elif illegal:
                assert isinstance(error, CaseError), (name, error)
            assert not must, f"{name} should have worked: {error!r}"
            why = "forbidden" if forbidden else "illegal" if illegal else "other"
            REACHED[f"{name}: refused, {why}"] += 1
            return None
        assert not forbidden, f"{name} by someone who may not do it went through"
        assert not illegal, f"{name} went through although the state does not allow it"
        REACHED[name] += 1
        return result

    def as_applicant(self, case: Case, who: str, name: str, action, **expect):
        """An applicant's action as the pages do it: look the application up as one's own."""
        actor = self.users[case.owner if who == "owner" else self.other_applicant(case)]

        def run():
            return action(access.own_application(actor, case.number), actor)

        return self.attempt(name, run, forbidden=who != "owner", **expect)

    def reviewer(self, task: ApplicationMatter, who: str):
        if who == "right":
            return next(u for u in self.users.values()
                        if u.department_id == task.department_id)  # fmt: skip
        if who == "other department":  # a reviewer of another department of the case
            return next(
                self.users[name]
                for name in ("reviewer.market", "reviewer.fire", "reviewer.green")
                if self.users[name].department_id != task.department_id
            )
        return self.users["reviewer.health" if who == "not on the case" else "clerk"]

    def review(self, name, task, who, action, *, illegal, may_work):
        actor = self.reviewer(task, who)
        if who == "right" and task.started_on is None:
            # Not in the department's inbox yet: the staff pages look tasks up there.
            # (The services themselves do not refuse: see the xfail test below.)
            self.attempt(f"{name} before acceptance",
                         lambda: action(access.task_for(actor, task.pk), actor),
                         forbidden=True)  # fmt: skip
            return
        self.attempt(name, lambda: action(task, actor), forbidden=who != "right",
                     illegal=illegal, must=who == "right" and may_work and not illegal)  # fmt: skip

    # --- starting ---------------------------------------------------------------------------

    def open_case(self, owner, head_start, leave_out, chosen=frozenset(), post=False):
        """A new application, taken along the happy path by the right people as far as
        ``head_start``, or as far as the services let it go when a material is left out.

        Accepted: the departments ask for a supplement on the ``chosen`` matters.
        Decided: they refuse the ``chosen`` matters and approve the others.
        """
        applicant = self.users[owner]
        if post:
            # Sent by post only when every result may be: the food licence alone.
            application = start_food_licence(applicant)
            services.set_delivery(application, applicant, "post", "1 Gonghe Road, Jing'an")
        else:
            application = start_supermarket(applicant)
        case = Case(application, owner)
        self.cases.append(case)
        REACHED[f"head start {head_start}"] += 1
        if head_start == "draft":
            return
        lines = application.materials.order_by("pk")
        skipped = {
            "nothing": None,
            "tolerable": tolerable_key(application),
            "principal": lines.filter(principal=True).values_list("key", flat=True).last(),
        }[leave_out]
        fill_and_upload(application, applicant, leave_out=skipped)
        if head_start == "filled":
            return
        findings = services.submit(application, applicant, commitment=True)
        if case.get().state == "draft":  # stopped by the pre-check, which says why
            assert any(f.level == "error" and f.material == skipped for f in findings)
            return
        if head_start == "submitted":
            return
        tasks = list(application.matters.select_related("matter").order_by("pk"))
        # The clerk decides the instant matters on accepting: refuses those chosen.
        clerk_decides = instant.decidable(application)
        refusals = {t.matter.code: "Not in line with the zoning plan"
                    for number, t in enumerate(tasks) if head_start != "accepted"
                    and number in chosen and t.matter.code in clerk_decides}  # fmt: skip
        services.accept(case.get(), self.users["clerk"], refusals)
        for number, task in enumerate(tasks):
            task.refresh_from_db()
            if task.state != "reviewing":
                continue
            reviewer = self.reviewer(task, "right")
            if head_start == "accepted" and number in chosen:
                # Asked for the tolerated material, or for a correction only.
                keys = [skipped] if skipped and number % 2 else []
                services.request_supplement(task, reviewer, material_keys=keys,
                                            reason="Sign the form", days=3)  # fmt: skip
            elif head_start != "accepted" and number in chosen:
                services.refuse(task, reviewer, "Not in line with the zoning plan")
            elif head_start != "accepted":
                services.approve(task, reviewer, scope="Retail")
        if head_start in ("decided", "issued"):
            assert case.get().state == "decided"
        if head_start == "issued":
            issuing.issue(case.get(), self.users["manager"])

    @initialize(
        day=st.dates(date(2025, 1, 1), date(2027, 3, 31)),
        owner=st.sampled_from(APPLICANTS),
        head_start=st.sampled_from(HEAD_STARTS),
        leave_out=st.sampled_from(LEFT_OUT),
        chosen=st.sets(st.integers(0, 3), min_size=1, max_size=3),
        post=st.booleans(),
    )
    def start(self, day, owner, head_start, leave_out, chosen, post):
        WORLD["day"] = day
        self.open_case(owner, head_start, leave_out, chosen, post)

    @precondition(lambda self: len(self.cases) < 2)
    @rule(
        who=st.sampled_from([*APPLICANTS, *APPLICANTS, "clerk"]),
        head_start=st.sampled_from(HEAD_STARTS),
        leave_out=st.sampled_from(LEFT_OUT),
    )
    def start_another(self, who, head_start, leave_out):
        if who in APPLICANTS:
            self.open_case(who, head_start, leave_out)
        else:  # staff accounts cannot apply
            self.attempt("start by staff", lambda: start_supermarket(self.users[who]),
                         forbidden=True)  # fmt: skip

    # --- the applicant ----------------------------------------------------------------------
    # Actions are drawn by role, so that each role acts often enough for cases to progress;
    # the moves that progress are drawn more often than the others.

    @rule(
        action=st.sampled_from(APPLICANT_ACTIONS),
        which=st.integers(0, 1),
        who=st.sampled_from(OWNERS),
        pick=st.integers(0, 20),
        flag=st.booleans(),
        leave_out=st.sampled_from(LEFT_OUT),
        days_later=st.integers(0, 5),
    )
    def applicant(self, action, which, who, pick, flag, leave_out, days_later):
        """The owner (or another applicant) comes back ``days_later`` and acts."""
        self.advance_days(days_later)
        case = self.case(which)
        if action == "fill_and_upload":
            self.fill_and_upload(case, who, leave_out, pick)
        elif action == "submit":
            self.submit(case, who, commitment=flag)
        elif action == "answer_supplement":
            self.answer_supplement(case, who, pick, upload_first=flag)
        elif action == "set_delivery":
            self.set_delivery(case, who, "post" if flag else "pickup")
        else:
            getattr(self, action)(case, who, pick)

    def fill_and_upload(self, case, who, leave_out, pick):
        """Complete the data and upload every material, maybe leaving one out."""
        application = case.get()
        lines = list(application.materials.order_by("pk"))
        candidates = {
            "nothing": [None],
            "tolerable": [m.key for m in lines if not m.principal],
            "principal": [m.key for m in lines if m.principal],
        }[leave_out]
        skipped = candidates[pick % len(candidates)]

        def fill(application, actor):
            services.save_data(application, actor, {**application.data, **CONTACT})
            for line in lines:
                if line.key != skipped:
                    services.upload(application, actor, line.key, pdf_file(), "x.pdf")

        illegal = application.state not in states.EDITABLE
        self.as_applicant(case, who, "fill_and_upload", fill, illegal=illegal)

    def remove_document(self, case, who, pick):
        application = case.get()
        keys = list(application.materials.order_by("pk").values_list("key", flat=True))
        key = keys[pick % len(keys)]
        self.as_applicant(case, who, "remove_document",
                          lambda a, u: services.remove_document(a, u, key),
                          illegal=application.state not in states.EDITABLE)  # fmt: skip

    def upload_one(self, case, who, pick):
        """One material in any state: only drafts and owed materials take it."""
        application = case.get()
        keys = list(application.materials.order_by("pk").values_list("key", flat=True))
        key = keys[pick % len(keys)]
        self.as_applicant(case, who, "upload_one",
                          lambda a, u: services.upload(a, u, key, pdf_file(), "late.pdf"),
                          illegal=application.state not in ("draft", "in_review"))  # fmt: skip

    def submit(self, case, who, commitment):
        illegal = not _legal(states.APPLICATION, case.get().state, "submit")
        findings = self.as_applicant(
            case, who, "submit",
            lambda a, u: services.submit(a, u, commitment=commitment),
            illegal=illegal, must=who == "owner" and not illegal and commitment,
        )  # fmt: skip
        if findings is not None:
            errors = [f for f in findings if f.level == "error"]
            # Stopped by the pre-check, which said why; or submitted (or accepted at once).
            assert (case.get().state == "draft") == bool(errors), errors

    def withdraw(self, case, who, pick):
        illegal = not _legal(states.APPLICATION, case.get().state, "withdraw")
        self.as_applicant(case, who, "withdraw",
                          lambda a, u: services.withdraw(a, u, "Changed my mind"),
                          illegal=illegal, must=who == "owner" and not illegal)  # fmt: skip
        if who == "owner" and not illegal:
            application = case.get()
            assert application.state == "withdrawn"
            assert not application.matters.exclude(state__in=states.DECIDED).exists()

    def set_delivery(self, case, who, method):
        self.as_applicant(
            case,
            who,
            "set_delivery",
            lambda a, u: services.set_delivery(a, u, method, "1 Gonghe Road"),
        )

    def answer_supplement(self, case, who, pick, upload_first):
        """Upload what a request asked for (or not), then say it is supplied."""
        # An open request of either case; an answered one when none is open.
        requests = list(SupplementRequest.objects.filter(task__application__in=self.pks))
        requests = [r for r in requests if r.answered_at is None] or requests
        if not requests:
            self.as_applicant(case, who, "answer_supplement",
                              lambda a, u: services.answer_supplement(a, u, 0, "Here"),
                              illegal=True)  # fmt: skip
            return
        request = requests[pick % len(requests)]
        case = next(c for c in self.cases if c.pk == request.task.application_id)
        if upload_first:
            keys = list(case.get().materials.order_by("pk").values_list("key", flat=True))
            for key in request.material_keys:
                self.upload_one(case, who, keys.index(key))
        self.as_applicant(case, who, "answer_supplement",
                          lambda a, u: services.answer_supplement(a, u, request.pk, "Supplied"),
                          illegal=request.answered_at is not None)  # fmt: skip

    # --- the service centre -----------------------------------------------------------------

    @rule(
        action=st.sampled_from(CENTRE_ACTIONS),
        which=st.integers(0, 1),
        who=st.sampled_from(CENTRE_STAFF),
        flag=st.booleans(),
    )
    def centre(self, action, which, who, flag):
        """``right`` is the clerk at the counter, and the manager when issuing."""
        application = self.case(which).get()
        if action == "accept":
            self.accept(application, "clerk" if who == "right" else who)
        elif action == "reject":
            self.reject(application, "clerk" if who == "right" else who,
                        "Incomplete documents" if flag else " ")  # fmt: skip
        elif action == "issue":
            self.issue(application, "manager" if who == "right" else who)
        elif action == "collect":
            self.collect(application, "clerk" if who == "right" else who, right_code=flag)
        elif action == "track":
            parcel = Delivery.objects.filter(application=application).first()
            if parcel is not None:
                before = parcel.state
                delivery.track(parcel)
                REACHED[f"track {before} -> {parcel.state}"] += 1
        else:
            REACHED["expired"] += services.expire_drafts()[1]

    def accept(self, application, who):
        # What passed the pre-check is accepted at the counter.
        illegal = not _legal(states.APPLICATION, application.state, "accept")
        self.attempt("accept", lambda: services.accept(application, self.users[who]),
                     forbidden=who != "clerk", illegal=illegal,
                     must=who == "clerk" and not illegal)  # fmt: skip

    def reject(self, application, who, reason):
        illegal = not _legal(states.APPLICATION, application.state, "reject")
        self.attempt("reject", lambda: services.reject(application, self.users[who], reason),
                     forbidden=who != "clerk", illegal=illegal,
                     must=who == "clerk" and not illegal and reason.strip())  # fmt: skip

    def issue(self, application, who):
        illegal = not _legal(states.APPLICATION, application.state, "issue")
        allowed = who in ("manager", "clerk")
        issued = self.attempt("issue", lambda: issuing.issue(application, self.users[who]),
                              forbidden=not allowed, illegal=illegal,
                              must=allowed and not illegal)  # fmt: skip
        if issued is not None:
            # One document per decided matter, but none for an approved one without a result.
            decided = application.matters.select_related("matter").exclude(state="withdrawn")
            documents = [t for t in decided if t.state == "refused" or issues_certificate(t.matter)]
            assert len(issued) == len(documents)

    def collect(self, application, who, right_code):
        parcel = Delivery.objects.filter(application=application).first()
        code = parcel.pickup_code if parcel and right_code else "wrong"
        ready = parcel is not None and parcel.state == "ready"
        self.attempt("collect", lambda: delivery.collect(application, self.users[who], code),
                     forbidden=who != "clerk", illegal=not ready,
                     must=who == "clerk" and ready and right_code)  # fmt: skip

    # --- the departments ----------------------------------------------------------------------

    @rule(
        action=st.sampled_from(DEPARTMENT_ACTIONS),
        pick=st.integers(0, 3),
        who=st.sampled_from(REVIEWERS),
        reason=st.sampled_from(["Fire exits blocked (GB 50016)", "Unreadable scan", ""]),
        keys=st.lists(st.integers(0, 20), max_size=2),
        days=st.sampled_from([1, 3, 5, 10, 0, 61]),
    )
    def department(self, action, pick, who, reason, keys, days):
        """A reviewer acts on a task of either case: ``right`` is one of its department."""
        tasks = ApplicationMatter.objects.filter(application__in=self.pks)
        # Open accepted tasks first, then decided ones, then those not accepted yet (reached
        # when fewer than four tasks are accepted): the picks mostly move cases on.
        tasks = sorted(tasks.select_related("application", "matter"), key=lambda t: (
            t.started_on is None, t.state in states.DECIDED, t.pk))  # fmt: skip
        task = tasks[pick % len(tasks)]
        illegal = not _legal(states.REVIEW, task.state, action)
        if action == "approve":
            overdue = [
                m
                for m in task.application.materials.filter(status="tolerated", due_on__lt=self.day)
                if task.matter.code in m.matter_codes
            ]
            self.review("approve", task, who,
                        lambda t, u: services.approve(t, u, scope="Retail"),
                        illegal=illegal, may_work=not overdue)  # fmt: skip
        elif action == "refuse":
            self.review("refuse", task, who, lambda t, u: services.refuse(t, u, reason),
                        illegal=illegal, may_work=bool(reason))  # fmt: skip
        else:
            known = list(task.application.materials.order_by("pk").values_list("key", flat=True))
            material_keys = sorted({known[k % len(known)] for k in keys})

            def ask(task, reviewer):
                return services.request_supplement(task, reviewer, material_keys=material_keys,
                                                   reason=reason, days=days)  # fmt: skip

            self.review("request_supplement", task, who, ask, illegal=illegal,
                        may_work=bool(reason) and 1 <= days <= 60)  # fmt: skip

    # --- time ----------------------------------------------------------------------------------

    @rule(days=st.integers(0, 10))
    def advance_days(self, days):
        WORLD["day"] = date.fromordinal(self.day.toordinal() + days)

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def the_case_holds_together(self):
        pks = self.pks
        applications = {a.pk: a for a in Application.objects.filter(pk__in=pks)}
        tasks = list(
            ApplicationMatter.objects.filter(application__in=pks)
            .select_related("matter")
            .order_by("pk")
        )
        parcels = list(Delivery.objects.filter(application__in=pks))
        missing_principal = set(
            ApplicationMaterial.objects.filter(
                application__in=pks, principal=True, document=None
            ).values_list("application", flat=True)
        )
        issued = set(
            IssuedDocument.objects.filter(task__application__in=pks).values_list(
                "task__application", flat=True
            )
        )
        undecided = {t.application_id for t in tasks if t.state not in states.DECIDED}

        # Every stored state is a state of its machine.
        for application in applications.values():
            assert application.state in states.APPLICATION.states, application.state
        for task in tasks:
            assert task.state in states.REVIEW.states, task.state
        for parcel in parcels:
            assert parcel.state in states.DELIVERY.states, parcel.state

        for pk, application in applications.items():
            # Nothing is issued while a matter is undecided.
            if application.state in ("issued", "completed") or pk in issued:
                assert pk not in undecided, f"{application} issued with a matter undecided"
                assert application.state in ("issued", "completed"), application.state
            # An application is decided when, and only when, its last matter is.
            if application.state in ("decided", "issued", "completed"):
                assert pk not in undecided, f"{application} is {application.state} too early"
            if application.state == "in_review":
                assert pk in undecided, f"{application}: every matter decided, still in review"
            # No principal material is missing once submitted (the pre-check stops it),
            # let alone once accepted.
            if application.state in ACCEPTED | {"submitted"}:
                assert pk not in missing_principal, (
                    f"{application} is {application.state} without a principal material"
                )

        # A department acts on a matter only once the application is accepted.
        for task in tasks:
            if task.state in ("supplement", "approved", "refused"):
                assert task.started_on is not None, (
                    f"{task} is {task.state} but its application "
                    f"({applications[task.application_id].state}) was never accepted"
                )

        self.check_audit_trail(tasks, applications, parcels)
        self.check_clocks(tasks)

    def check_audit_trail(self, tasks, applications, parcels):
        """Replay the new transition entries from the last states: they give today's."""
        current = {("applications.application", str(pk)): a.state
                   for pk, a in applications.items()}  # fmt: skip
        current |= {("applications.applicationmatter", str(t.pk)): t.state for t in tasks}
        current |= {("applications.delivery", str(p.pk)): p.state for p in parcels}
        replayed = dict(self.last_states)
        entries = AuditEntry.objects.filter(seq__gt=self.last_seq).order_by("seq")
        for entry in entries:
            self.last_seq = entry.seq
            if entry.action != "transition":
                continue
            key = (entry.object_type, entry.object_id)
            machine = MACHINE_OF[entry.object_type]
            was = replayed.get(key, machine.initial)
            assert entry.before == {"state": was}, (key, entry.before, was)
            assert machine.move(was, entry.after["action"]) == entry.after["state"], key
            replayed[key] = entry.after["state"]
            REACHED[f"move {machine.name} {entry.after['action']}"] += 1
        for key, state in current.items():
            expected = replayed.get(key, MACHINE_OF[key[0]].initial)
            assert state == expected, f"{key} is {state}, but the audit trail says {expected}"
        self.last_states = current

    def check_clocks(self, tasks):
        for task in tasks:
            pk = task.pk
            was_paused = self.open_pause.get(pk)
            if was_paused and task.paused_on is None:  # resumed today
                self.closed_pauses.setdefault(pk, []).append((was_paused, self.day))
                paused = workdays.working_days_between(was_paused, self.day)
                REACHED["resumed after working days" if paused else "resumed the same day"] += 1
                del self.open_pause[pk]
                self.used_while_paused.pop(pk, None)
            elif task.paused_on and not was_paused:  # paused today
                assert task.paused_on == self.day, (task, task.paused_on, self.day)
                self.open_pause[pk] = task.paused_on
            if task.started_on is None:
                continue
            closed = sum(workdays.working_days_between(p, r)
                         for p, r in self.closed_pauses.get(pk, []))  # fmt: skip
            assert task.paused_days == closed, (task, task.paused_days, closed)
            used = services.clock(task)["used"]
            if task.paused_on and task.state == "withdrawn":
                # Known bug: withdrawing does not resume (stop) a paused clock, so the days
                # since the pause count. See test_withdrawing_a_paused_matter_stops_its_clock;
                # once fixed, withdrawn tasks are no longer paused and this goes.
                pass
            elif task.paused_on:
                # A paused clock does not count, however many days pass (or how it ends).
                seen = self.used_while_paused.setdefault(pk, used)
                assert used == seen, (
                    f"{task} ({task.state}): the clock ran while paused since "
                    f"{task.paused_on}: {seen} -> {used} working days on {self.day}"
                )
            else:
                # After a resume: used + paused == the working days since the start.
                decided = task.decided_at and timezone.localtime(task.decided_at).date()
                since_start = workdays.working_days_between(task.started_on, decided or self.day)
                assert used == max(0, since_start - closed), (task, used, since_start, closed)
            # The due date is the promise plus every pause: it only ever moves later.
            due = workdays.add_working_days(task.started_on, task.matter.promised_days + closed)
            assert task.due_on == due, (task, task.due_on, due)
            assert task.due_on >= self.last_due.get(pk, task.due_on), task
            self.last_due[pk] = task.due_on

    @invariant()
    def only_the_owner_sees_an_application(self):
        pks = self.pks
        for name in APPLICANTS:
            seen = set(access.visible_applications(self.users[name]).filter(pk__in=pks)
                       .values_list("pk", flat=True))  # fmt: skip
            assert seen == {c.pk for c in self.cases if c.owner == name}, name
        for case in self.cases:
            with pytest.raises(Http404):
                access.own_application(self.users[self.other_applicant(case)], case.number)
        # Nor do the staff of another centre, or of a department not on the case.
        for name in ("clerk.pengpu", "reviewer.health"):
            assert not access.visible_applications(self.users[name]).filter(pk__in=pks).exists()


@pytest.fixture
def world(monkeypatch, demo_catalogue):
    # The machine holds the date. today() follows it, and so does the time of day, which
    # moves on a microsecond a call so that the order of events is kept.
    WORLD.update(users={**demo_catalogue, "second.shop": second_shop()}, day=clocks.today(),
                 tick=0)  # fmt: skip
    monkeypatch.setattr(clocks, "today", lambda: WORLD["day"])
    monkeypatch.setattr(timezone, "now", _fake_now)
    # The results are still signed and stored, but of a one-page PDF: rendering the
    # certificate (weasyprint, tested in test_applications) would take most of the time.
    blank = pdf_file().read()
    monkeypatch.setattr(results, "_render", lambda application, task, document: blank)
    yield WORLD
    WORLD.clear()


@pytest.mark.django_db
def test_random_cases_keep_their_invariants(world):
    REACHED.clear()
    run_state_machine_as_test(
        CaseMachine,
        settings=hsettings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            database=None,
            # No shrinking: each example costs about a second, so Hypothesis would spend its
            # five minutes and give up. A failure prints the sequence as found (add
            # Phase.shrink here to shorten it while debugging).
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print(sorted(REACHED.items()))
    # The examples went far enough to mean something.
    assert REACHED["move application accept"] and REACHED["move review approve"]


# --- known bugs of the services, found by the machine ------------------------------------------


@pytest.mark.django_db
def test_a_matter_is_decided_only_after_acceptance(world):
    """A reviewer cannot decide (or ask about) a matter of a draft: it is not theirs yet."""
    application = start_supermarket(world["users"]["jingan.fresh"])
    task = application.matters.select_related("department").first()
    reviewer = next(u for u in world["users"].values() if u.department_id == task.department_id)
    with pytest.raises((CaseError, PermissionDenied)):
        services.approve(task, reviewer)


@pytest.mark.django_db
def test_withdrawing_a_paused_matter_stops_its_clock(world):
    """Days after a supplement was asked for never count, however the matter ends."""
    applicant, users = world["users"]["jingan.fresh"], world["users"]
    world["day"] = date(2026, 3, 2)  # a Monday
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    services.accept(application, users["clerk"])
    application.refresh_from_db()
    task = application.matters.select_related("department").first()
    reviewer = next(u for u in users.values() if u.department_id == task.department_id)
    services.request_supplement(task, reviewer, material_keys=[], reason="Sign the form")
    task.refresh_from_db()
    used = services.clock(task)["used"]
    world["day"] = date(2026, 3, 5)  # three working days later
    services.withdraw(application, applicant)
    task.refresh_from_db()
    assert task.state == "withdrawn"
    assert services.clock(task)["used"] == used


@pytest.mark.django_db
def test_a_move_starts_from_the_stored_state(world):
    """Two requests at once: the clerk rejects while the applicant's page withdraws."""
    applicant, users = world["users"]["jingan.fresh"], world["users"]
    application = start_supermarket(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant)
    applicants_copy = Application.objects.get(pk=application.pk)
    services.reject(Application.objects.get(pk=application.pk), users["clerk"], "Incomplete")
    with pytest.raises(CaseError):
        services.withdraw(applicants_copy, applicant)
    assert Application.objects.get(pk=application.pk).state == "rejected"

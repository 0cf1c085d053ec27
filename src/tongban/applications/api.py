"""Applications API: apply, supply, follow; accept, review, issue, deliver; verify results.

Every endpoint asks ``access`` what the signed-in person may see (what they may not see is
404, so case numbers cannot be probed) and leaves every rule to ``services``, ``issuing``
and ``delivery``: ``PermissionDenied`` becomes a 403 problem, a ``CaseError`` a 409 problem,
or 422 naming the field when it is about an input (:func:`case_problem`). A session cookie
signs in (``django_auth``, CSRF-checked on unsafe methods); only verification is public.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.security import django_auth
from pydantic import create_model

from tongban.audit.services import record_read
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.core.moves import CaseError
from tongban.core.yamlfile import ContentErrors
from tongban.guidance.services import current_guide, read_sheet_token
from tongban.notifications.models import Notification
from tongban.notifications.services import both
from tongban.problems import problem
from tongban.schemas import Problem

from . import access, delivery, issuing, services, states
from .models import (
    Application,
    ApplicationMatter,
    Delivery,
    Document,
    IssuedDocument,
    Note,
    SupplementRequest,
)
from .uploads import stored_file_response

router = Router(tags=["applications"], auth=django_auth)

ApplicationState = Literal[tuple(sorted(states.APPLICATION.states))]  # type: ignore[valid-type]
ReviewState = Literal[tuple(sorted(states.REVIEW.states))]  # type: ignore[valid-type]
DeliveryMethod = Literal[tuple(Delivery.Method.values)]  # type: ignore[valid-type]


# --- problems ---------------------------------------------------------------------------


class FieldError(Schema):
    field: str | None
    message: str


class CaseProblem(Problem):
    """A problem about the case: 409, or 422 naming the input to correct."""

    field: str | None = Field(None, description="The input the problem is about (422)")
    errors: list[FieldError] | None = None


class Finding(Schema):
    level: str = Field(description="error: blocks submission; tolerable: needs the commitment")
    message: str
    field: str
    material: str
    matters: list[str]


class SubmitProblem(CaseProblem):
    findings: list[Finding] | None = Field(None, description="What the pre-check found (409)")


class DataProblem(CaseProblem):
    data: dict[str, str] | None = Field(None, description="What was saved, errors and all")


def case_problem(request: HttpRequest, exc: CaseError):
    """Registered on the API for ``CaseError``: 422 when it names an input, else 409."""
    detail = str(exc.message)
    if exc.field:
        errors = [{"field": exc.field, "message": detail}]
        return problem(request, 422, detail, field=exc.field, errors=errors)
    return problem(request, 409, detail)


READ = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE = {**READ, 409: CaseProblem, 422: CaseProblem}
PUBLIC = {"auth": None, "tags": ["verify"]}
STAFF = {"tags": ["staff"]}


# --- schemas ----------------------------------------------------------------------------


class Text(Schema):
    en: str
    zh: str


class PageQuery(Schema):
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(50, ge=1, le=50)


class Summary(Schema):
    number: str
    state: str
    title: Text
    created_at: datetime
    submitted_at: datetime | None
    updated_at: datetime


class ApplicationPage(Schema):
    count: int
    page: int
    per_page: int
    items: list[Summary]


class FieldOut(Schema):
    key: str
    label: Text
    required: bool
    value: str


class CaseMaterial(Schema):
    key: str
    name: Text
    evidence: str
    principal: bool = Field(description="False: may be missing at acceptance (容缺)")
    matters: list[str]
    originals: int
    copies: int
    status: str
    due_on: date | None = Field(description="When a tolerated material is due")
    document: int | None = Field(description="The vault document serving this line")
    reused: bool
    supplied_at: datetime | None
    requested: bool = Field(description="Asked for in an open supplement request")
    offers: list[int] = Field(description="Vault documents that could be reused (drafts)")


class Clock(Schema):
    started: bool
    used: int | None = None
    left: int | None = None
    paused: bool | None = None
    overdue: bool | None = None
    soon: bool | None = None
    due_on: date | None = None
    confirmed: bool | None = Field(None, description="False: the holiday calendar is not out")


class DepartmentRef(Schema):
    code: str
    name: Text


class CaseMatter(Schema):
    task: int = Field(description="The review task's id")
    code: str
    name: Text
    department: DepartmentRef
    state: str
    started_on: date | None
    due_on: date | None
    clock: Clock
    reason: str
    result: dict[str, Any]


class Supplement(Schema):
    id: int
    task: int
    matter: str
    materials: list[str]
    reason: str
    due_on: date
    requested_at: datetime
    answered_at: datetime | None
    answer: str


class NoteOut(Schema):
    id: int
    kind: str
    task: int | None
    author: str
    from_applicant: bool
    body: str
    created_at: datetime


class DeliveryEvent(Schema):
    at: str
    state: str
    text: str


class DeliveryOut(Schema):
    method: str
    address: str
    state: str | None = Field(description="Null until the results are issued")
    pickup_code: str | None = Field(description="Shown to the applicant only")
    carrier: str
    tracking_number: str
    events: list[DeliveryEvent]


class IssuedOut(Schema):
    serial: str
    kind: str
    matter: str
    valid_from: date
    valid_until: date | None
    issued_at: datetime
    revoked: bool


class Rating(Schema):
    stars: int
    comment: str


class Move(Schema):
    at: datetime
    action: str
    state: str
    matter: str | None


class ApplicationDetail(Summary):
    scenario: str
    counter: str
    centre: Text
    expires_at: datetime | None
    commitment_at: datetime | None
    accepted_at: datetime | None
    decided_at: datetime | None
    issued_at: datetime | None
    reason: str
    data: dict[str, str]
    fields: list[FieldOut]
    materials: list[CaseMaterial]
    matters: list[CaseMatter]
    supplements: list[Supplement]
    messages: list[NoteOut] = Field(description="Applicants see messages; staff all notes")
    delivery: DeliveryOut
    issued: list[IssuedOut]
    rating: Rating | None
    timeline: list[Move]
    actions: list[str] = Field(description="What the signed-in person may do now")


class StartIn(Schema):
    sheet: str | None = Field(None, description="A guidance sheet's token: all its matters")
    matter: str | None = Field(None, description="Or one matter's code")


# The shared data, one string per field of ``services.FIELDS``; fields that are not for
# this applicant are ignored, a missing field is saved empty.
DataIn = create_model("DataIn", __base__=Schema, **{f.key: (str, "") for f in services.FIELDS})


class DataOut(Schema):
    data: dict[str, str]


class ReuseIn(Schema):
    material: str
    document: int


class DeliveryIn(Schema):
    method: DeliveryMethod
    address: str = ""


class SubmitIn(Schema):
    commitment: bool = Field(False, description="Signed: missing materials follow (容缺)")


class SubmitOut(Schema):
    number: str
    state: str
    findings: list[Finding]


class ReasonIn(Schema):
    reason: str = ""


class AnswerIn(Schema):
    answer: str = ""


class BodyIn(Schema):
    body: str


class RatingIn(Schema):
    stars: int
    comment: str = ""


class VaultDocument(Schema):
    id: int
    title: str
    name: str
    evidence: str
    origin: str
    size: int
    content_type: str
    pages: int
    valid_until: date | None
    created_at: datetime


class NotificationOut(Schema):
    id: int
    application: str | None
    text: Text
    created_at: datetime
    read_at: datetime | None


class NotificationPage(ApplicationPage):
    unread: int
    items: list[NotificationOut]  # type: ignore[assignment]


class ReadOut(Schema):
    read: int


class ReviewQuery(PageQuery):
    state: ReviewState | None = None
    due: Literal["overdue", "soon"] | None = None


class ReviewOut(Schema):
    id: int
    application: str
    title: Text
    matter: str
    matter_name: Text
    department: str
    state: str
    started_on: date | None
    due_on: date | None
    clock: Clock


class ReviewPage(ApplicationPage):
    items: list[ReviewOut]  # type: ignore[assignment]


class ReviewDetail(ReviewOut):
    reason: str
    result: dict[str, Any]
    overdue_tolerated: list[str] = Field(description="Materials whose lateness blocks approval")
    case: ApplicationDetail


class ApproveIn(Schema):
    valid_until: date | None = None
    scope: str = ""


class SupplementIn(Schema):
    materials: list[str]
    reason: str
    days: int = 5


class CodeIn(Schema):
    code: str


class SerialCheck(Schema):
    serial: str
    kind: str
    genuine: bool
    valid: bool
    expired: bool
    revoked: bool
    holder: str
    matter: Text
    department: Text
    scope: str
    valid_from: date
    valid_until: date | None
    issued_at: datetime
    sha256: str


class FileCheck(Schema):
    signed: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    problem: str
    genuine: bool
    serial: str


# --- reading ------------------------------------------------------------------------------


def _text(obj) -> dict:
    return {"en": obj.name_en, "zh": obj.name_zh}


def _page(rows, query: PageQuery, item) -> dict:
    count = rows.count() if isinstance(rows, QuerySet) else len(rows)
    start = (query.page - 1) * query.per_page
    items = [item(row) for row in rows[start : start + query.per_page]]
    return {"count": count, "page": query.page, "per_page": query.per_page, "items": items}


def _summary(a: Application) -> dict:
    return {"number": a.number, "state": a.state, "title": {"en": a.title_en, "zh": a.title_zh},
            "created_at": a.created_at, "submitted_at": a.submitted_at,
            "updated_at": a.updated_at}  # fmt: skip


def _detail(application: Application, user) -> dict:
    mine = application.applicant_id == user.pk
    if not mine:
        record_read(user, application, sorted(application.data) or ["data"])
    tasks = list(application.matters.select_related("matter", "department"))
    return {
        **_summary(application),
        **{k: getattr(application, k) for k in ("scenario", "counter", "expires_at",
           "commitment_at", "accepted_at", "decided_at", "issued_at", "reason", "data")},
        "centre": _text(application.centre),
        "fields": _fields(application),
        "materials": _materials(application, mine),
        "matters": [_matter(task) for task in tasks],
        "supplements": [_supplement(s) for s in _supplements(application)],
        "messages": _notes(application, user),
        "delivery": _delivery(application, mine),
        "issued": [_issued(d) for d in _issued_of(application)],
        "rating": _rating(application),
        "timeline": [{**m, "matter": m["matter"] and m["matter"].code}
                     for m in services.timeline(application)],
        "actions": _actions(application, user),
    }  # fmt: skip


def _fields(application: Application) -> list[dict]:
    return [
        {"key": f.key, "label": dict(zip(("en", "zh"), both(f.label), strict=True)),
         "required": f.required, "value": str(application.data.get(f.key, ""))}
        for f in services.fields_for(application)
    ]  # fmt: skip


def _supplements(application: Application) -> QuerySet[SupplementRequest]:
    return SupplementRequest.objects.filter(task__application=application).select_related(
        "task__matter"
    )


def _materials(application: Application, mine: bool) -> list[dict]:
    draft = application.state in states.EDITABLE
    offers = services.vault_offers(application) if mine and draft else {}
    requested = {
        k for s in _supplements(application).filter(answered_at__isnull=True)
        for k in s.material_keys
    }  # fmt: skip
    return [
        {"key": m.key, "name": _text(m), "evidence": m.evidence, "principal": m.principal,
         "matters": m.matter_codes, "originals": m.originals, "copies": m.copies,
         "status": m.status, "due_on": m.due_on, "document": m.document_id,
         "reused": m.reused, "supplied_at": m.supplied_at, "requested": m.key in requested,
         "offers": [d.pk for d in offers.get(m.key, [])]}
        for m in application.materials.all()
    ]  # fmt: skip


def _matter(task: ApplicationMatter) -> dict:
    return {
        "task": task.pk, "code": task.matter.code, "name": _text(task.matter),
        "department": {"code": task.department.code, "name": _text(task.department)},
        "state": task.state, "started_on": task.started_on, "due_on": task.due_on,
        "clock": services.clock(task), "reason": task.reason, "result": task.result,
    }  # fmt: skip


def _supplement(s: SupplementRequest) -> dict:
    return {"id": s.pk, "task": s.task_id, "matter": s.task.matter.code,
            "materials": s.material_keys, "reason": s.reason, "due_on": s.due_on,
            "requested_at": s.requested_at, "answered_at": s.answered_at,
            "answer": s.answer}  # fmt: skip


def _notes(application: Application, user) -> list[dict]:
    notes = application.notes.select_related("author", "application")
    if not access.may_see_staff_notes(user, application):
        notes = notes.filter(kind=Note.Kind.MESSAGE)
    return [_note(n) for n in notes]


def _note(n: Note) -> dict:
    return {"id": n.pk, "kind": n.kind, "task": n.task_id, "author": n.author.display_name,
            "from_applicant": n.author_id == n.application.applicant_id, "body": n.body,
            "created_at": n.created_at}  # fmt: skip


def _delivery(application: Application, mine: bool) -> dict:
    parcel = Delivery.objects.filter(application=application).first()
    if parcel is None:
        return {"method": application.delivery_method, "address": application.delivery_address,
                "state": None, "pickup_code": None, "carrier": "", "tracking_number": "",
                "events": []}  # fmt: skip
    return {"method": parcel.method, "address": parcel.address, "state": parcel.state,
            "pickup_code": parcel.pickup_code if mine else None, "carrier": parcel.carrier,
            "tracking_number": parcel.tracking_number, "events": parcel.events}  # fmt: skip


def _issued_of(application: Application) -> QuerySet[IssuedDocument]:
    return IssuedDocument.objects.filter(task__application=application).select_related(
        "task__matter"
    )


def _issued(d: IssuedDocument) -> dict:
    return {"serial": d.serial, "kind": d.kind, "matter": d.task.matter.code,
            "valid_from": d.valid_from, "valid_until": d.valid_until, "issued_at": d.issued_at,
            "revoked": d.revoked_at is not None}  # fmt: skip


def _rating(application: Application) -> dict | None:
    if application.rating is None:
        return None
    return {"stars": application.rating, "comment": application.rating_comment}


# Who takes each move of the application machine; the moves themselves come from ``states``.
_ACTORS = {"submit": "applicant", "withdraw": "applicant", "accept": "counter",
           "reject": "counter", "issue": "issuer"}  # fmt: skip


def _actions(application: Application, user) -> list[str]:
    roles = {
        "applicant": application.applicant_id == user.pk,
        "counter": services.may_accept(user, application),
        "issuer": access.is_centre_staff(user, application),
    }
    found = ["edit"] if roles["applicant"] and application.state in states.EDITABLE else []
    moves = states.APPLICATION.allowed(application.state)
    return found + [m for m in moves if roles.get(_ACTORS.get(m, ""), False)]


def _review(task: ApplicationMatter) -> dict:
    a = task.application
    return {"id": task.pk, "application": a.number, "title": {"en": a.title_en, "zh": a.title_zh},
            "matter": task.matter.code, "matter_name": _text(task.matter),
            "department": task.department.code, "state": task.state,
            "started_on": task.started_on, "due_on": task.due_on,
            "clock": services.clock(task)}  # fmt: skip


def _review_detail(task: ApplicationMatter, user) -> dict:
    task = ApplicationMatter.objects.select_related("application", "matter", "department").get(
        pk=task.pk
    )
    return {**_review(task), "reason": task.reason, "result": task.result,
            "overdue_tolerated": [m.key for m in services.overdue_tolerated(task)],
            "case": _detail(task.application, user)}  # fmt: skip


def _findings(findings) -> list[dict]:
    return [{"level": f.level, "message": f.message, "field": f.field, "material": f.material,
             "matters": list(f.matters)} for f in findings]  # fmt: skip


FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The file, as an attachment",
            "content": {
                t: {"schema": {"type": "string", "format": "binary"}}
                for t in ("application/pdf", "image/jpeg", "image/png")
            },
        }
    }
}

# The file is optional in the signature only so that one dropped for its size (see
# ``uploads.LimitedUploadHandler``) is answered with 413 and the reason: clients must send it.
FILE_REQUIRED = {
    "requestBody": {"content": {"multipart/form-data": {"schema": {"required": ["file"]}}}}
}
ONLY_THE_PDF = {
    "requestBody": {"content": {"multipart/form-data": {"schema": {
        "required": ["file"], "additionalProperties": False,
        "properties": {"file": {"minLength": 1, "description": "The PDF, as issued"}},
    }}}}
}  # fmt: skip


# --- applicants -------------------------------------------------------------------------


class ApplicationQuery(PageQuery):
    state: ApplicationState | None = None


@router.get(
    "/applications",
    response={200: ApplicationPage, **READ},
    summary="Applications: the applicant's own, or those the staff role reaches",
)
def list_applications(request: HttpRequest, query: Query[ApplicationQuery]):
    rows = access.visible_applications(request.user).order_by("-created_at", "-pk")
    if query.state:
        rows = rows.filter(state=query.state)
    return _page(rows, query, _summary)


@router.post(
    "/applications",
    response={201: ApplicationDetail, **WRITE, 503: Problem},
    summary="Start an application from a guidance sheet or for one matter",
)
def start(request: HttpRequest, body: StartIn):
    if bool(body.sheet) == bool(body.matter):
        errors = [{"field": "sheet", "message": "give a sheet or a matter, not both"}]
        return problem(request, 422, "Give either a sheet token or a matter code.", errors=errors)
    version = public_version()
    if body.sheet:
        application = _start_from_sheet(request.user, version, body.sheet)
    else:
        matter = Matter.objects.filter(version=version, code=body.matter).first()
        if matter is None:
            raise CaseError("No such matter in the published catalogue.", "matter")
        application = services.start_from_matter(request.user, matter)
    return Status(201, _detail(application, request.user))


def _start_from_sheet(user, version, token: str) -> Application:
    try:
        guide = current_guide()
    except ContentErrors as errors:
        raise HttpError(503, "The guidance is being updated; try again shortly.") from errors
    found = read_sheet_token(token)
    if guide is None or found is None or found[0] not in guide.scenarios:
        raise CaseError("This sheet link has expired: please answer the questions again.",
                        "sheet")  # fmt: skip
    plan = guide.resolve(guide.scenarios[found[0]], found[1])
    if not plan.complete:
        raise CaseError("Answer every question of the sheet before applying.", "sheet")
    return services.start_from_plan(user, version, guide, plan)


@router.get(
    "/applications/{number}",
    response={200: ApplicationDetail, **READ},
    summary="One application, as the signed-in person may see it",
)
def get_application(request: HttpRequest, number: str):
    return _detail(access.application_for(request.user, number), request.user)


@router.put(
    "/applications/{number}/data",
    response={200: DataOut, **WRITE, 422: DataProblem},
    summary="Save the shared data; invalid fields are named but kept",
)
def save_data(request: HttpRequest, number: str, body: DataIn):  # type: ignore[valid-type]
    application = access.own_application(request.user, number)
    errors = services.save_data(application, request.user, body.dict())
    if errors:
        listed = [{"field": k, "message": str(v)} for k, v in errors.items()]
        return problem(request, 422, "Some fields are not valid; what you typed is saved.",
                       errors=listed, data=application.data)  # fmt: skip
    return {"data": application.data}


@router.post(
    "/applications/{number}/materials",
    response={201: CaseMaterial, **WRITE, 413: CaseProblem},
    openapi_extra=FILE_REQUIRED,
    summary="Upload a file (PDF, JPEG, PNG) for a material line",
)
def upload(
    request: HttpRequest,
    number: str,
    material: Form[str],
    file: File[UploadedFile] = None,  # type: ignore[assignment]
    valid_until: Form[date | None] = None,
):
    application = access.own_application(request.user, number)
    too_large = getattr(request, "upload_errors", {}).get("file")
    if too_large:
        return problem(request, 413, str(too_large), field="file")
    if file is None:
        raise CaseError("Choose a file to upload.", "file")
    services.upload(application, request.user, material, file, file.name, valid_until)
    return Status(201, _line(application, material))


def _line(application: Application, key: str) -> dict:
    return next(m for m in _materials(application, True) if m["key"] == key)


@router.post(
    "/applications/{number}/reuse",
    response={200: CaseMaterial, **WRITE},
    summary="Reuse a document of the vault for a material line (consent)",
)
def reuse(request: HttpRequest, number: str, body: ReuseIn):
    application = access.own_application(request.user, number)
    services.reuse(application, request.user, body.material, body.document)
    return _line(application, body.material)


@router.delete(
    "/applications/{number}/materials",
    response={200: CaseMaterial, **WRITE},
    summary="Take the document off a material line of a draft",
)
def remove_document(request: HttpRequest, number: str, material: str):
    application = access.own_application(request.user, number)
    services.remove_document(application, request.user, material)
    return _line(application, material)


@router.put(
    "/applications/{number}/delivery",
    response={200: DeliveryOut, **WRITE},
    summary="Choose pickup or post for the results",
)
def set_delivery(request: HttpRequest, number: str, body: DeliveryIn):
    application = access.own_application(request.user, number)
    services.set_delivery(application, request.user, body.method, body.address)
    return _delivery(application, True)


@router.get(
    "/applications/{number}/precheck",
    response={200: list[Finding], **READ},
    summary="What would stop this application at the counter",
)
def precheck(request: HttpRequest, number: str):
    return _findings(services.precheck(access.own_application(request.user, number)))


@router.post(
    "/applications/{number}/submit",
    response={200: SubmitOut, **WRITE, 409: SubmitProblem},
    summary="Submit; blocked (409) with the findings when the pre-check fails",
)
def submit(request: HttpRequest, number: str, body: SubmitIn):
    application = access.own_application(request.user, number)
    findings = services.submit(application, request.user, commitment=body.commitment)
    application.refresh_from_db()
    if any(f.level == "error" for f in findings):
        return problem(request, 409, "The pre-check found problems: correct them and submit "
                       "again.", findings=_findings(findings))  # fmt: skip
    return {"number": number, "state": application.state, "findings": _findings(findings)}


@router.post(
    "/applications/{number}/withdraw",
    response={200: ApplicationDetail, **WRITE},
    summary="Withdraw a submitted application",
)
def withdraw(request: HttpRequest, number: str, body: ReasonIn):
    application = access.own_application(request.user, number)
    services.withdraw(application, request.user, body.reason)
    application.refresh_from_db()
    return _detail(application, request.user)


@router.post(
    "/applications/{number}/supplements/{request_id}/answer",
    response={200: Supplement, **WRITE},
    summary="Say the requested materials are supplied: the clock runs again",
)
def answer_supplement(request: HttpRequest, number: str, request_id: int, body: AnswerIn):
    application = access.own_application(request.user, number)
    services.answer_supplement(application, request.user, request_id, body.answer)
    return _supplement(_supplements(application).get(pk=request_id))


@router.post(
    "/applications/{number}/messages",
    response={201: NoteOut, **WRITE},
    summary="A message between the applicant and the staff",
)
def add_message(request: HttpRequest, number: str, body: BodyIn):
    application = access.application_for(request.user, number)
    note = services.add_note(application, request.user, Note.Kind.MESSAGE, body.body)
    return Status(201, _note(note))


@router.post(
    "/applications/{number}/rating",
    response={200: Rating, **WRITE},
    summary="Rate the service once the results are issued",
)
def rate(request: HttpRequest, number: str, body: RatingIn):
    application = access.own_application(request.user, number)
    services.rate(application, request.user, body.stars, body.comment)
    return _rating(application)


@router.get(
    "/applications/{number}/issued/{serial}",
    response=READ,
    openapi_extra=FILE_RESPONSE,
    summary="Download an issued certificate or decision letter",
)
def issued_pdf(request: HttpRequest, number: str, serial: str):
    application = access.application_for(request.user, number)
    found = _issued_of(application).filter(serial=serial).first()
    if found is None:
        raise Http404("no such document")
    return stored_file_response(found.path, f"{found.serial}.pdf", "application/pdf")


@router.get(
    "/documents/{document_id}",
    response=READ,
    openapi_extra=FILE_RESPONSE,
    summary="Download a document: its owner, or staff reaching a case using it",
)
def download(request: HttpRequest, document_id: int):
    found = access.document_for(request.user, document_id)
    if found.owner_id != request.user.pk:
        record_read(request.user, found, ["file"])
    return stored_file_response(found.path, found.name, found.content_type)


@router.get(
    "/vault",
    response={200: list[VaultDocument], **READ},
    summary="The signed-in person's documents, uploaded and issued",
)
def vault(request: HttpRequest):
    documents = Document.objects.filter(owner=request.user)
    return [{f: getattr(d, f) for f in VaultDocument.model_fields} for d in documents]


@router.get(
    "/notifications",
    response={200: NotificationPage, **READ},
    summary="Notifications, newest first",
)
def notifications(request: HttpRequest, query: Query[PageQuery]):
    mine = Notification.objects.filter(user=request.user)
    rows = mine.select_related("application").order_by("-created_at", "-pk")
    unread = mine.filter(read_at__isnull=True).count()
    return {**_page(rows, query, _notification), "unread": unread}


def _notification(n: Notification) -> dict:
    return {"id": n.pk, "application": n.application and n.application.number,
            "text": {"en": n.text_en, "zh": n.text_zh}, "created_at": n.created_at,
            "read_at": n.read_at}  # fmt: skip


@router.post(
    "/notifications/read", response={200: ReadOut, **WRITE}, summary="Mark every notification read"
)
def read_notifications(request: HttpRequest):
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True)
    return {"read": unread.update(read_at=timezone.now())}


# --- staff --------------------------------------------------------------------------------


@router.get(
    "/acceptance",
    response={200: ApplicationPage, **READ},
    **STAFF,
    summary="The counter's queue: submitted applications of the clerk's centre",
)
def acceptance(request: HttpRequest, query: Query[PageQuery]):
    access.require(access.is_clerk(request.user))
    rows = access.visible_applications(request.user).filter(
        state="submitted", centre_id=request.user.centre_id
    )
    return _page(rows.order_by("submitted_at", "pk"), query, _summary)


@router.post(
    "/applications/{number}/accept",
    response={200: ApplicationDetail, **WRITE},
    **STAFF,
    summary="Accept at the window: the departments' clocks start",
)
def accept(request: HttpRequest, number: str):
    application = access.application_for(request.user, number)
    services.accept(application, request.user)
    return _detail(Application.objects.get(pk=application.pk), request.user)


@router.post(
    "/applications/{number}/reject",
    response={200: ApplicationDetail, **WRITE},
    **STAFF,
    summary="Do not accept, with the reason",
)
def reject(request: HttpRequest, number: str, body: ReasonIn):
    application = access.application_for(request.user, number)
    services.reject(application, request.user, body.reason)
    application.refresh_from_db()
    return _detail(application, request.user)


@router.get(
    "/reviews",
    response={200: ReviewPage, **READ},
    **STAFF,
    summary="The reviewer's inbox, soonest due first",
)
def reviews(request: HttpRequest, query: Query[ReviewQuery]):
    access.require(access.is_reviewer(request.user))
    tasks = access.review_tasks(request.user).select_related(
        "application", "matter", "department"
    ).order_by("due_on", "pk")  # fmt: skip
    if query.state:
        tasks = tasks.filter(state=query.state)
    if query.due:
        open_ = tasks.exclude(state__in=states.DECIDED)
        tasks = [t for t in open_ if services.clock(t)[query.due]]
    return _page(tasks, query, _review)


@router.get(
    "/reviews/{task_id}",
    response={200: ReviewDetail, **READ},
    **STAFF,
    summary="One review task with its application",
)
def review(request: HttpRequest, task_id: int):
    return _review_detail(access.task_for(request.user, task_id), request.user)


@router.post(
    "/reviews/{task_id}/approve",
    response={200: ReviewOut, **WRITE},
    **STAFF,
    summary="Approve the matter",
)
def approve(request: HttpRequest, task_id: int, body: ApproveIn):
    task = access.task_for(request.user, task_id)
    services.approve(task, request.user, valid_until=body.valid_until, scope=body.scope)
    return _review(access.task_for(request.user, task_id))


@router.post(
    "/reviews/{task_id}/refuse",
    response={200: ReviewOut, **WRITE},
    **STAFF,
    summary="Refuse the matter, with the reason and legal ground",
)
def refuse(request: HttpRequest, task_id: int, body: ReasonIn):
    task = access.task_for(request.user, task_id)
    services.refuse(task, request.user, body.reason)
    return _review(access.task_for(request.user, task_id))


@router.post(
    "/reviews/{task_id}/supplement",
    response={201: Supplement, **WRITE},
    **STAFF,
    summary="Ask for materials or a correction: the clock pauses",
)
def request_supplement(request: HttpRequest, task_id: int, body: SupplementIn):
    task = access.task_for(request.user, task_id)
    asked = services.request_supplement(
        task, request.user, material_keys=body.materials, reason=body.reason, days=body.days
    )
    return Status(201, _supplement(asked))


@router.post(
    "/reviews/{task_id}/comment",
    response={201: NoteOut, **WRITE},
    **STAFF,
    summary="A comment for the other departments on the case",
)
def comment(request: HttpRequest, task_id: int, body: BodyIn):
    return Status(201, _staff_note(request, task_id, Note.Kind.COMMENT, body.body))


@router.post(
    "/reviews/{task_id}/inspection",
    response={201: NoteOut, **WRITE},
    **STAFF,
    summary="The record of a site inspection",
)
def inspection(request: HttpRequest, task_id: int, body: BodyIn):
    return Status(201, _staff_note(request, task_id, Note.Kind.INSPECTION, body.body))


def _staff_note(request: HttpRequest, task_id: int, kind: str, body: str) -> dict:
    task = access.task_for(request.user, task_id)
    return _note(services.add_note(task.application, request.user, kind, body, task=task))


@router.post(
    "/applications/{number}/issue",
    response={200: list[IssuedOut], **WRITE},
    **STAFF,
    summary="Issue every result together and start the delivery",
)
def issue(request: HttpRequest, number: str):
    application = access.application_for(request.user, number)
    issuing.issue(application, request.user)
    return [_issued(d) for d in _issued_of(application)]


@router.post(
    "/applications/{number}/collect",
    response={200: DeliveryOut, **WRITE},
    **STAFF,
    summary="Hand the results over at the counter against the pickup code",
)
def collect(request: HttpRequest, number: str, body: CodeIn):
    application = access.application_for(request.user, number)
    delivery.collect(application, request.user, body.code)
    return _delivery(application, False)


@router.post(
    "/applications/{number}/track",
    response={200: DeliveryOut, **WRITE},
    **STAFF,
    summary="Ask the carrier where the results are",
)
def track(request: HttpRequest, number: str):
    application = access.application_for(request.user, number)
    delivery.refresh(application, request.user)
    return _delivery(application, False)


# --- public -------------------------------------------------------------------------------


@router.get(
    "/verify/{serial}",
    response={200: SerialCheck, 404: Problem, 422: Problem},
    **PUBLIC,
    summary="Is this certificate genuine and valid? (the QR code)",
)
def verify_serial(request: HttpRequest, serial: str):
    found = issuing.check_serial(serial)
    if found is None:
        raise Http404("no such serial")
    return found


@router.post(
    "/verify",
    response={200: FileCheck, 413: Problem, 422: Problem},
    **PUBLIC,
    openapi_extra=ONLY_THE_PDF,
    summary="Check an issued PDF: signature intact and issued by tongban",
)
def verify_file(request: HttpRequest, file: File[UploadedFile] = None):  # type: ignore[assignment]
    too_large = getattr(request, "upload_errors", {}).get("file")
    if too_large:
        return problem(request, 413, str(too_large))
    if set(request.POST) | (set(request.FILES) - {"file"}):
        return problem(request, 422, "Send the PDF file only.",
                       errors=[{"field": None, "message": "unexpected fields"}])  # fmt: skip
    if file is None:
        return problem(request, 422, "Choose the PDF file to check.",
                       errors=[{"field": "file", "message": "required"}])  # fmt: skip
    return issuing.check_file(b"".join(file.chunks()))

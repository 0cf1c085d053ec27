"""The API's request and response schemas, its problems and its page of results."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import create_model

from tongban.ratings.schemas import RatingOut
from tongban.schemas import Problem

from .. import states
from ..models import Delivery
from ..services import FIELDS

ApplicationState = Literal[tuple(sorted(states.APPLICATION.states))]  # type: ignore[valid-type]
ReviewState = Literal[tuple(sorted(states.REVIEW.states))]  # type: ignore[valid-type]
DeliveryMethod = Literal[tuple(Delivery.Method.values)]  # type: ignore[valid-type]


# --- pages ----------------------------------------------------------------------------------


class Pages(PaginationBase):
    """``?page=&per_page=`` (at most 50) answered as {count, page, per_page, items}; each
    row is turned into its schema's dict by ``item``."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        per_page: int = Field(50, ge=1, le=50)

    class Output(Schema):
        count: int
        page: int
        per_page: int
        items: list[Any]

    def __init__(self, item, **kwargs):
        super().__init__(**kwargs)
        self.item = item

    def paginate_queryset(self, queryset, pagination: Input, **params) -> dict:
        start = (pagination.page - 1) * pagination.per_page
        rows = queryset[start : start + pagination.per_page]
        items = [self.item(row) for row in rows]
        return {"count": self._items_count(queryset), "page": pagination.page,
                "per_page": pagination.per_page, "items": items}  # fmt: skip


class NotificationPages(Pages):
    """A page of notifications, with how many of all of them are unread."""

    class Output(Pages.Output):
        unread: int

    def paginate_queryset(self, queryset, pagination: Pages.Input, **params) -> dict:
        unread = queryset.filter(read_at__isnull=True).count()
        return {**super().paginate_queryset(queryset, pagination, **params), "unread": unread}


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


READ = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE = {**READ, 409: CaseProblem, 422: CaseProblem}


class Text(Schema):
    en: str
    zh: str


class Summary(Schema):
    number: str
    state: str
    title: Text
    created_at: datetime
    submitted_at: datetime | None
    updated_at: datetime


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
    optional: bool = Field(description='"If it applies": added by the applicant or asked for '
                           "by a reviewer, never required by the pre-check")  # fmt: skip
    matters: list[str]
    originals: int
    copies: int
    status: str
    from_matter: str = Field(
        description="The matter of this application whose result serves this line (awaited)"
    )
    due_on: date | None = Field(description="When a tolerated material is due")
    document: int | None = Field(description="The vault document serving this line")
    reused: bool
    supplied_at: datetime | None
    requested: bool = Field(description="Asked for in an open supplement request")
    offers: list[int] = Field(description="Vault documents that could be reused (drafts)")


class OptionalOut(Schema):
    key: str = Field(description="Upload or reuse a document with this material key")
    name: Text
    evidence: str
    note: Text | None
    matters: list[str] = Field(description="The matters asking for it if it applies")
    originals: int
    copies: int


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


class Beneficiary(Schema):
    relation: str = Field(description="self, or the family member the applicant acts for")
    name: str
    id_number: str = Field(description="Masked")
    district: str | None = Field(description="Their household registration district's code")


class InstantRefusal(Schema):
    matter: str = Field(description="The code of an instant matter of the application")
    reason: str = Field(description="The reason and legal ground, for the applicant")


class AcceptIn(Schema):
    refuse: list[InstantRefusal] = Field(
        default=[],
        description="Instant matters the clerk refuses on accepting; the others are approved",
    )


class CaseMatter(Schema):
    task: int = Field(description="The review task's id")
    code: str
    name: Text
    kind: str = Field(
        description="instant: decided at acceptance by the accepting clerk; "
        "promised: reviewed by its department within the promised days"
    )
    city_wide: bool = Field(description="Decided in the beneficiary's registration district")
    beneficiary: Beneficiary
    department: DepartmentRef
    lead: bool = Field(description="False for a co-implementing department's task")
    after: list[str] = Field(description="Matters of this application whose results it waits for")
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


class OverdueSupplement(Schema):
    kind: Literal["material", "request"] = Field(description="A tolerated material, or a "
                                                 "reviewer's supplement request")  # fmt: skip
    material: str | None = Field(description="The material line's key (kind material)")
    request: int | None = Field(description="The supplement request's id (kind request)")
    matters: list[str] = Field(description="The matters it is for")
    due_on: date
    consequence: Literal["escalate", "lapse"] = Field(
        description="What follows (TONGBAN_SUPPLEMENT_OVERDUE, docs/case-rules.md)"
    )
    ends_after: date | None = Field(
        description="Lapse: the last day it may be supplied; the matters end as withdrawn after"
    )
    escalated_at: datetime | None = Field(description="Escalate: when the centre was told")


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
    post_offered: bool = Field(description="Whether every matter's result may be sent by post")


class IssuedOut(Schema):
    serial: str
    kind: str
    title: Text = Field(description="The result's name, or the refusal letter's title")
    matter: str
    valid_from: date = Field(description="The issue date")
    valid_until: date | None
    issued_at: datetime
    revoked: bool
    revoked_at: datetime | None
    ready: bool = Field(description="False while the signed PDF is being prepared")


class FeeLine(Schema):
    matter: str
    name: Text
    amount: Decimal


class FeesOut(Schema):
    amount: Decimal = Field(description="Yuan due for the approved matters")
    state: str = Field(description="due or paid; results are issued once paid")
    lines: list[FeeLine]
    receipt: str
    reference: str
    paid_at: datetime | None


class Move(Schema):
    at: datetime
    action: str
    state: str
    matter: str | None


class ApplicationDetail(Summary):
    scenario: str
    counter: str
    centre: Text
    centre_code: str
    expires_at: datetime | None
    commitment_at: datetime | None
    accepted_at: datetime | None
    decided_at: datetime | None
    issued_at: datetime | None
    reason: str
    data: dict[str, str]
    fields: list[FieldOut]
    materials: list[CaseMaterial]
    optional_materials: list[OptionalOut] = Field(
        description='Materials "if it applies" the applicant may add until the decision'
    )
    matters: list[CaseMatter]
    supplements: list[Supplement]
    overdue_supplements: list[OverdueSupplement] = Field(
        description="Supplements past their due date: the case shows 'supplement overdue'"
    )
    messages: list[NoteOut] = Field(description="Applicants see messages; staff all notes")
    delivery: DeliveryOut
    fees: FeesOut | None = Field(description="Null when nothing is due")
    issued: list[IssuedOut]
    rating: RatingOut | None = Field(description="The applicant's grade (好差评), once rated")
    timeline: list[Move]
    actions: list[str] = Field(description="What the signed-in person may do now")


class BeneficiaryIn(Schema):
    relation: str = Field(description="self, spouse, child, parent or other")
    name: str = ""
    id_number: str = ""
    district: str = Field("", description="A district's administrative code, e.g. 310113")


class MatterIn(Schema):
    matter: str = Field(description="The code of a city-wide matter of the same catalogue")


class CentreIn(Schema):
    centre: str = Field(description="A centre's code, one of the choices")


class CentreOut(Schema):
    code: str
    name: Text
    kind: str


class CentreChoices(Schema):
    centre: CentreOut
    choices: list[CentreOut]


class StartIn(Schema):
    sheet: str | None = Field(None, description="A guidance sheet's token: all its matters")
    matter: str | None = Field(None, description="Or one matter's code")


# The shared data, one string per field of ``services.FIELDS``; fields that are not for
# this applicant are ignored, a missing field is saved empty.
DataIn = create_model("DataIn", __base__=Schema, **{f.key: (str, "") for f in FIELDS})


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


class ReadOut(Schema):
    read: int


class ReviewQuery(Schema):
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
    supplement_overdue: bool = Field(
        False, description="A supplement this matter waits for is past its due date"
    )


class ReviewDetail(ReviewOut):
    reason: str
    result: dict[str, Any]
    overdue_tolerated: list[str] = Field(description="Materials whose lateness blocks approval")
    case: ApplicationDetail


class ApproveIn(Schema):
    valid_until: date | None = None
    scope: str = ""
    fee: Decimal | None = Field(
        None, ge=0, description="Yuan due; needed when the catalogue lists several fees or a "
        "varying amount, else the catalogue's",
    )  # fmt: skip


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
    ready: bool = Field(description="False while the signed PDF is being prepared")
    sha256: str = Field(description="Of the signed PDF; empty while it is being prepared")


class FileCheck(Schema):
    signed: bool
    intact: bool
    trusted: bool
    covers_whole_file: bool
    problem: str
    genuine: bool
    serial: str


class ApplicationQuery(Schema):
    state: ApplicationState | None = None


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

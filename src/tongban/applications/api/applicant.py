"""The applicant's side of the API: apply, supply, follow; their documents and notices."""

from datetime import date

from django.http import Http404, HttpRequest
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import django_auth

from tongban.audit.services import record_read
from tongban.catalogue.models import Matter
from tongban.catalogue.queries import public_version
from tongban.guidance.services import GuidanceUnavailable
from tongban.notifications.models import Notification
from tongban.notifications.services import mark_all_read
from tongban.problems import problem
from tongban.ratings.schemas import RatingIn, RatingOut, rating_out
from tongban.schemas import Problem

from .. import access, payments, selectors, services
from ..models import Document, Note
from ..services import CaseError
from ..uploads import stored_file_response
from . import mappers
from .schemas import (
    FILE_REQUIRED,
    FILE_RESPONSE,
    READ,
    WRITE,
    AnswerIn,
    ApplicationDetail,
    ApplicationQuery,
    BeneficiaryIn,
    BodyIn,
    CaseMaterial,
    CaseMatter,
    CaseProblem,
    CentreChoices,
    CentreIn,
    DataIn,
    DataOut,
    DataProblem,
    DeliveryIn,
    DeliveryOut,
    FeesOut,
    Finding,
    MatterIn,
    NoteOut,
    NotificationOut,
    NotificationPages,
    Pages,
    ReadOut,
    ReasonIn,
    ReuseIn,
    StartIn,
    SubmitIn,
    SubmitOut,
    SubmitProblem,
    Summary,
    Supplement,
    VaultDocument,
)

router = Router(tags=["applications"], auth=django_auth)


@router.get(
    "/applications",
    response={200: list[Summary], **READ},
    summary="Applications: the applicant's own, or those the staff role reaches",
)
@paginate(Pages, item=mappers.summary)
def list_applications(request: HttpRequest, query: Query[ApplicationQuery]):
    rows = access.visible_applications(request.user).order_by("-created_at", "-pk")
    if query.state:
        rows = rows.filter(state=query.state)
    return rows


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
        try:
            application = services.start_from_sheet(request.user, version, body.sheet)
        except GuidanceUnavailable as error:
            raise HttpError(503, "The guidance is being updated; try again shortly.") from error
    else:
        matter = Matter.objects.filter(version=version, code=body.matter).first()
        if matter is None:
            raise CaseError("No such matter in the published catalogue.", "matter")
        application = services.start_from_matter(request.user, matter)
    return Status(201, mappers.detail(application, request.user))


@router.get(
    "/applications/{number}",
    response={200: ApplicationDetail, **READ},
    summary="One application, as the signed-in person may see it",
)
def get_application(request: HttpRequest, number: str):
    return mappers.detail(access.application_for(request.user, number), request.user)


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
    summary="Upload a file (PDF, JPEG, PNG) for a material line, or add one if it applies",
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
    return Status(201, mappers.line(application, material))


@router.post(
    "/applications/{number}/reuse",
    response={200: CaseMaterial, **WRITE},
    summary="Reuse a document of the vault for a material line (consent)",
)
def reuse(request: HttpRequest, number: str, body: ReuseIn):
    application = access.own_application(request.user, number)
    services.reuse(application, request.user, body.material, body.document)
    return mappers.line(application, body.material)


@router.delete(
    "/applications/{number}/materials",
    response={200: CaseMaterial, **WRITE},
    summary="Take the document off a material line of a draft",
)
def remove_document(request: HttpRequest, number: str, material: str):
    application = access.own_application(request.user, number)
    services.remove_document(application, request.user, material)
    return mappers.line(application, material)


@router.put(
    "/applications/{number}/delivery",
    response={200: DeliveryOut, **WRITE},
    summary="Choose pickup or post for the results",
)
def set_delivery(request: HttpRequest, number: str, body: DeliveryIn):
    application = access.own_application(request.user, number)
    services.set_delivery(application, request.user, body.method, body.address)
    return mappers.delivery(application, True)


def _case_matter(application, code: str) -> dict:
    task = application.matters.select_related("matter", "department").get(matter__code=code)
    return mappers.matter(task)


@router.post(
    "/applications/{number}/matters",
    response={201: CaseMatter, **WRITE},
    summary="Add a city-wide matter to a draft, e.g. for a family member",
)
def add_matter(request: HttpRequest, number: str, body: MatterIn):
    application = access.own_application(request.user, number)
    services.add_matter(application, request.user, body.matter)
    return Status(201, _case_matter(application, body.matter))


@router.put(
    "/applications/{number}/matters/{code}/beneficiary",
    response={200: CaseMatter, **WRITE},
    summary="Say whom a matter is for: the applicant, or a family member they act for",
)
def set_beneficiary(request: HttpRequest, number: str, code: str, body: BeneficiaryIn):
    application = access.own_application(request.user, number)
    services.set_beneficiary(application, request.user, code, body.relation, name=body.name,
                             id_number=body.id_number, district=body.district)  # fmt: skip
    return _case_matter(application, code)


@router.get(
    "/applications/{number}/centre",
    response={200: CentreChoices, **READ},
    summary="Where the application is handed in, and where else it may go",
)
def get_centre(request: HttpRequest, number: str):
    return mappers.centres(access.own_application(request.user, number))


@router.put(
    "/applications/{number}/centre",
    response={200: CentreChoices, **WRITE},
    summary="Hand in at another centre: any community centre when every matter is city-wide",
)
def choose_centre(request: HttpRequest, number: str, body: CentreIn):
    application = access.own_application(request.user, number)
    services.choose_centre(application, request.user, body.centre)
    application.refresh_from_db()
    return mappers.centres(application)


@router.get(
    "/applications/{number}/precheck",
    response={200: list[Finding], **READ},
    summary="What would stop this application at the counter",
)
def precheck(request: HttpRequest, number: str):
    return mappers.findings(services.precheck(access.own_application(request.user, number)))


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
                       "again.", findings=mappers.findings(findings))  # fmt: skip
    return {"number": number, "state": application.state, "findings": mappers.findings(findings)}


@router.post(
    "/applications/{number}/withdraw",
    response={200: ApplicationDetail, **WRITE},
    summary="Withdraw a submitted application",
)
def withdraw(request: HttpRequest, number: str, body: ReasonIn):
    application = access.own_application(request.user, number)
    services.withdraw(application, request.user, body.reason)
    application.refresh_from_db()
    return mappers.detail(application, request.user)


@router.post(
    "/applications/{number}/supplements/{request_id}/answer",
    response={200: Supplement, **WRITE},
    summary="Say the requested materials are supplied: the clock runs again",
)
def answer_supplement(request: HttpRequest, number: str, request_id: int, body: AnswerIn):
    application = access.own_application(request.user, number)
    services.answer_supplement(application, request.user, request_id, body.answer)
    return mappers.supplement(selectors.supplements_of(application).get(pk=request_id))


@router.post(
    "/applications/{number}/messages",
    response={201: NoteOut, **WRITE},
    summary="A message between the applicant and the staff",
)
def add_message(request: HttpRequest, number: str, body: BodyIn):
    application = access.application_for(request.user, number)
    note = services.add_note(application, request.user, Note.Kind.MESSAGE, body.body)
    return Status(201, mappers.note(note))


@router.post(
    "/applications/{number}/pay",
    response={200: FeesOut, **WRITE},
    summary="Pay the fees due (demo payment backend); returns the receipt",
)
def pay(request: HttpRequest, number: str):
    application = access.own_application(request.user, number)
    payments.pay(application, request.user)
    return mappers.fees(selectors.payment_of(application))


@router.post(
    "/applications/{number}/rating",
    response={200: RatingOut, **WRITE},
    summary="Rate the service once the results are issued: one of the five grades (好差评), "
    "once per application",
)
def rate(request: HttpRequest, number: str, body: RatingIn):
    application = access.own_application(request.user, number)
    return rating_out(services.rate(application, request.user, body.grade, body.reasons,
                                    body.comment))  # fmt: skip


@router.get(
    "/applications/{number}/issued/{serial}",
    response={**READ, 409: Problem},
    openapi_extra=FILE_RESPONSE,
    summary="Download an issued certificate or decision letter (409 while being prepared)",
)
def issued_pdf(request: HttpRequest, number: str, serial: str):
    application = access.application_for(request.user, number)
    found = selectors.issued_of(application).filter(serial=serial).first()
    if found is None:
        raise Http404("no such document")
    if not found.ready:
        response = problem(request, 409, "The PDF is being prepared: try again in a minute.")
        response["Retry-After"] = "60"
        return response
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
    response={200: list[NotificationOut], **READ},
    summary="Notifications, newest first",
)
@paginate(NotificationPages, item=mappers.notification)
def notifications(request: HttpRequest):
    mine = Notification.objects.filter(user=request.user)
    return mine.select_related("application").order_by("-created_at", "-pk")


@router.post(
    "/notifications/read", response={200: ReadOut, **WRITE}, summary="Mark every notification read"
)
def read_notifications(request: HttpRequest):
    return {"read": mark_all_read(request.user)}

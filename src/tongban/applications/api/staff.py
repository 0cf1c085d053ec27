"""The staff side of the API: accept at the counter, review, issue, hand over."""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate
from ninja.security import django_auth

from .. import access, delivery, issuing, selectors, services
from ..models import Application, Note
from ..services import clocks
from . import mappers
from .schemas import (
    READ,
    WRITE,
    AcceptIn,
    ApplicationDetail,
    ApproveIn,
    BodyIn,
    CodeIn,
    DeliveryOut,
    IssuedOut,
    NoteOut,
    Pages,
    ReasonIn,
    ReviewDetail,
    ReviewOut,
    ReviewQuery,
    Summary,
    Supplement,
    SupplementIn,
)

router = Router(tags=["staff"], auth=django_auth)


@router.get(
    "/acceptance",
    response={200: list[Summary], **READ},
    summary="The counter's queue: submitted applications of the clerk's centre and counter",
)
@paginate(Pages, item=mappers.summary)
def acceptance(request: HttpRequest):
    return selectors.acceptance_queue(request.user)


@router.post(
    "/applications/{number}/accept",
    response={200: ApplicationDetail, **WRITE},
    summary="Accept at the window: the departments' clocks start; instant matters are decided",
)
def accept(request: HttpRequest, number: str, body: AcceptIn | None = None):
    application = access.application_for(request.user, number)
    refusals = {r.matter: r.reason for r in body.refuse} if body else {}
    services.accept(application, request.user, refusals)
    return mappers.detail(Application.objects.get(pk=application.pk), request.user)


@router.post(
    "/applications/{number}/reject",
    response={200: ApplicationDetail, **WRITE},
    summary="Do not accept, with the reason",
)
def reject(request: HttpRequest, number: str, body: ReasonIn):
    application = access.application_for(request.user, number)
    services.reject(application, request.user, body.reason)
    application.refresh_from_db()
    return mappers.detail(application, request.user)


@router.get(
    "/reviews",
    response={200: list[ReviewOut], **READ},
    summary="The reviewer's inbox, soonest due first",
)
@paginate(Pages, item=mappers.review)
def reviews(request: HttpRequest, query: Query[ReviewQuery]):
    return selectors.review_tasks(request.user, clocks.today(), state=query.state, due=query.due)


@router.get(
    "/reviews/{task_id}",
    response={200: ReviewDetail, **READ},
    summary="One review task with its application",
)
def review(request: HttpRequest, task_id: int):
    return mappers.review_detail(access.task_for(request.user, task_id), request.user)


@router.post(
    "/reviews/{task_id}/approve",
    response={200: ReviewOut, **WRITE},
    summary="Approve the matter",
)
def approve(request: HttpRequest, task_id: int, body: ApproveIn):
    task = access.task_for(request.user, task_id)
    services.approve(task, request.user, valid_until=body.valid_until, scope=body.scope,
                     fee=body.fee)  # fmt: skip
    return mappers.review(access.task_for(request.user, task_id))


@router.post(
    "/reviews/{task_id}/refuse",
    response={200: ReviewOut, **WRITE},
    summary="Refuse the matter, with the reason and legal ground",
)
def refuse(request: HttpRequest, task_id: int, body: ReasonIn):
    task = access.task_for(request.user, task_id)
    services.refuse(task, request.user, body.reason)
    return mappers.review(access.task_for(request.user, task_id))


@router.post(
    "/reviews/{task_id}/supplement",
    response={201: Supplement, **WRITE},
    summary="Ask for materials or a correction: the clock pauses",
)
def request_supplement(request: HttpRequest, task_id: int, body: SupplementIn):
    task = access.task_for(request.user, task_id)
    asked = services.request_supplement(
        task, request.user, material_keys=body.materials, reason=body.reason, days=body.days
    )
    return Status(201, mappers.supplement(asked))


@router.post(
    "/reviews/{task_id}/comment",
    response={201: NoteOut, **WRITE},
    summary="A comment for the other departments on the case",
)
def comment(request: HttpRequest, task_id: int, body: BodyIn):
    return Status(201, _staff_note(request, task_id, Note.Kind.COMMENT, body.body))


@router.post(
    "/reviews/{task_id}/inspection",
    response={201: NoteOut, **WRITE},
    summary="The record of a site inspection",
)
def inspection(request: HttpRequest, task_id: int, body: BodyIn):
    return Status(201, _staff_note(request, task_id, Note.Kind.INSPECTION, body.body))


def _staff_note(request: HttpRequest, task_id: int, kind: str, body: str) -> dict:
    task = access.task_for(request.user, task_id)
    return mappers.note(services.add_note(task.application, request.user, kind, body, task=task))


@router.post(
    "/applications/{number}/issue",
    response={200: list[IssuedOut], **WRITE},
    summary="Issue every result together and start the delivery",
)
def issue(request: HttpRequest, number: str):
    application = access.application_for(request.user, number)
    issuing.issue(application, request.user)
    return [mappers.issued(d) for d in selectors.issued_of(application)]


@router.post(
    "/certificates/{serial}/revoke",
    response={200: IssuedOut, **WRITE},
    summary="Revoke a certificate (its issuing department), with the reason; the holder is told",
)
def revoke(request: HttpRequest, serial: str, body: ReasonIn):
    document = access.issued_for(request.user, serial)
    return mappers.issued(issuing.revoke(document, request.user, body.reason))


@router.post(
    "/applications/{number}/collect",
    response={200: DeliveryOut, **WRITE},
    summary="Hand the results over at the counter against the pickup code",
)
def collect(request: HttpRequest, number: str, body: CodeIn):
    application = access.application_for(request.user, number)
    delivery.collect(application, request.user, body.code)
    return mappers.delivery(application, False)


@router.post(
    "/applications/{number}/track",
    response={200: DeliveryOut, **WRITE},
    summary="Ask the carrier where the results are",
)
def track(request: HttpRequest, number: str):
    application = access.application_for(request.user, number)
    delivery.refresh(application, request.user)
    return mappers.delivery(application, False)

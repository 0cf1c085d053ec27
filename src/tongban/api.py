"""The JSON API at /api/v1/. Every error leaves as a problem detail."""

import logging

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, HttpRequest
from django_ratelimit.exceptions import Ratelimited
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .accounts.api import router as accounts_router
from .applications.api import case_problem
from .applications.api import router as applications_router
from .catalogue.api import router as catalogue_router
from .core.moves import CaseError
from .guidance.api import router as guidance_router
from .hall.api import router as hall_router
from .problems import PROBLEM_CONTENT_TYPE, UNEXPECTED, problem
from .schemas import Problem

logger = logging.getLogger(__name__)


class TongbanAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Ids named after the app's ``api`` (module or package), so that generated clients
        keep their method names when an API module is split."""
        module = operation.view_func.__module__
        if ".api." in module:
            module = module[: module.index(".api.") + len(".api")]
        return f"{module}_{operation.view_func.__name__}".replace(".", "_")

    def get_openapi_schema(self, *args, **kwargs):
        """Errors are documented as what they are: application/problem+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    if str(status)[:1] in ("4", "5") and "content" in response:
                        bodies = list(response["content"].values())
                        response["content"] = {PROBLEM_CONTENT_TYPE: bodies[0]}
        return schema


api = TongbanAPI(
    title="tongban API",
    version="1",
    description="One network for all government services of a district: the service "
    "catalogue, smart guidance to one personal sheet, and online applications with "
    "collaborative review, issue and verification of certificates.",
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]) or None, "message": e.get("msg")}
        for e in exc.errors
    ]
    return problem(request, 422, "The request does not validate.", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return problem(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404):
    return problem(request, 404, "No such resource.")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return problem(request, 401, "Sign in first.")


@api.exception_handler(Ratelimited)
def _too_many(request: HttpRequest, exc: Ratelimited):
    response = problem(request, 429, "Too many requests: wait a minute and try again.")
    response["Retry-After"] = "60"
    return response


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    return problem(request, 403, "You may not do this.")


api.add_exception_handler(CaseError, case_problem)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception):
    logger.exception("API error on %s", request.path)
    return problem(request, 500, UNEXPECTED)


class Health(Schema):
    status: str
    database: str


@api.get(
    "/health",
    response={200: Health, 503: Problem},
    tags=["system"],
    summary="Is the service up and its database reachable?",
)
def health(request: HttpRequest):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unreachable")
        return problem(request, 503, "The database does not answer.")
    return {"status": "ok", "database": "ok"}


api.add_router("/", accounts_router)
api.add_router("/", catalogue_router)
api.add_router("/", guidance_router)
api.add_router("/", applications_router)
api.add_router("/hall/", hall_router)

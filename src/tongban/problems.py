"""RFC 9457 problem details, the one error format of the API."""

import logging
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, JsonResponse

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
UNEXPECTED = "Something went wrong on our side; it has been logged."


def problem(
    request: HttpRequest,
    status: int,
    detail: str = "",
    *,
    title: str | None = None,
    type_: str = "about:blank",
    **extensions: Any,
) -> JsonResponse:
    body = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail or HTTPStatus(status).description,
        "instance": request.path,
        **extensions,
    }
    return JsonResponse(
        body,
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def wants_problem(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class ApiProblemMiddleware:
    """The safety net under /api/: any error that is not yet a problem detail becomes one.

    Covers what happens outside the API's own handlers: a 405 from the router, a
    CSRF failure, an exception in middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        response = self.get_response(request)
        if not wants_problem(request) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            return response
        replacement = problem(request, response.status_code)
        if response.has_header("Allow"):
            replacement["Allow"] = response["Allow"]
        return replacement

    def process_exception(self, request: HttpRequest, exception: Exception):
        if wants_problem(request) and isinstance(exception, Http404):
            return problem(request, 404)  # e.g. the API's root, which only names its docs
        if wants_problem(request):
            logger.exception("API error on %s", request.path)
            return problem(request, 500, UNEXPECTED)
        return None

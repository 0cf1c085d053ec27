"""RFC 9457 problem details, the one error format of the API."""

from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"


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

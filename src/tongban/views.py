from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.defaults import page_not_found, permission_denied, server_error

from .problems import UNEXPECTED, problem, wants_problem


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def api_not_found(request: HttpRequest) -> HttpResponse:
    return problem(request, 404, "No such resource.")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_problem(request):
        return problem(request, 404, "No such resource.")
    return page_not_found(request, exception)


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_problem(request):
        return problem(request, 403, "You may not do this.")
    return permission_denied(request, exception)


def error(request: HttpRequest) -> HttpResponse:
    if wants_problem(request):
        return problem(request, 500, UNEXPECTED)
    return server_error(request)


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Too many calls of an expensive page from one address (tongban.ratelimits)."""
    if wants_problem(request):
        response = problem(request, 429, "Too many requests: wait a minute and try again.")
    else:
        response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response

"""Applications API: apply, supply, follow; accept, review, issue, deliver; verify results.

Every endpoint asks ``access`` what the signed-in person may see (what they may not see is
404, so case numbers cannot be probed), reads its lists through ``selectors`` (as the pages
do) and leaves every rule to ``services``, ``issuing`` and ``delivery``: ``PermissionDenied``
becomes a 403 problem, a ``CaseError`` a 409 problem, or 422 naming the field when it is
about an input (:func:`case_problem`). A session cookie signs in (``django_auth``,
CSRF-checked on unsafe methods); only verification is public. The modules: ``applicant``,
``staff`` and ``verify`` (the endpoints), ``schemas`` and ``mappers`` (rows to schemas).
"""

from django.http import HttpRequest
from ninja import Router

from tongban.problems import problem

from ..services import CaseError
from . import applicant, staff, verify

router = Router()
router.add_router("", applicant.router)
router.add_router("", staff.router)
router.add_router("", verify.router)


def case_problem(request: HttpRequest, exc: CaseError):
    """Registered on the API for ``CaseError``: 422 when it names an input, else 409."""
    detail = str(exc.message)
    if exc.field:
        errors = [{"field": exc.field, "message": detail}]
        return problem(request, 422, detail, field=exc.field, errors=errors)
    return problem(request, 409, detail)

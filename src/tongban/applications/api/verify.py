"""The public part of the API: is an issued certificate genuine and valid?"""

from django.http import Http404, HttpRequest
from ninja import File, Router, UploadedFile

from tongban.problems import problem
from tongban.ratelimits import limited
from tongban.schemas import Problem

from .. import issuing
from .schemas import ONLY_THE_PDF, FileCheck, SerialCheck

router = Router(tags=["verify"], auth=None)


@router.get(
    "/verify/{serial}",
    response={200: SerialCheck, 404: Problem, 422: Problem},
    summary="Is this certificate genuine and valid? (the QR code)",
)
def verify_serial(request: HttpRequest, serial: str):
    found = issuing.check_serial(serial)
    if found is None:
        raise Http404("no such serial")
    return found


@router.post(
    "/verify",
    response={200: FileCheck, 413: Problem, 422: Problem, 429: Problem},
    openapi_extra=ONLY_THE_PDF,
    summary="Check an issued PDF: signature intact and issued by tongban",
)
@limited("verify-file")
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

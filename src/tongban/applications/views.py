"""Applicant pages: start, fill once, upload once, submit, follow, supply, rate; public verify.

Views stay thin: every rule is in ``services`` and ``access``. Each action is a plain POST
that redirects back, so everything works without JavaScript.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.audit.services import record_read
from tongban.catalogue.models import Matter, Region
from tongban.catalogue.queries import public_version
from tongban.guidance.services import GuidanceUnavailable
from tongban.notifications.models import Notification
from tongban.notifications.services import mark_all_read

from . import access, issuing, payments, selectors, services, signing
from .models import Application, ApplicationMatter, Document, IssuedDocument, Note
from .services import CaseError, clocks
from .uploads import stored_file_response


def _back(application: Application, anchor: str = "") -> HttpResponse:
    url = reverse("applications:detail", args=[application.number])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _case_error(request: HttpRequest, error: CaseError) -> None:
    messages.error(request, str(error.message))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    if not access.is_applicant(request.user):
        return redirect("accounts:staff")
    applications = access.visible_applications(request.user).order_by("-created_at", "-pk")
    page = Paginator(applications, 25).get_page(request.GET.get("page"))
    unread = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return render(request, "applications/list.html", {"page": page, "unread": unread})


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start from a guidance sheet (all its matters) or from one matter's guide page."""
    version = public_version()
    try:
        if request.POST.get("sheet"):
            application = services.start_from_sheet(request.user, version, request.POST["sheet"])
        else:
            matter = Matter.objects.filter(version=version, code=request.POST.get("matter")).first()
            if matter is None:
                raise Http404("no such matter")
            application = services.start_from_matter(request.user, matter)
    except GuidanceUnavailable:
        messages.error(request, _("The guidance is being updated; try again shortly."))
    except CaseError as error:
        _case_error(request, error)
    else:
        messages.success(request, _("Your application %(number)s is started. It is saved as "
                                    "you go.") % {"number": application.number})  # fmt: skip
        return _back(application)
    back = request.POST.get("back", "")
    safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
    return redirect(back if back and safe else "applications:list")


@login_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    if not access.is_applicant(request.user):
        return redirect("applications:case", number=number)
    application = access.own_application(request.user, number)
    return render(request, "applications/detail.html", _context(application))


def _context(application: Application, errors: dict | None = None, data: dict | None = None):
    draft = application.state == "draft"
    materials = list(application.materials.select_related("document"))
    tasks = list(application.matters.select_related("matter", "department"))
    findings = services.precheck(application) if draft else []
    values = data if data is not None else application.data
    open_requests = [r for t in tasks for r in t.supplements.all() if r.answered_at is None]
    return {
        "application": application,
        "draft": draft,
        "fields": [
            (f, values.get(f.key, ""), (errors or {}).get(f.key))
            for f in services.fields_for(application)
        ],  # fmt: skip
        "materials": materials,
        "offers": services.vault_offers(application) if draft else {},
        "optional": services.addable_materials(application),
        "findings": findings,
        "blocking": [f for f in findings if f.level == "error"],
        "tolerable": [f for f in findings if f.level == "tolerable"],
        "tasks": [(t, clocks.clock(t)) for t in tasks],
        "requests": open_requests,
        "requested_keys": {k for r in open_requests for k in r.material_keys},
        "overdue_supplements": services.overdue_of(application),
        "notes": application.notes.filter(kind=Note.Kind.MESSAGE).select_related("author"),
        "issued": selectors.issued_of(application),
        "payment": selectors.payment_of(application),
        "delivery": getattr(application, "delivery", None),
        "post_offered": services.post_offered(application),
        "supplement_days": settings.TONGBAN_SUPPLEMENT_DAYS,
        "timeline": selectors.timeline(application),
        "today": clocks.today(),
        **(_city_wide(application) if draft else {}),
    }


def _city_wide(application: Application) -> dict:
    """What a draft offers for city-wide handling: family members, districts, centres."""
    held = application.matters.values("matter_id")
    return {
        "relations": ApplicationMatter.Relation.choices,
        "districts": Region.objects.filter(kind=Region.Kind.DISTRICT),
        "centres": services.centres_to_choose(application),
        "addable": Matter.objects.filter(version=application.version, city_wide=True)
        .exclude(pk__in=held)
        .order_by("position", "code"),
    }


@login_required
@require_POST
def save_data(request: HttpRequest, number: str) -> HttpResponse:
    application = access.own_application(request.user, number)
    raw = {f.key: request.POST.get(f.key, "") for f in services.fields_for(application)}
    try:
        errors = services.save_data(application, request.user, raw)
    except CaseError as error:
        _case_error(request, error)
        return _back(application)
    if errors:
        context = _context(application, errors, raw)
        return render(request, "applications/detail.html", context, status=422)
    messages.success(request, _("Saved."))
    return _back(application, "materials")


@login_required
@require_POST
def upload(request: HttpRequest, number: str) -> HttpResponse:
    application = access.own_application(request.user, number)
    key = request.POST.get("material", "")
    too_large = getattr(request, "upload_errors", {}).get("file")
    if too_large:
        messages.error(request, str(too_large))
        return _back(application, "materials")
    source = request.FILES.get("file")
    if source is None:
        messages.error(request, _("Choose a file to upload."))
        return _back(application, "materials")
    try:
        valid_until = services.parse_day(request.POST.get("valid_until", ""), "valid_until")
        services.upload(application, request.user, key, source, source.name, valid_until)
    except CaseError as error:
        _case_error(request, error)
    else:
        messages.success(request, _("Uploaded: %(name)s.") % {"name": source.name})
    return _back(application, "materials")


def _act(request: HttpRequest, number: str, anchor: str, action, done: str = "") -> HttpResponse:
    """Run one service action on the applicant's own application and go back to the page."""
    application = access.own_application(request.user, number)
    try:
        action(application, request.POST)
    except CaseError as error:
        _case_error(request, error)
    else:
        if done:
            messages.success(request, done)
    return _back(application, anchor)


def _number(value: str, field: str, message: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise CaseError(message, field) from None


@login_required
@require_POST
def reuse(request: HttpRequest, number: str) -> HttpResponse:
    def use(application, post):
        message = _("Choose a document of your vault.")
        document = _number(post.get("document", ""), "document", message)
        services.reuse(application, request.user, post.get("material", ""), document)

    done = _("The document from your vault is used for this material.")
    return _act(request, number, "materials", use, done)


@login_required
@require_POST
def remove(request: HttpRequest, number: str) -> HttpResponse:
    def remove_it(application, post):
        services.remove_document(application, request.user, post.get("material", ""))

    return _act(request, number, "materials", remove_it)


@login_required
@require_POST
def delivery(request: HttpRequest, number: str) -> HttpResponse:
    def choose(application, post):
        method, address = post.get("method", ""), post.get("address", "")
        services.set_delivery(application, request.user, method, address)

    return _act(request, number, "delivery", choose, _("Delivery saved."))


@login_required
@require_POST
def beneficiary(request: HttpRequest, number: str) -> HttpResponse:
    def say_for_whom(application, post):
        services.set_beneficiary(application, request.user, post.get("matter", ""),
                                 post.get("relation", ""), name=post.get("name", ""),
                                 id_number=post.get("id_number", ""),
                                 district=post.get("district", ""))  # fmt: skip

    return _act(request, number, "matters", say_for_whom, _("Saved whom the matter is for."))


@login_required
@require_POST
def add_matter(request: HttpRequest, number: str) -> HttpResponse:
    def add(application, post):
        services.add_matter(application, request.user, post.get("matter", ""))

    return _act(request, number, "matters", add, _("The matter is added."))


@login_required
@require_POST
def centre(request: HttpRequest, number: str) -> HttpResponse:
    def choose(application, post):
        services.choose_centre(application, request.user, post.get("centre", ""))

    return _act(request, number, "centre", choose, _("Saved where you hand in."))


@login_required
@require_POST
def submit(request: HttpRequest, number: str) -> HttpResponse:
    application = access.own_application(request.user, number)
    try:
        findings = services.submit(application, request.user,
                                   commitment=request.POST.get("commitment") == "yes")  # fmt: skip
    except CaseError as error:
        _case_error(request, error)
        return _back(application, "submit")
    if any(f.level == "error" for f in findings):
        messages.error(request, _("The pre-check found problems: correct them and submit again."))
        return _back(application, "submit")
    messages.success(request, _("Submitted. Your case number is %(number)s.")
                     % {"number": application.number})  # fmt: skip
    return _back(application)


@login_required
@require_POST
def withdraw(request: HttpRequest, number: str) -> HttpResponse:
    def withdraw_it(application, post):
        services.withdraw(application, request.user, post.get("reason", ""))

    return _act(request, number, "", withdraw_it)


@login_required
@require_POST
def answer(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    def send(application, post):
        services.answer_supplement(application, request.user, pk, post.get("answer", ""))

    return _act(request, number, "progress", send, _("Sent: the department's clock runs again."))


@login_required
@require_POST
def message(request: HttpRequest, number: str) -> HttpResponse:
    def write(application, post):
        services.add_note(application, request.user, Note.Kind.MESSAGE, post.get("body", ""))

    return _act(request, number, "messages", write)


@login_required
@require_POST
def pay(request: HttpRequest, number: str) -> HttpResponse:
    def pay_it(application, post):
        payments.pay(application, request.user)

    return _act(request, number, "fees", pay_it, _("Paid. Your receipt is below."))


@login_required
@require_POST
def rate(request: HttpRequest, number: str) -> HttpResponse:
    def rate_it(application, post):
        services.rate(application, request.user, post.get("grade", ""),
                      post.getlist("reasons"), post.get("comment", ""))  # fmt: skip

    return _act(request, number, "rating", rate_it, _("Thank you for rating the service."))


@login_required
@require_GET
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.document_for(request.user, pk)
    if found.owner_id != request.user.pk:
        record_read(request.user, found, ["file"])
    return stored_file_response(found.path, found.name, found.content_type)


@login_required
@require_GET
def issued_pdf(request: HttpRequest, number: str, serial: str) -> HttpResponse:
    application = access.application_for(request.user, number)
    found = IssuedDocument.objects.filter(serial=serial, task__application=application).first()
    if found is None:
        raise Http404("no such document")
    if not found.ready:
        page = "detail" if application.applicant_id == request.user.pk else "case"
        back = reverse(f"applications:{page}", args=[application.number])
        response = render(request, "applications/being_prepared.html",
                          {"document": found, "back": back}, status=409)  # fmt: skip
        response["Retry-After"] = "60"
        return response
    return stored_file_response(found.path, f"{found.serial}.pdf", "application/pdf")


@login_required
@require_GET
def vault(request: HttpRequest) -> HttpResponse:
    documents = Document.objects.filter(owner=request.user)
    return render(request, "applications/vault.html",
                  {"documents": documents, "today": clocks.today()})  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        mark_all_read(request.user)
        return redirect("applications:notifications")
    mine_ = Notification.objects.filter(user=request.user).select_related("application")
    return render(request, "applications/notifications.html",
                  {"notifications": mine_[:200]})  # fmt: skip


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest, serial: str = "") -> HttpResponse:
    """Public: is this certificate genuine and valid? By serial (the QR code) or by file."""
    serial = serial or request.GET.get("serial", "").strip()
    context: dict = {"serial": serial}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or getattr(request, "upload_errors", {}):
            context["file_error"] = _("Choose the PDF file to check (at most 10 MB).")
        else:
            context["file_check"] = issuing.check_file(b"".join(upload.chunks()))
    elif serial:
        context["found"] = issuing.check_serial(serial)
        context["looked_up"] = True
    status = 404 if context.get("looked_up") and not context.get("found") else 200
    return render(request, "applications/verify.html", context, status=status)


@require_GET
def issuing_certificate(request: HttpRequest) -> HttpResponse:
    """tongban's public signing certificate, for checking issued PDFs offline."""
    pem = signing.issuing_certificate_pem()
    response = HttpResponse(pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = 'attachment; filename="tongban-issuing-certificate.pem"'
    return response

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tongban.audit.services import record_read

from .forms import ApplicantSearchForm, EnterpriseSignupForm, PersonSignupForm, profile_form
from .models import User
from .roles import ROLES

SIGNUP_FORMS = {"person": PersonSignupForm, "enterprise": EnterpriseSignupForm}
APPLICANT_KINDS = (User.Kind.PERSON, User.Kind.ENTERPRISE)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "person")
    if kind not in SIGNUP_FORMS:
        raise Http404
    form_class = SIGNUP_FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("accounts:home")
    return render(request, "accounts/signup.html", {"form": form, "kind": kind})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = [ROLES[key] for key in user.role_keys]
    return render(request, "accounts/home.html", {"profile": user, "roles": roles})


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    form = profile_form(request.user)(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
        return redirect("accounts:home")
    return render(request, "accounts/profile_form.html", {"form": form})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    if request.user.kind != User.Kind.STAFF:
        raise PermissionDenied
    user = request.user
    return render(
        request,
        "accounts/staff_home.html",
        {"roles": [ROLES[key] for key in user.role_keys]},
    )


@permission_required("accounts.look_up_applicant", raise_exception=True)
def applicant_search(request: HttpRequest) -> HttpResponse:
    form = ApplicantSearchForm(request.GET or None)
    results = None
    if form.is_valid():
        q = form.cleaned_data["q"]
        results = (
            User.objects.filter(kind__in=APPLICANT_KINDS)
            .filter(
                Q(full_name__icontains=q)
                | Q(username__iexact=q)
                | Q(phone=q)
                | Q(enterprise_name__icontains=q)
            )
            .order_by("full_name", "username")[:50]
        )
    return render(request, "accounts/applicant_search.html", {"form": form, "results": results})


@permission_required("accounts.look_up_applicant", raise_exception=True)
def applicant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    applicant = get_object_or_404(User, pk=pk, kind__in=APPLICANT_KINDS)
    record_read(
        request.user,
        applicant,
        ["full_name", "id_number", "enterprise_name", "credit_code", "email", "phone"],
    )
    return render(request, "accounts/applicant_detail.html", {"applicant": applicant})

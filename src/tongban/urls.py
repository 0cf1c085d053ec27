from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from tongban import views
from tongban.api import api
from tongban.applications import views as application_views
from tongban.audit.views import log as audit_log
from tongban.catalogue.views import matter, organisations, services

admin.site.site_header = "tongban"
admin.site.site_title = "tongban"

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", organisations, name="organisations"),
    path("guide/", include("tongban.guidance.urls")),
    path("", include("tongban.applications.urls")),
    path("hall/", include("tongban.hall.urls")),
    path("verify/", application_views.verify, name="verify_form"),
    path(
        "verify/issuing-certificate.pem",
        application_views.issuing_certificate,
        name="verify_key",
    ),
    path("verify/<str:serial>/", application_views.verify, name="verify"),
    path("services/", services, name="services"),
    path("services/<slug:code>/", matter, name="matter"),
    path("services/<slug:code>/print/", matter, {"printable": True}, name="matter_print"),
    path("accounts/", include("tongban.accounts.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("audit/", audit_log, name="audit_log"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    # Unknown API paths answer with a problem detail, in debug mode too.
    re_path(r"^api/", views.api_not_found),
]

handler403 = "tongban.views.forbidden"
handler404 = "tongban.views.not_found"
handler500 = "tongban.views.error"

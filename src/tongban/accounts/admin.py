from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record_read

from .models import User
from .roles import ROLES
from .services import check_bindings


class StaffBindingForm(UserChangeForm):
    """A role bound to a centre or department cannot be given without one."""

    def clean(self):
        cleaned = super().clean()
        groups = {g.name for g in cleaned.get("groups") or []}
        keys = [role.key for role in ROLES.values() if role.group in groups]
        check_bindings(keys, cleaned.get("centre"), cleaned.get("department"))
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = StaffBindingForm
    list_display = ("username", "display_name", "kind", "centre", "department", "is_active")
    list_filter = ("kind", "groups", "centre", "department", "is_active")
    search_fields = ("username", "full_name", "enterprise_name", "email")
    readonly_fields = ("masked_id_number", "last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("username", "password", "kind")}),
        (
            _("Applicant"),
            {
                "fields": (
                    "full_name",
                    "masked_id_number",
                    "enterprise_name",
                    "credit_code",
                    "email",
                    "phone",
                )
            },
        ),
        (
            _("Staff"),
            {
                "fields": (
                    "centre",
                    "counter",
                    "department",
                    "groups",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj: User) -> str:
        return obj.masked_id_number

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET" and obj.kind != User.Kind.STAFF:
            record_read(request.user, obj, ["full_name", "id_number", "email", "phone"])
        return super().change_view(request, object_id, form_url, extra_context)

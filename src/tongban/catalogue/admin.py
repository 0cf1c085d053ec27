from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _

from .models import (
    Audience,
    CatalogueVersion,
    Channel,
    Department,
    Event,
    EvidenceType,
    Fee,
    Material,
    Matter,
    Region,
    ServiceCentre,
    Theme,
)
from .queries import served_district
from .versions import draft, matter_record, publish_draft, record_matter_edit, start_draft


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("code", "name_en", "name_zh")


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "kind", "region")
    list_filter = ("kind", "region__parent")
    search_fields = ("code", "name_en", "name_zh")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "short_name_zh", "region")
    list_filter = ("region",)
    search_fields = ("code", "name_en", "name_zh", "short_name_zh")


@admin.register(EvidenceType)
class EvidenceTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "personal")
    search_fields = ("code", "name_en", "name_zh")


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "audience", "order")
    list_filter = ("audience",)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("code", "name_en", "name_zh", "kind", "order")
    list_filter = ("kind",)


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    """Versions are read-only; editors start a draft and publish it from here."""

    list_display = ("__str__", "source", "created_at", "published_at", "published_by")
    list_filter = ("district", "source")
    change_list_template = "admin/catalogue/catalogueversion/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        extra = [
            path("draft/", self.admin_site.admin_view(self.start_draft), name="catalogue_draft"),
            path("publish/", self.admin_site.admin_view(self.publish), name="catalogue_publish"),
        ]
        return extra + super().get_urls()

    def changelist_view(self, request: HttpRequest, extra_context=None):
        district = served_district()
        extra_context = {
            **(extra_context or {}),
            "draft": draft(district) if district else None,
            "can_edit": request.user.has_perm("catalogue.change_matter"),
        }
        return super().changelist_view(request, extra_context)

    def _district_or_error(self, request: HttpRequest):
        if request.method != "POST" or not request.user.has_perm("catalogue.change_matter"):
            raise PermissionDenied
        district = served_district()
        if district is None:
            raise PermissionDenied
        return district

    def start_draft(self, request: HttpRequest) -> HttpResponse:
        version = start_draft(self._district_or_error(request))
        messages.success(request, _("Draft v%(n)s is open for editing.") % {"n": version.number})
        return redirect("admin:catalogue_matter_changelist")

    def publish(self, request: HttpRequest) -> HttpResponse:
        district = self._district_or_error(request)
        if draft(district) is None:
            messages.error(request, _("There is no draft to publish."))
        else:
            version = publish_draft(district, by=request.user.get_username())
            messages.success(
                request, _("Version %(n)s is published and served now.") % {"n": version.number}
            )
        return redirect("admin:catalogue_catalogueversion_changelist")


class MaterialInline(admin.StackedInline):
    model = Material
    extra = 0
    autocomplete_fields = ("evidence",)
    fields = (
        ("position", "evidence"),
        ("name_en", "name_zh"),
        ("originals", "copies", "required", "principal", "format"),
        ("issuer_en", "issuer_zh"),
        ("note_en", "note_zh"),
        "unverified",
    )


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0


class MatterForm(forms.ModelForm):
    audience = forms.MultipleChoiceField(
        label=_("service object"), choices=Audience.choices, widget=forms.CheckboxSelectMultiple
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Matter
        fields = (
            "code", "basic_code", "name_en", "name_zh", "description_en", "description_zh",
            "type", "level", "department", "co_departments", "legal_basis_en", "legal_basis_zh",
            "conditions_en", "conditions_zh", "steps_en", "steps_zh", "statutory_days",
            "promised_days", "kind", "audience", "channels", "appointment", "courier_delivery",
            "counter", "on_the_spot", "city_wide", "pre_service", "result_name_en",
            "result_name_zh", "result_validity_months", "result_evidence", "themes", "events",
            "position", "unverified",
        )  # fmt: skip

    draft_version: CatalogueVersion | None = None  # set per request by MatterAdmin.get_form

    def clean(self):
        data = super().clean()
        version = self.instance.version if self.instance.pk else self.draft_version
        others = Matter.objects.filter(version=version).exclude(pk=self.instance.pk)
        for field in ("code", "basic_code"):
            if data.get(field) and others.filter(**{field: data[field]}).exists():
                self.add_error(field, _("Another matter of this version has it."))
        return data


@admin.register(Matter)
class MatterAdmin(admin.ModelAdmin):
    """Editors change the draft version; the published versions stay as they were."""

    form = MatterForm
    inlines = (MaterialInline, FeeInline)
    list_display = ("code", "name_en", "name_zh", "department", "type", "counter")
    list_filter = ("type", "counter", "on_the_spot", "city_wide", "department")
    search_fields = ("code", "basic_code", "name_en", "name_zh")
    filter_horizontal = ("co_departments", "themes", "events")
    change_list_template = "admin/catalogue/matter/change_list.html"

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        district = served_district()
        pending = draft(district) if district else None
        return type(form.__name__, (form,), {"draft_version": pending})

    def get_queryset(self, request: HttpRequest):
        district = served_district()
        pending = draft(district) if district else None
        return super().get_queryset(request).filter(version=pending)

    def changelist_view(self, request: HttpRequest, extra_context=None):
        district = served_district()
        extra_context = {**(extra_context or {}), "draft": draft(district) if district else None}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        district = served_district()
        return bool(district and draft(district)) and super().has_add_permission(request)

    def save_model(self, request: HttpRequest, obj: Matter, form, change: bool) -> None:
        if not change:
            obj.version = draft(served_district())
        obj.implementation_code = f"{obj.version.district.code}{obj.basic_code}"
        request._matter_before = matter_record(Matter.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        matter = Matter.objects.get(pk=form.instance.pk)
        matter.refresh_search_text()
        record_matter_edit(getattr(request, "_matter_before", None), matter)

    def delete_model(self, request: HttpRequest, obj: Matter) -> None:
        before = matter_record(obj)
        super().delete_model(request, obj)
        record_matter_edit(before, None, label=str(obj))

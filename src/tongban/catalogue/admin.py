from django.contrib import admin

from .models import Department, Region, ServiceCentre


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

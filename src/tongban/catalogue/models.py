"""Organisations: city → districts → sub-districts, service centres and departments.

Community affairs are handled city-wide, so a matter accepted at a centre of one
district may be decided by a department of another: centres and departments both
hang off the region tree rather than off each other.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .bilingual import localized


class Region(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        SUBDISTRICT = "subdistrict", _("Sub-district")
        TOWN = "town", _("Town")

    code = models.CharField(_("administrative code"), max_length=12, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def district(self) -> "Region | None":
        region: Region | None = self
        while region is not None and region.kind not in (self.Kind.DISTRICT, self.Kind.CITY):
            region = region.parent
        return region if region is not None and region.kind == self.Kind.DISTRICT else None


class ServiceCentre(models.Model):
    class Kind(models.TextChoices):
        ADMINISTRATIVE = "administrative", _("Administrative service centre")
        COMMUNITY = "community", _("Community affairs reception centre")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="centres",
        verbose_name=_("region"),
        help_text=_("The district, or the sub-district or town a community centre serves."),
    )
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    hours_en = models.CharField(_("opening hours (English)"), max_length=300, blank=True)
    hours_zh = models.CharField(_("opening hours (Chinese)"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    unverified = models.JSONField(
        _("unverified facts"),
        default=list,
        blank=True,
        help_text=_("Fields whose value is plausible but not yet confirmed by an official source."),
    )

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def address(self) -> str:
        return localized(self, "address")

    @property
    def hours(self) -> str:
        return localized(self, "hours")


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=60, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    unverified = models.JSONField(
        _("unverified facts"),
        default=list,
        blank=True,
        help_text=_("Fields whose value is plausible but not yet confirmed by an official source."),
    )

    class Meta:
        ordering = ["region__code", "code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def address(self) -> str:
        return localized(self, "address")

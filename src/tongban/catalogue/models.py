"""Organisations: city → districts → sub-districts, service centres and departments.

Community affairs are handled city-wide, so a matter accepted at a centre of one
district may be decided by a department of another: centres and departments both
hang off the region tree rather than off each other.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.bilingual import InLanguage, Named, localized, prefers_chinese
from tongban.core.opening import OpeningHours

from .search import matter_search_text


class Region(Named, models.Model):
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

    @property
    def district(self) -> "Region | None":
        region: Region | None = self
        while region is not None and region.kind not in (self.Kind.DISTRICT, self.Kind.CITY):
            region = region.parent
        return region if region is not None and region.kind == self.Kind.DISTRICT else None


class ServiceCentre(Named, models.Model):
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
    hours = models.JSONField(
        _("opening hours"),
        default=dict,
        blank=True,
        help_text=_(
            "The periods open on working days, weekends and public holidays, e.g. "
            '{"working_days": [{"opens": "08:30", "closes": "16:30"}], "weekends": [], '
            '"holidays": []}; empty when not recorded.'
        ),
    )
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

    address = InLanguage()

    def clean(self) -> None:
        try:
            self.opening_hours  # noqa: B018 - reading checks the data
        except ValueError as error:
            raise ValidationError({"hours": str(error)}) from None

    @property
    def opening_hours(self) -> OpeningHours | None:
        """When the centre is open; None when its hours are not recorded."""
        return OpeningHours.from_data(self.hours) if self.hours else None

    @property
    def hours_text(self) -> str:
        """The opening hours in words, in the active language ("" when not recorded)."""
        opening = self.opening_hours
        if opening is None:
            return ""
        return opening.description()["zh" if prefers_chinese() else "en"]


class Department(Named, models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="departments", verbose_name=_("region")
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    short_name_zh = models.CharField(_("short name (Chinese)"), max_length=60, blank=True)
    function = models.SlugField(
        _("function"),
        max_length=40,
        blank=True,
        help_text=_(
            "The same in every district for departments of the same function: a city-wide "
            "matter goes to the one of the beneficiary's district."
        ),
    )
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

    address = InLanguage()

    def counterpart(self, district: Region) -> "Department | None":
        """The department of the same function in another district (or this one)."""
        if district.pk == self.region_id:
            return self
        if not self.function:
            return None
        return Department.objects.filter(region=district, function=self.function).first()


# The catalogue of matters. Fields follow GB/T 39046-2020 table 4 (事项管理基础数据集);
# docs/catalogue-format.md maps each to the standard and to CPSV-AP.


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class EvidenceType(Named, models.Model):
    """What a document proves, whichever matter asks for it (CPSV-AP cv:EvidenceType)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200, blank=True)
    personal = models.BooleanField(
        _("personal data"), default=False, help_text=_("It carries personal data of a person.")
    )
    unverified = models.JSONField(_("unverified facts"), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("evidence type")
        verbose_name_plural = _("evidence types")


class Audience(models.TextChoices):
    PERSON = "person", _("Natural person")
    ENTERPRISE = "enterprise", _("Enterprise")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    SOCIAL_ORGANISATION = "social_organisation", _("Social organisation")
    GOVERNMENT = "government", _("Government body")
    OTHER_ORGANISATION = "other_organisation", _("Other organisation")


def serves(audience: list[str], account_kind: str) -> bool:
    """Whether an account of this kind may apply for a matter for these service objects
    (``audience``; ``settings.TONGBAN_AUDIENCES``)."""
    return bool(set(audience) & set(settings.TONGBAN_AUDIENCES.get(account_kind, ())))


class Theme(Named, models.Model):
    """A service theme (服务主题) to browse by."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    audience = models.CharField(
        _("for"),
        max_length=20,
        choices=[(Audience.PERSON, _("Citizens")), (Audience.ENTERPRISE, _("Businesses"))],
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")


class Event(Named, models.Model):
    """A life or business event (CPSV-AP cv:LifeEvent, cv:BusinessEvent)."""

    class Kind(models.TextChoices):
        LIFE = "life", _("Life event")
        BUSINESS = "business", _("Business event")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("event")
        verbose_name_plural = _("events")


class CatalogueVersion(models.Model):
    """One state of a district's matters. Published versions never change.

    Loading content or publishing an editor's draft makes a new version; anything
    started on an earlier version keeps pointing at that version's rows.
    """

    class Source(models.TextChoices):
        LOAD = "load", _("Loaded from files")
        DRAFT = "draft", _("Edited by an editor")

    district = models.ForeignKey(
        Region, models.PROTECT, related_name="catalogue_versions", verbose_name=_("district")
    )
    number = models.PositiveIntegerField(_("number"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.CharField(_("published by"), max_length=150, blank=True)
    digest = models.CharField(_("content digest"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["district", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="unique_version_number")
        ]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self) -> str:
        state = _("published") if self.published_at else _("draft")
        return f"{self.district.code} v{self.number} ({state})"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class CounterKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive acceptance counter")
    MARKET = "market", _("Market sector counter")
    CONSTRUCTION = "construction", _("Construction sector counter")
    GENERAL = "general", _("General counter")
    COMMUNITY = "community", _("Community affairs reception centre")


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    ONLINE = "online", _("Online")
    MOBILE = "mobile", _("Mobile app")
    COURIER = "courier", _("By courier")


# Names of the record fields that map to a pair of columns or to related rows.
UNVERIFIED_GROUPS = {
    "name": _("name"),
    "description": _("description"),
    "result": _("result"),
    "legal_basis": _("legal basis"),
    "conditions": _("conditions"),
    "steps": _("steps"),
    "materials": _("materials"),
    "fees": _("fees"),
}


class Matter(Named, models.Model):
    class Type(models.TextChoices):
        LICENCE = "licence", _("Administrative licence")
        LEVY = "levy", _("Administrative levy")
        PAYMENT = "payment", _("Administrative payment")
        INSPECTION = "inspection", _("Administrative inspection")
        CONFIRMATION = "confirmation", _("Administrative confirmation")
        AWARD = "award", _("Administrative award")
        RULING = "ruling", _("Administrative ruling")
        FILING = "filing", _("Filing")
        OTHER_POWER = "other_power", _("Other administrative power")
        PUBLIC_SERVICE = "public_service", _("Public service")
        COMMUNITY_AFFAIR = "community_affair", _("Community affair")

    # GB/T 39046 appendix A.1 code of each type.
    GB_TYPE_CODES = {
        "licence": "01",
        "levy": "04",
        "payment": "05",
        "inspection": "06",
        "confirmation": "07",
        "award": "08",
        "ruling": "09",
        "filing": "10",
        "other_power": "10",
        "public_service": "20",
        "community_affair": "20",
    }

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")
        TOWN = "town", _("Town or sub-district")
        COMMUNITY = "community", _("Village or community")
        TIERED = "tiered", _("Tiered")

    class Kind(models.TextChoices):
        INSTANT = "instant", _("Instant (done at once)")
        PROMISED = "promised", _("Promised (decided within the promised time)")

    version = models.ForeignKey(
        CatalogueVersion, models.CASCADE, related_name="matters", verbose_name=_("version")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    code = models.SlugField(_("code"), max_length=80)
    basic_code = models.CharField(_("basic code"), max_length=10)
    implementation_code = models.CharField(_("implementation code"), max_length=24)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    description_en = models.TextField(_("description (English)"))
    description_zh = models.TextField(_("description (Chinese)"))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    level = models.CharField(
        _("exercise level"), max_length=10, choices=Level.choices, default=Level.COUNTY
    )
    department = models.ForeignKey(
        Department, models.PROTECT, related_name="matters", verbose_name=_("department")
    )
    co_departments = models.ManyToManyField(
        Department, blank=True, related_name="co_matters", verbose_name=_("co-implementing")
    )
    legal_basis_en = models.TextField(_("legal basis (English)"), help_text=_("One per line."))
    legal_basis_zh = models.TextField(_("legal basis (Chinese)"), help_text=_("One per line."))
    conditions_en = models.TextField(_("conditions (English)"), help_text=_("One per line."))
    conditions_zh = models.TextField(_("conditions (Chinese)"), help_text=_("One per line."))
    steps_en = models.TextField(_("steps (English)"), help_text=_("One per line."))
    steps_zh = models.TextField(_("steps (Chinese)"), help_text=_("One per line."))
    statutory_days = models.PositiveIntegerField(
        _("statutory time limit (working days)"), null=True, blank=True
    )
    promised_days = models.PositiveIntegerField(_("promised time limit (working days)"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    audience = models.JSONField(_("service object"), default=list)
    channels = models.JSONField(_("channels"), default=list)
    appointment = models.BooleanField(_("appointment supported"), default=False)
    courier_delivery = models.BooleanField(_("result sent by courier"), default=False)
    counter = models.CharField(_("accepting counter"), max_length=20, choices=CounterKind.choices)
    on_the_spot = models.BooleanField(_("done on the spot in one visit"), default=False)
    city_wide = models.BooleanField(_("handled city-wide"), default=False)
    pre_service = models.BooleanField(_("district pre-service"), default=False)
    result_name_en = models.CharField(_("result (English)"), max_length=200, blank=True)
    result_name_zh = models.CharField(_("result (Chinese)"), max_length=200, blank=True)
    result_validity_months = models.PositiveIntegerField(
        _("validity of the result (months)"), null=True, blank=True
    )
    result_evidence = models.ForeignKey(
        EvidenceType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_by",
        verbose_name=_("result as evidence"),
        help_text=_("What the result proves when a later matter asks for it."),
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="matters")
    events = models.ManyToManyField(Event, blank=True, related_name="matters")
    unverified = models.JSONField(_("unverified facts"), default=list, blank=True)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_matter_code"),
            models.UniqueConstraint(fields=["version", "basic_code"], name="unique_basic_code"),
        ]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")

    description = InLanguage()

    result_name = InLanguage()

    @property
    def legal_basis(self) -> list[str]:
        return _lines(localized(self, "legal_basis"))

    @property
    def conditions(self) -> list[str]:
        return _lines(localized(self, "conditions"))

    @property
    def steps(self) -> list[str]:
        return _lines(localized(self, "steps"))

    @property
    def gb_type_code(self) -> str:
        return self.GB_TYPE_CODES[self.type]

    @property
    def online(self) -> bool:
        return Channel.ONLINE in self.channels

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (len(self.basic_code) == 7 and self.basic_code.isdigit()):
            errors["basic_code"] = _("Seven digits: type, department, sequence.")
        elif self.type and self.basic_code[:2] != self.GB_TYPE_CODES[self.type]:
            errors["basic_code"] = _("Must start with %(code)s, the code of the type.") % {
                "code": self.GB_TYPE_CODES[self.type]
            }
        for field in ("legal_basis", "conditions", "steps"):
            en = _lines(getattr(self, f"{field}_en"))
            zh = _lines(getattr(self, f"{field}_zh"))
            if len(en) != len(zh):
                errors[f"{field}_zh"] = _("Give one Chinese line for each English line.")
            elif not en:
                errors[f"{field}_en"] = _("Give at least one line.")
        if self.on_the_spot and self.kind != self.Kind.INSTANT:
            errors["kind"] = _("A matter done on the spot is an instant matter.")
        if (
            self.statutory_days is not None
            and self.promised_days is not None
            and self.promised_days > self.statutory_days
        ):
            errors["promised_days"] = _("Longer than the statutory time limit.")
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        name = {"en": self.name_en, "zh": self.name_zh}
        result = {"name": {"en": self.result_name_en, "zh": self.result_name_zh}}
        codes = f"{self.code} {self.basic_code}"
        self.search_text = matter_search_text(name, result, codes, self.department)
        Matter.objects.filter(pk=self.pk).update(search_text=self.search_text)

    def unverified_labels(self) -> list[str]:
        """What an editor must still confirm, named as the guide names it."""
        names = {
            f.name: f.verbose_name for f in self._meta.get_fields() if hasattr(f, "verbose_name")
        }
        names.update(UNVERIFIED_GROUPS)
        return [str(names.get(field, field)) for field in self.unverified if field != "*"]

    def channel_labels(self) -> list[str]:
        return [Channel(c).label for c in self.channels]

    def audience_labels(self) -> list[str]:
        return [Audience(a).label for a in self.audience]


class Material(Named, models.Model):
    """A document a matter asks for (申请材料)."""

    class Format(models.TextChoices):
        PAPER = "paper", _("Paper")
        ELECTRONIC = "electronic", _("Electronic")
        EITHER = "either", _("Paper or electronic")

    matter = models.ForeignKey(
        Matter, models.CASCADE, related_name="materials", verbose_name=_("matter")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    evidence = models.ForeignKey(
        EvidenceType,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name=_("evidence type"),
        help_text=_("Leave empty for a form of this matter only."),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    originals = models.PositiveSmallIntegerField(_("originals"), default=1)
    copies = models.PositiveSmallIntegerField(_("copies"), default=0)
    required = models.BooleanField(_("required"), default=True)
    principal = models.BooleanField(
        _("principal"),
        default=True,
        help_text=_("Untick when the material may be missing at acceptance and supplied later."),
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, default="either")
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200, blank=True)
    note_en = models.TextField(_("note (English)"), blank=True)
    note_zh = models.TextField(_("note (Chinese)"), blank=True)
    unverified = models.BooleanField(_("unverified"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    issuer = InLanguage()

    note = InLanguage()

    @property
    def tolerable(self) -> bool:
        """May be missing at acceptance (容缺) and supplied later."""
        return not self.principal


class Fee(Named, models.Model):
    matter = models.ForeignKey(
        Matter, models.CASCADE, related_name="fees", verbose_name=_("matter")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty when the amount varies."),
    )
    basis_en = models.CharField(_("basis (English)"), max_length=300)
    basis_zh = models.CharField(_("basis (Chinese)"), max_length=300)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("fee")
        verbose_name_plural = _("fees")

    basis = InLanguage()

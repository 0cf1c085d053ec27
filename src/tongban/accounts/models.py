from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.identity import clean_credit_code, clean_resident_id, mask_resident_id

from .roles import ROLES

__all__ = ["User", "mask_resident_id"]


class User(AbstractUser):
    """An applicant (natural person or enterprise) or a member of staff."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Natural person")
        ENTERPRISE = "enterprise", _("Enterprise")
        STAFF = "staff", _("Staff")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    full_name = models.CharField(
        _("full name"),
        max_length=100,
        blank=True,
        help_text=_("For an enterprise, the contact person."),
    )
    id_number = models.CharField(
        _("resident ID number"), max_length=18, blank=True, null=True, unique=True
    )
    enterprise_name = models.CharField(_("enterprise name"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, null=True, unique=True
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    registration_district = models.ForeignKey(
        "catalogue.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "district"},
        verbose_name=_("household registration district"),
        help_text=_(
            "户籍所在地: the district where your household is registered. City-wide matters "
            "are decided there."
        ),
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("service centre"),
    )
    counter = models.CharField(
        _("counter kind"),
        max_length=20,
        blank=True,
        help_text=_("For a clerk: the kind of counter they accept at; blank for any."),
    )
    department = models.ForeignKey(
        "catalogue.Department",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("department"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [
            ("work_at_counter", _("Can work at a counter of their centre")),
            ("look_up_applicant", _("Can look up an applicant's personal data")),
            ("review_matters", _("Can review matters of their department")),
            ("manage_centre", _("Can manage their service centre")),
            ("manage_staff", _("Can manage staff accounts and roles")),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.kind == self.Kind.ENTERPRISE and self.enterprise_name:
            return self.enterprise_name
        return self.full_name or self.username

    @property
    def masked_id_number(self) -> str:
        return mask_resident_id(self.id_number or "")

    @property
    def role_keys(self) -> list[str]:
        names = {g.name for g in self.groups.all()}
        return [role.key for role in ROLES.values() if role.group in names]

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.id_number:
            try:
                self.id_number = clean_resident_id(self.id_number)
            except ValidationError as error:
                errors["id_number"] = error.messages[0]
        else:
            self.id_number = None
        if self.credit_code:
            try:
                self.credit_code = clean_credit_code(self.credit_code)
            except ValidationError as error:
                errors["credit_code"] = error.messages[0]
        else:
            self.credit_code = None
        if self.registration_district_id and self.registration_district.kind != "district":
            errors["registration_district"] = _("Choose a district.")
        if self.kind == self.Kind.PERSON and not self.id_number and "id_number" not in errors:
            errors["id_number"] = _("A natural person signs up with a resident ID number.")
        if self.kind == self.Kind.ENTERPRISE:
            if not self.credit_code and "credit_code" not in errors:
                errors["credit_code"] = _(
                    "An enterprise signs up with its unified social credit code."
                )
            if not self.enterprise_name:
                errors["enterprise_name"] = _("Enter the enterprise's registered name.")
        if errors:
            raise ValidationError(errors)

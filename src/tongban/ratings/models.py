"""A rating of one service (好差评) and the follow-up of a bad one."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import grades, states


class Rating(models.Model):
    """One rating per service: a finished hall ticket (一次一评) or an application online
    (一事一评: one per application, however many matters it has)."""

    class Channel(models.TextChoices):
        COUNTER = "counter", _("At the counter")
        ONLINE = "online", _("Online")

    class Source(models.TextChoices):
        RATER = "rater", _("Counter tablet")
        QR = "qr", _("Ticket QR code")
        ONLINE = "online", _("Application page")
        API = "api", _("API")

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    source = models.CharField(_("rated on"), max_length=8, choices=Source.choices)
    centre = models.ForeignKey(
        "catalogue.ServiceCentre",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="ratings",
        verbose_name=_("service centre"),
    )
    ticket = models.OneToOneField(
        "hall.Ticket",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rating",
        verbose_name=_("ticket"),
    )
    application = models.OneToOneField(
        "applications.Application",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="rating",
        verbose_name=_("application"),
    )
    label = models.CharField(_("service"), max_length=40, help_text=_("Ticket or case number."))
    grade = models.CharField(
        _("grade"), max_length=20, choices=[(g.code, g.en) for g in grades.GRADES]
    )
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    rated_at = models.DateTimeField(_("rated"))
    generated = models.BooleanField(_("generated"), default=False)
    excluded_at = models.DateTimeField(_("excluded"), null=True, blank=True)
    excluded_note = models.TextField(_("why excluded"), blank=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ticket__isnull=True) ^ Q(application__isnull=True),
                name="rating_of_one_service",
            )
        ]
        indexes = [models.Index(fields=["centre", "rated_at"], name="rating_centre_day")]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.label} {self.grade}"

    @property
    def grade_choice(self) -> grades.Choice:
        return grades.grade(self.grade)

    @property
    def bad(self) -> bool:
        return grades.is_bad(self.grade)


class FollowUp(models.Model):
    """The follow-up of a bad rating, with its working-day deadlines."""

    rating = models.OneToOneField(
        Rating, models.CASCADE, related_name="follow_up", verbose_name=_("rating")
    )
    state = models.CharField(_("state"), max_length=12, default=states.FOLLOW_UP.initial)
    opened_on = models.DateField(_("opened"))
    revisit_due = models.DateField(_("revisit due"))
    rectify_due = models.DateField(_("rectification due"))
    note = models.TextField(_("note"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["revisit_due", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.rating.label} {self.state}"

    @property
    def due_on(self):
        """The deadline of the step at hand: the revisit first, then the rectification."""
        return self.revisit_due if self.state == "revisiting" else self.rectify_due

    @property
    def is_open(self) -> bool:
        return self.state in states.OPEN_STATES

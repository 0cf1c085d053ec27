"""The service hall: its queues (matter groups), counters with skills, and tickets."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import CounterKind, Matter, ServiceCentre
from tongban.core.bilingual import InLanguage, Named

from . import states


class MatterGroup(Named, models.Model):
    """A queue of the halls: the matters of one accepting counter kind, optionally only
    those of some department functions (community centres queue by line of business)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    prefix = models.CharField(
        _("ticket prefix"), max_length=2, unique=True, help_text=_("E.g. A for A023.")
    )
    counter_kind = models.CharField(
        _("counter kind"),
        max_length=20,
        choices=CounterKind.choices,
        blank=True,
        help_text=_("Blank for a topic without matters, such as collecting results."),
    )
    functions = models.JSONField(
        _("department functions"),
        default=list,
        blank=True,
        help_text=_("Only matters of departments of these functions; empty for all."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("matter group")
        verbose_name_plural = _("matter groups")

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"

    def covers(self, matter: Matter) -> bool:
        return matter.counter == self.counter_kind and (
            not self.functions or matter.department.function in self.functions
        )


class Hall(models.Model):
    """A centre's hall settings: the dispatch policy and the limits it works by."""

    centre = models.OneToOneField(
        ServiceCentre, models.CASCADE, related_name="hall", verbose_name=_("service centre")
    )
    age_cap_minutes = models.PositiveSmallIntegerField(
        _("age cap (minutes)"),
        default=45,
        help_text=_("A ticket waiting longer goes ahead of later priority tickets."),
    )
    appointments_first = models.BooleanField(_("appointments first"), default=True)
    early_check_in_minutes = models.PositiveSmallIntegerField(
        _("early check-in allowed (minutes)"), default=15
    )
    priorities = models.BooleanField(_("priority groups first"), default=True)
    priority_groups = models.JSONField(
        _("priority groups"),
        default=list,
        blank=True,
        help_text=_('Highest first: [{"code": "elderly", "en": "...", "zh": "..."}, ...]'),
    )
    fast_track_minutes = models.PositiveSmallIntegerField(
        _("fast track: expected service under (minutes)"), default=8
    )
    fast_track_helps = models.BooleanField(
        _("fast-track counters help the other queues when no quick ticket waits"), default=True
    )
    recall_limit = models.PositiveSmallIntegerField(_("recalls before a no-show"), default=2)
    near_turn_ahead = models.PositiveSmallIntegerField(
        _("near-turn notice when this many are ahead"), default=3
    )
    remote_per_day = models.PositiveSmallIntegerField(
        _("remote tickets per person and day"), default=1
    )

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")

    def __str__(self) -> str:
        return str(self.centre)

    def priority_rank(self, code: str) -> int:
        """The dispatch rank of a priority group: the first listed ranks highest; 0: none."""
        codes = [group["code"] for group in self.priority_groups]
        return len(codes) - codes.index(code) if code in codes else 0


class Counter(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("General counter")
        FAST_TRACK = "fast_track", _("Fast-track counter")
        SPECIALISED = "specialised", _("Specialised counter")
        MARKET = "market", _("Market sector counter")
        CONSTRUCTION = "construction", _("Construction sector counter")
        COMPREHENSIVE = "comprehensive", _("Comprehensive acceptance counter")
        DELIVERY = "delivery", _("Delivery counter")
        INTEGRATED = "integrated", _("Integrated main counter")

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="counters", verbose_name=_("hall"))
    number = models.PositiveSmallIntegerField(_("number"))
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    label_zh = models.CharField(_("label (Chinese)"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    skills = models.ManyToManyField(
        MatterGroup, blank=True, related_name="counters", verbose_name=_("skills")
    )
    is_open = models.BooleanField(_("open"), default=False)
    clerk = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="hall_counter",
        verbose_name=_("clerk signed in"),
    )

    class Meta:
        ordering = ["hall", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="unique_counter_number")
        ]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")

    label = InLanguage()

    def __str__(self) -> str:
        return f"{self.number} {self.label}".strip()

    @property
    def fast_track(self) -> bool:
        return self.kind == self.Kind.FAST_TRACK


class Ticket(models.Model):
    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        APPOINTMENT = "appointment", _("Appointment check-in")
        STAFF = "staff", _("Issued by staff")
        REMOTE = "remote", _("Taken remotely")

    class Outcome(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("Done on the spot")
        ACCEPTED = "accepted", _("Accepted into a case")
        ADVICE = "advice", _("Advice only")

    hall = models.ForeignKey(Hall, models.PROTECT, related_name="tickets", verbose_name=_("hall"))
    day = models.DateField(_("day"))
    queue = models.ForeignKey(
        MatterGroup, models.PROTECT, related_name="tickets", verbose_name=_("queue")
    )
    sequence = models.PositiveIntegerField(_("sequence in the queue"))
    number = models.CharField(_("number"), max_length=8)
    token = models.UUIDField(_("status token"), default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=12, default=states.TICKET.initial)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    groups = models.JSONField(
        _("matter groups needed"), default=list, help_text=_("A counter needs them all.")
    )
    quick = models.BooleanField(_("quick (fast track)"), default=False)
    priority = models.CharField(_("priority group"), max_length=30, blank=True)
    arrived_at = models.DateTimeField(_("arrived"))
    booked_from = models.DateTimeField(_("appointment from"), null=True, blank=True)
    booked_until = models.DateTimeField(_("appointment until"), null=True, blank=True)
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    started_at = models.DateTimeField(_("service started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("counter"),
    )
    directed_to = models.ForeignKey(
        Counter,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("transferred to counter"),
    )
    recalls = models.PositiveSmallIntegerField(_("recalls"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    city_wide = models.BooleanField(_("handled city-wide"), default=False)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("applicant"),
    )
    resident_id = models.CharField(_("resident ID number"), max_length=18, blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    near_turn_told = models.BooleanField(_("told the turn is near"), default=False)
    matters = models.ManyToManyField(
        Matter, blank=True, related_name="tickets", verbose_name=_("matters")
    )
    applications = models.ManyToManyField(
        "applications.Application",
        blank=True,
        related_name="tickets",
        verbose_name=_("application cases"),
    )
    generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Part of the generated demo history.")
    )

    class Meta:
        ordering = ["arrived_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["hall", "day", "number"], name="unique_ticket_number"),
            models.CheckConstraint(
                condition=Q(booked_from__isnull=True)
                | Q(booked_until__gte=models.F("booked_from")),
                name="ticket_booking_window",
            ),
        ]
        indexes = [models.Index(fields=["hall", "state", "day"], name="ticket_queue")]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")

    def __str__(self) -> str:
        return self.number


class QueueDay(models.Model):
    """The last ticket number given in one queue of a hall on one day: the row to lock when
    numbering, so two kiosks never give the same number."""

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="+")
    queue = models.ForeignKey(MatterGroup, models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hall", "queue", "day"], name="unique_queue_day")
        ]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.day}: {self.last}"


class Handling(models.Model):
    """One matter handled at a counter on a ticket, and what came of it. Several in one
    visit, possibly for different family members."""

    ticket = models.ForeignKey(
        Ticket, models.CASCADE, related_name="handlings", verbose_name=_("ticket")
    )
    matter = models.ForeignKey(
        Matter, models.PROTECT, related_name="handlings", verbose_name=_("matter")
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Ticket.Outcome.choices)
    result = models.CharField(_("result given"), max_length=200, blank=True)
    application = models.ForeignKey(
        "applications.Application",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="handlings",
        verbose_name=_("application case"),
    )
    city_wide = models.BooleanField(_("handled city-wide"), default=False)
    counter = models.ForeignKey(
        Counter, models.SET_NULL, null=True, related_name="handlings", verbose_name=_("counter")
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="handlings",
        verbose_name=_("clerk"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("handling")
        verbose_name_plural = _("handlings")

    def __str__(self) -> str:
        return f"{self.ticket} {self.matter.code}"


class Device(models.Model):
    """A kiosk, a display board or a counter's rating tablet: a device, not a person, with a
    key for one hall and one role. Only a hash of the key is kept."""

    class Role(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        BOARD = "board", _("Display board")
        RATER = "rater", _("Rating tablet")

    hall = models.ForeignKey(Hall, models.CASCADE, related_name="devices", verbose_name=_("hall"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    name = models.CharField(_("name"), max_length=80)
    counter = models.ForeignKey(
        Counter,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="devices",
        verbose_name=_("counter"),
        help_text=_("The counter a rating tablet stands at."),
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=128)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["hall", "role", "name"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

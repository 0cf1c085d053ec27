"""An application for one or more matters, its documents, review tasks, results and delivery.

States change only through ``services`` (the allowed moves are in ``states``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.catalogue.models import CounterKind
from tongban.core.bilingual import InLanguage
from tongban.core.machine import Machine

from . import results, states


def _choices(machine: Machine) -> list[tuple[str, str]]:
    return [(s, s) for s in sorted(machine.states)]


class Document(models.Model):
    """One file in an applicant's evidence vault: uploaded once, reused with consent."""

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("uploaded")
        ISSUED = "issued", _("issued by tongban")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="documents")
    evidence = models.CharField(_("evidence type"), max_length=80, blank=True)
    title_en = models.CharField(_("what it is (English)"), max_length=200)
    title_zh = models.CharField(_("what it is (Chinese)"), max_length=200)
    name = models.CharField(_("file name"), max_length=130)
    path = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    pages = models.PositiveIntegerField(default=1)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    created_at = models.DateTimeField(auto_now_add=True)

    title = InLanguage()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "evidence"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class Application(models.Model):
    number = models.CharField(_("case number"), max_length=24, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="applications"
    )
    centre = models.ForeignKey(
        "catalogue.ServiceCentre", models.PROTECT, related_name="applications"
    )
    version = models.ForeignKey("catalogue.CatalogueVersion", models.PROTECT, related_name="+")
    counter = models.CharField(_("accepting counter"), max_length=20)
    title_en = models.CharField(max_length=200)
    title_zh = models.CharField(max_length=200)
    scenario = models.CharField(max_length=80, blank=True)
    answers = models.JSONField(default=dict, blank=True)
    data = models.JSONField(_("application data"), default=dict, blank=True)
    state = models.CharField(
        max_length=12, choices=_choices(states.APPLICATION), default=states.APPLICATION.initial
    )
    commitment_at = models.DateTimeField(_("commitment signed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    delivery_method = models.CharField(max_length=10, default="pickup")
    delivery_address = models.CharField(max_length=300, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[("online", _("Online")), ("counter", _("At the counter"))],
        default="online",
        help_text=_("Online by the applicant, or at the counter by a clerk on their behalf."),
    )
    counter_number = models.PositiveSmallIntegerField(
        _("accepting counter number"), null=True, blank=True,
        help_text=_("The hall counter where a clerk took the application."),
    )  # fmt: skip

    title = InLanguage()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["applicant", "-created_at"]),
            models.Index(fields=["centre", "state", "-submitted_at"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def counter_label(self) -> str:
        """The accepting counter as the centre calls it."""
        return (
            str(CounterKind(self.counter).label)
            if self.counter in CounterKind.values
            else self.counter
        )


class ApplicationMatter(models.Model):
    """A matter applied for: its review task in the department's inbox once accepted.

    A matter with co-implementing departments has one task for each, beside its lead
    department's; the lead task carries the matter's result (``states.outcome``). The
    beneficiary is the applicant unless another person is named: the applicant then acts for
    them (a family member), and a city-wide matter is decided in their district.
    """

    class Relation(models.TextChoices):
        SELF = "self", _("myself")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        OTHER = "other", _("other family member")

    application = models.ForeignKey(Application, models.CASCADE, related_name="matters")
    matter = models.ForeignKey("catalogue.Matter", models.PROTECT, related_name="+")
    department = models.ForeignKey("catalogue.Department", models.PROTECT, related_name="+")
    beneficiary_relation = models.CharField(
        _("for whom"), max_length=10, choices=Relation.choices, default=Relation.SELF
    )
    beneficiary_name = models.CharField(_("beneficiary's name"), max_length=100, blank=True)
    beneficiary_id_number = models.CharField(
        _("beneficiary's resident ID number"), max_length=18, blank=True
    )
    beneficiary_district = models.ForeignKey(
        "catalogue.Region",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("beneficiary's household registration district"),
    )
    order = models.PositiveSmallIntegerField(default=0)
    lead = models.BooleanField(_("lead department"), default=True)
    # Codes of the matters of this application whose results this one waits for.
    after = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=12, choices=_choices(states.REVIEW), default=states.REVIEW.initial
    )
    started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    due_confirmed = models.BooleanField(default=True)
    paused_on = models.DateField(null=True, blank=True)
    paused_days = models.PositiveIntegerField(default=0)
    reminded_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["order", "-lead", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "matter", "department"], name="one_task_per_department"
            )
        ]
        # The inboxes read only accepted matters (started_on set); drafts' tasks stay out
        # of these indexes, so a department's tab is a short range scan at any volume.
        indexes = [
            models.Index(
                fields=["department", "state", "due_on", "id"],
                condition=models.Q(started_on__isnull=False),
                name="review_inbox",
            ),
            models.Index(
                fields=["department", "-decided_at", "-id"],
                condition=models.Q(started_on__isnull=False, decided_at__isnull=False),
                name="review_decided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.number} {self.matter.code}"


class ApplicationMaterial(models.Model):
    """One line of the merged document list: served by one document for all its matters."""

    class Status(models.TextChoices):
        MISSING = "missing", _("missing")
        PROVIDED = "provided", _("provided")
        TOLERATED = "tolerated", _("missing, to be supplied (容缺)")
        AWAITED = "awaited", _("to be issued by another matter of this application")
        LAPSED = "lapsed", _("not supplied in time")

    application = models.ForeignKey(Application, models.CASCADE, related_name="materials")
    key = models.CharField(max_length=200)
    evidence = models.CharField(max_length=80, blank=True)
    name_en = models.CharField(max_length=200)
    name_zh = models.CharField(max_length=200)
    principal = models.BooleanField(default=False)
    # "If it applies" for every matter it serves: added by the applicant or asked for by a
    # reviewer, never required by the pre-check.
    optional = models.BooleanField(default=False)
    matter_codes = models.JSONField(default=list)
    # The matter of this application whose result serves this line, once issued.
    from_matter = models.CharField(max_length=80, blank=True)
    originals = models.PositiveSmallIntegerField(default=0)
    copies = models.PositiveSmallIntegerField(default=0)
    document = models.ForeignKey(
        Document, models.PROTECT, null=True, blank=True, related_name="uses"
    )
    reused = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MISSING)
    due_on = models.DateField(null=True, blank=True)
    supplied_at = models.DateTimeField(null=True, blank=True)
    # The due date the applicant was reminded of, and when the centre was told it passed.
    reminded_for = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    name = InLanguage()

    class Meta:
        ordering = ["-principal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "key"], name="one_line_per_material")
        ]

    def __str__(self) -> str:
        return self.name_en


class SupplementRequest(models.Model):
    """A reviewer asks for materials or a correction; the task's clock pauses meanwhile."""

    task = models.ForeignKey(ApplicationMatter, models.CASCADE, related_name="supplements")
    material_keys = models.JSONField(default=list)
    reason = models.TextField()
    due_on = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    # The due date the applicant was reminded of, and when the centre was told it passed.
    reminded_for = models.DateField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"supplement for {self.task}"


class Note(models.Model):
    """Something said on an application.

    Messages pass between applicant and staff; comments and inspection records are read
    by the staff of every department on the application, not by the applicant.
    """

    class Kind(models.TextChoices):
        MESSAGE = "message", _("message")
        COMMENT = "comment", _("comment between departments")
        INSPECTION = "inspection", _("site inspection")

    application = models.ForeignKey(Application, models.CASCADE, related_name="notes")
    task = models.ForeignKey(
        ApplicationMatter, models.CASCADE, null=True, blank=True, related_name="notes"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.application_id}"


class IssuedDocument(models.Model):
    """A certificate for an approved matter, or the decision letter of a refusal."""

    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", _("certificate")
        REFUSAL = "refusal", _("decision letter")

    serial = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    task = models.OneToOneField(ApplicationMatter, models.PROTECT, related_name="issued")
    holder = models.CharField(max_length=200)
    scope = models.TextField(blank=True)
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField()
    # Empty while the signed PDF is being prepared (applications.tasks.prepare_results).
    path = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_reason = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.serial

    @property
    def title(self) -> dict[str, str]:
        """What the document is called, in both languages."""
        return results.document_title(self.kind, self.task.matter)

    @property
    def ready(self) -> bool:
        """Whether the signed PDF is stored and may be downloaded."""
        return bool(self.path)


class Delivery(models.Model):
    class Method(models.TextChoices):
        PICKUP = "pickup", _("pick up at the delivery counter")
        POST = "post", _("by post (EMS)")

    application = models.OneToOneField(Application, models.CASCADE, related_name="delivery")
    method = models.CharField(max_length=10, choices=Method.choices)
    state = models.CharField(
        max_length=12, choices=_choices(states.DELIVERY), default=states.DELIVERY.initial
    )
    pickup_code = models.CharField(max_length=8, blank=True)
    address = models.CharField(max_length=300, blank=True)
    carrier = models.CharField(max_length=20, blank=True)
    tracking_number = models.CharField(max_length=40, blank=True)
    events = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"delivery of {self.application_id}"


class Payment(models.Model):
    """The fees of a decided application's approved matters, paid before the issue."""

    application = models.OneToOneField(Application, models.CASCADE, related_name="payment")
    # One line per approved matter with a fee: {"matter", "name": {"en", "zh"}, "amount"}.
    lines = models.JSONField(default=list)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    state = models.CharField(
        max_length=8, choices=_choices(states.PAYMENT), default=states.PAYMENT.initial
    )
    backend = models.CharField(max_length=20, blank=True)
    reference = models.CharField(_("payment reference"), max_length=40, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"fees of {self.application_id}"

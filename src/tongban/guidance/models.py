"""Funnel analytics: counts per day, scenario and step. Nothing about who answered."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FunnelCount(models.Model):
    class Step(models.TextChoices):
        START = "start", _("started")
        REACHED = "reached", _("stopped at a question")
        COMPLETE = "complete", _("completed")
        SHEET = "sheet", _("opened the sheet")

    day = models.DateField(_("day"))
    scenario = models.SlugField(_("scenario"), max_length=80)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    question = models.SlugField(_("question"), max_length=80, blank=True)
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "scenario", "step", "question"], name="unique_funnel_count"
            )
        ]
        verbose_name = _("funnel count")
        verbose_name_plural = _("funnel counts")

    def __str__(self) -> str:
        return f"{self.day} {self.scenario} {self.step} {self.question} {self.count}"

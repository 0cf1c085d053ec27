from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "tongban.ratings"
    verbose_name = _("Ratings")

    def ready(self) -> None:
        from tongban.audit.registry import audit_model

        from . import models

        # Follow-ups are audited move by move (core.moves.move); ratings by every change.
        audit_model(models.Rating)

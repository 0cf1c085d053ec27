from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HallConfig(AppConfig):
    name = "tongban.hall"
    verbose_name = _("Service hall")

    def ready(self) -> None:
        from tongban.audit.registry import audit_model

        from . import models

        # Tickets are audited move by move (core.moves.move); these by every change.
        for model in (models.Hall, models.Counter, models.MatterGroup):
            audit_model(model)
        audit_model(models.Device, secret=("key_hash",))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "tongban.catalogue"
    verbose_name = _("Catalogue")

    def ready(self) -> None:
        from tongban.audit.registry import audit_model

        from . import models

        for model in (
            models.Region,
            models.ServiceCentre,
            models.Department,
            models.EvidenceType,
            models.Theme,
            models.Event,
        ):
            audit_model(model)

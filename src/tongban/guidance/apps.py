from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidanceConfig(AppConfig):
    name = "tongban.guidance"
    verbose_name = _("Smart guidance")

from django.apps import AppConfig


class TongbanConfig(AppConfig):
    """The site itself: base layout, shared templates, static files and translations."""

    name = "tongban"
    verbose_name = "tongban"

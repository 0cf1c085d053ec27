from django.conf import settings
from django.db import models

from tongban.core.bilingual import InLanguage


class Notification(models.Model):
    """Something a person is told, kept in both languages, read or not yet."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications")
    # By name, not by import: the table came from applications and still links to it.
    application = models.ForeignKey(
        "applications.Application", models.CASCADE, null=True, blank=True, related_name="+"
    )
    text_en = models.CharField(max_length=300)
    text_zh = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    text = InLanguage()

    class Meta:
        db_table = "applications_notification"  # moved from applications with its data
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"], name="application_user_id_77df74_idx")]

    def __str__(self) -> str:
        return self.text_en

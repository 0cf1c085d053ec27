from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """Raised on any attempt to change or remove an audit entry through the ORM."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        raise AppendOnly("audit entries cannot be removed")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        DELETE = "delete", _("deleted")
        READ = "read", _("read personal data")
        LOGIN = "login", _("logged in")
        LOGOUT = "logout", _("logged out")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOAD = "load", _("loaded catalogue content")
        PUBLISH = "publish", _("published")
        TRANSITION = "transition", _("moved a case on")

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True)
    at = models.DateTimeField(_("when"))
    # No foreign key: removing a user must not rewrite the log.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("who"), max_length=200)
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=100, blank=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries cannot be removed")

    def chained_fields(self) -> dict:
        """The fields the hash covers, in a form that survives a database round trip."""
        return {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_label": self.object_label,
            "before": self.before,
            "after": self.after,
        }


class AuditHead(models.Model):
    """The last link written. One row, locked by each writer so the chain stays linear."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit head")

    def __str__(self) -> str:
        return f"audit head at {self.seq}"

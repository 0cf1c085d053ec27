"""Record every state change of the registered models, with before and after.

Registering a model connects its save and delete signals; the values kept are
the model's own fields, with secrets left out and personal data masked.
"""

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save, pre_save

from .models import AuditEntry

_rules: dict[type[models.Model], dict] = {}


def audit_model(
    model: type[models.Model],
    *,
    ignore: tuple[str, ...] = (),
    secret: tuple[str, ...] = (),
    masked: dict[str, Callable[[str], str]] | None = None,
) -> None:
    _rules[model] = {"ignore": set(ignore), "secret": set(secret), "masked": masked or {}}
    uid = f"audit:{model._meta.label}"
    pre_save.connect(_remember_before, sender=model, dispatch_uid=uid)
    post_save.connect(_record_save, sender=model, dispatch_uid=uid)
    post_delete.connect(_record_delete, sender=model, dispatch_uid=uid)


def snapshot(instance: models.Model) -> dict[str, Any]:
    rules = _rules[type(instance)]
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        name = field.attname
        if field.name in rules["ignore"]:
            continue
        value = getattr(instance, name)
        if field.name in rules["secret"]:
            value = "***" if value else ""
        elif field.name in rules["masked"] and value:
            value = rules["masked"][field.name](value)
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            value = str(value)
        values[field.name] = value
    return values


def _remember_before(sender, instance, raw=False, **kwargs):
    instance._audit_before = None
    if raw or instance.pk is None or instance._state.adding:
        return
    old = sender._default_manager.filter(pk=instance.pk).first()
    instance._audit_before = snapshot(old) if old is not None else None


def _record_save(sender, instance, created, raw=False, **kwargs):
    from .services import record

    if raw:
        return
    after = snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        record(
            AuditEntry.Action.CREATE,
            object_type=sender._meta.label_lower,
            object_id=instance.pk,
            object_label=str(instance),
            after=after,
        )
        return
    changed = sorted(k for k in after if before.get(k) != after[k])
    if not changed:
        return
    record(
        AuditEntry.Action.UPDATE,
        object_type=sender._meta.label_lower,
        object_id=instance.pk,
        object_label=str(instance),
        before={k: before.get(k) for k in changed},
        after={k: after[k] for k in changed},
    )


def _record_delete(sender, instance, **kwargs):
    from .services import record

    record(
        AuditEntry.Action.DELETE,
        object_type=sender._meta.label_lower,
        object_id=instance.pk,
        object_label=str(instance),
        before=snapshot(instance),
    )

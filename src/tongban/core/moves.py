"""Applying a state machine's move to a model row: checked, saved and audited."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record

from .machine import IllegalTransition, Machine


class CaseError(Exception):
    """An action the case does not allow now, with a message for the person who tried."""

    def __init__(self, message, field: str = ""):
        self.message, self.field = message, field
        super().__init__(str(message))


def move(obj: models.Model, machine: Machine, action: str, actor, **changes: Any) -> None:
    """Apply one allowed move to ``obj.state``, set ``changes``, save, and audit what changed.

    A move the state does not allow is a CaseError saying what the state is.
    """
    try:
        target = machine.move(obj.state, action)
    except IllegalTransition as error:
        raise CaseError(
            _("This cannot be done now: the %(what)s is %(state)s.")
            % {"what": machine.name, "state": obj.state}
        ) from error
    before = obj.state
    obj.state = target
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save()
    record(
        "transition",
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_label=str(obj),
        before={"state": before},
        after={"state": target, "action": action, **{k: _plain(v) for k, v in changes.items()}},
        actor=actor,
    )


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool, list, dict)):
        return value
    return getattr(value, "pk", None) or str(value)

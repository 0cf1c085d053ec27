"""Every state change of a case: one allowed move of its machine, saved and audited."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from tongban.audit.services import record

from .. import states
from .errors import CaseError


def move(obj, machine: states.Machine, action: str, actor, **changes: Any) -> None:
    """Apply one allowed move, save, and audit it with what changed."""
    try:
        target = machine.move(obj.state, action)
    except states.IllegalTransition as error:
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

"""Writing and checking the audit log."""

from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from . import chain
from .context import current_actor
from .models import AuditEntry, AuditHead


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None, "system"
    return actor.pk, actor.get_username()


def record(
    action: str,
    *,
    object_type: str,
    object_id: Any = "",
    object_label: str = "",
    before: dict | None = None,
    after: dict | None = None,
    actor: Any = None,
) -> AuditEntry:
    """Append one entry to the chain. Runs inside the caller's transaction if any."""
    actor_id, actor_label = _actor_fields(actor if actor is not None else current_actor())
    with transaction.atomic():
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": chain.GENESIS})
            head = AuditHead.objects.select_for_update().get(pk=1)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=datetime.now(UTC),
            actor_id=actor_id,
            actor_label=actor_label,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            object_label=str(object_label)[:300],
            before=before,
            after=after,
            prev_hash=head.hash,
        )
        entry.hash = chain.digest(entry.prev_hash, entry.chained_fields())
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


def record_read(actor: Any, obj: Any, fields: list[str]) -> AuditEntry:
    """Staff looked at someone's personal data: which record, which fields."""
    return record(
        AuditEntry.Action.READ,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        object_label=str(obj),
        after={"fields": sorted(fields)},
        actor=actor,
    )


def verify() -> tuple[int, chain.Break | None]:
    """Check the whole chain: (entries checked, first break or None)."""
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, chain.GENESIS)
    entries = AuditEntry.objects.order_by("seq").iterator(chunk_size=2000)
    links = (chain.Link(e.seq, e.prev_hash, e.hash, e.chained_fields()) for e in entries)
    count = AuditEntry.objects.count()
    return count, chain.first_break(links, head_seq, head_hash)

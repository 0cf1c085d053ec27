"""The hash chain of the audit log, in plain Python.

Each entry's hash covers its own fields and the hash of the entry before it, so
editing a row breaks its own hash and removing one breaks the next link (or the
head, when the last row goes).
"""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def digest(prev_hash: str, fields: Mapping[str, Any]) -> str:
    payload = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def first_break(links: Iterable[Link], head_seq: int, head_hash: str) -> Break | None:
    """The first link that does not hold, or None when the chain is whole.

    ``links`` must come in ``seq`` order; ``head_*`` is the last link as the
    writer recorded it, which catches a removed tail.
    """
    expected_seq, expected_prev = 1, GENESIS
    for link in links:
        if link.seq != expected_seq:
            return Break(expected_seq, f"entry {expected_seq} is missing")
        if link.prev_hash != expected_prev:
            return Break(link.seq, "does not link to the entry before it")
        if digest(link.prev_hash, link.fields) != link.hash:
            return Break(link.seq, "content does not match its hash")
        expected_seq, expected_prev = link.seq + 1, link.hash
    if expected_seq - 1 != head_seq or expected_prev != head_hash:
        return Break(expected_seq, f"entries after {expected_seq - 1} are missing")
    return None

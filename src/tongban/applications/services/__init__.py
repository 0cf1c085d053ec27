"""What applicants and staff do with an application. Every state change goes through here.

Each action checks its role and the allowed move (``states``), changes the rows in one
transaction, audits the transition (``moves.move``) and notifies whom it concerns. The
modules follow the case: ``drafting`` and ``submission`` (the applicant), ``acceptance``
(the counter), ``review`` (the departments), ``notes`` and ``rating``; ``clocks`` keeps the
working-day time limits. The actions are re-exported here: ``services.accept(...)``.
"""

from .acceptance import accept, may_accept, reject
from .clocks import clock, remind_reviewers
from .data import FIELDS, Field, clean_data, fields_for
from .drafting import (
    OptionalMaterial,
    addable_materials,
    optional_materials,
    post_offered,
    remove_document,
    reuse,
    save_data,
    set_delivery,
    start_from_matter,
    start_from_plan,
    start_from_sheet,
    upload,
    vault_offers,
)
from .errors import CaseError, parse_day
from .notes import add_note
from .rating import rate
from .review import answer_supplement, approve, overdue_tolerated, refuse, request_supplement
from .submission import Finding, expire_drafts, precheck, submit, withdraw

__all__ = [
    "FIELDS",
    "CaseError",
    "Field",
    "Finding",
    "OptionalMaterial",
    "accept",
    "add_note",
    "addable_materials",
    "answer_supplement",
    "approve",
    "clean_data",
    "clock",
    "expire_drafts",
    "fields_for",
    "may_accept",
    "optional_materials",
    "overdue_tolerated",
    "parse_day",
    "post_offered",
    "precheck",
    "rate",
    "refuse",
    "reject",
    "remind_reviewers",
    "remove_document",
    "request_supplement",
    "reuse",
    "save_data",
    "set_delivery",
    "start_from_matter",
    "start_from_plan",
    "start_from_sheet",
    "submit",
    "upload",
    "vault_offers",
    "withdraw",
]

"""What applicants and staff do with an application. Every state change goes through here.

Each action checks its role and the allowed move (``states``), changes the rows in one
transaction, audits the transition (``moves.move``) and notifies whom it concerns. The
modules follow the case: ``drafting`` and ``submission`` (the applicant), ``acceptance``
(the counter) and ``instant`` (the instant matters it decides), ``review`` (the
departments), ``citywide`` (family members' matters routed to their district, the centre
chosen), ``notes`` and ``rating``; ``clocks`` keeps the
working-day time limits. The actions are re-exported here: ``services.accept(...)``.
"""

from .acceptance import accept, may_accept, reject
from .citywide import add_matter, centres_to_choose, choose_centre, set_beneficiary
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
    start_at_counter,
    start_from_matter,
    start_from_plan,
    start_from_sheet,
    upload,
    vault_offers,
)
from .errors import CaseError, parse_day
from .fees import parse_fee
from .instant import decidable as instant_decidable
from .notes import add_note
from .rating import rate, rating_of
from .review import answer_supplement, approve, overdue_tolerated, refuse, request_supplement
from .submission import Finding, expire_drafts, precheck, submit, withdraw
from .supplements import act_on_overdue, overdue_of, remind_applicants

__all__ = [
    "FIELDS",
    "CaseError",
    "Field",
    "Finding",
    "OptionalMaterial",
    "accept",
    "act_on_overdue",
    "add_matter",
    "add_note",
    "addable_materials",
    "answer_supplement",
    "approve",
    "centres_to_choose",
    "choose_centre",
    "clean_data",
    "clock",
    "expire_drafts",
    "fields_for",
    "may_accept",
    "optional_materials",
    "overdue_of",
    "overdue_tolerated",
    "parse_day",
    "instant_decidable",
    "parse_fee",
    "post_offered",
    "precheck",
    "rate",
    "rating_of",
    "refuse",
    "reject",
    "remind_applicants",
    "remind_reviewers",
    "remove_document",
    "request_supplement",
    "reuse",
    "save_data",
    "set_beneficiary",
    "set_delivery",
    "start_at_counter",
    "start_from_matter",
    "start_from_plan",
    "start_from_sheet",
    "submit",
    "upload",
    "vault_offers",
    "withdraw",
]

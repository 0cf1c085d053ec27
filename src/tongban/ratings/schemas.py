"""API shapes of a rating and a follow-up, shared by the hall's and applications' routers."""

from datetime import date, datetime

from ninja import Field, Schema

from . import grades, services
from .models import FollowUp, Rating
from .states import FOLLOW_UP, STEPS


class GradeText(Schema):
    code: str
    en: str
    zh: str


class RatingIn(Schema):
    grade: str = Field(description="very_satisfied, satisfied, basically_satisfied, "
                       "dissatisfied or very_dissatisfied (the last two are bad)")  # fmt: skip
    reasons: list[str] = Field(default=[], description="Codes from the fixed list of reasons")
    comment: str = ""


class RatingOut(Schema):
    grade: GradeText
    bad: bool
    reasons: list[GradeText]
    comment: str
    channel: str
    rated_at: datetime
    excluded: bool


class FollowUpOut(Schema):
    id: int
    service: str = Field(description="The ticket or case number rated")
    rating: RatingOut
    state: str
    opened_on: date
    revisit_due: date
    rectify_due: date
    due_on: date = Field(description="The deadline of the step at hand")
    overdue: bool
    note: str
    actions: list[str]


def _choice(choice: grades.Choice) -> dict:
    return {"code": choice.code, "en": choice.en, "zh": choice.zh}


def rating_out(rating: Rating) -> dict:
    reasons = {reason.code: reason for reason in grades.REASONS}
    return {
        "grade": _choice(rating.grade_choice), "bad": rating.bad,
        "reasons": [_choice(reasons[code]) for code in rating.reasons if code in reasons],
        "comment": rating.comment, "channel": rating.channel, "rated_at": rating.rated_at,
        "excluded": rating.excluded_at is not None,
    }  # fmt: skip


def follow_up_out(follow_up: FollowUp, today: date) -> dict:
    return {
        "id": follow_up.pk, "service": follow_up.rating.label,
        "rating": rating_out(follow_up.rating), "state": follow_up.state,
        "opened_on": follow_up.opened_on, "revisit_due": follow_up.revisit_due,
        "rectify_due": follow_up.rectify_due, "due_on": follow_up.due_on,
        "overdue": services.is_overdue(follow_up, today), "note": follow_up.note,
        "actions": [a for a in FOLLOW_UP.allowed(follow_up.state) if a in STEPS]
        + (["exclude"] if follow_up.is_open else []),
    }  # fmt: skip

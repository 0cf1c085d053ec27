"""The state machines of a case, in one place: which move leads from which state to which.

Services call ``tongban.core.moves.move`` to change a state; nothing else decides what is
allowed. Pure Python, so the stateful property test and the pages read the same table.
"""

from collections.abc import Iterable

from tongban.core.machine import machine

# An application: filled in once, accepted at one window, decided matter by matter,
# issued together (一窗受理、分类审批、统一出证).
APPLICATION = machine(
    "application",
    "draft",
    {"rejected", "withdrawn", "expired", "completed"},
    {
        "submit": ({"draft"}, "submitted"),
        "expire": ({"draft"}, "expired"),
        "accept": ({"submitted"}, "in_review"),
        "reject": ({"submitted"}, "rejected"),
        "withdraw": ({"submitted", "in_review"}, "withdrawn"),
        # Taken by the system when a supplement was not made in time and no matter is left
        # with a decision: the application is deemed withdrawn (视为撤回).
        "lapse": ({"in_review"}, "withdrawn"),
        # Taken by the system when the last review task is decided.
        "conclude": ({"in_review"}, "decided"),
        "issue": ({"decided"}, "issued"),
        "complete": ({"issued"}, "completed"),
    },
)

# One matter of an accepted application, in the inbox of its department's reviewers.
# While a supplement is owed the clock is paused. A matter that needs the result of another
# matter of the application waits, its clock not started, until that result is issued.
REVIEW = machine(
    "review",
    "reviewing",
    {"approved", "refused", "withdrawn"},
    {
        "wait": ({"reviewing"}, "waiting"),
        "start": ({"waiting"}, "reviewing"),
        "request_supplement": ({"reviewing"}, "supplement"),
        "supply": ({"supplement"}, "reviewing"),
        "approve": ({"reviewing"}, "approved"),
        "refuse": ({"reviewing", "supplement"}, "refused"),
        "withdraw": ({"reviewing", "supplement", "waiting"}, "withdrawn"),
        # A supplement it needed was not made in time: deemed withdrawn (视为撤回).
        "lapse": ({"reviewing", "supplement"}, "withdrawn"),
    },
)

# The results of an issued application on their way to the applicant.
DELIVERY = machine(
    "delivery",
    "preparing",
    {"collected", "delivered"},
    {
        "make_ready": ({"preparing", "returned"}, "ready"),
        "collect": ({"ready"}, "collected"),
        "dispatch": ({"preparing"}, "dispatched"),
        "carry": ({"dispatched"}, "in_transit"),
        "deliver": ({"dispatched", "in_transit"}, "delivered"),
        "return": ({"dispatched", "in_transit"}, "returned"),
    },
)

# The fees of a decided application: due until the applicant pays, before the issue.
PAYMENT = machine("payment", "due", {"paid"}, {"pay": ({"due"}, "paid")})

MACHINES = {m.name: m for m in (APPLICATION, REVIEW, DELIVERY, PAYMENT)}


def outcome(decisions: Iterable[str]) -> str:
    """What a matter comes to once each of its departments has decided: refused if any
    refused, approved only if all approved, otherwise withdrawn."""
    decided = set(decisions)
    if "refused" in decided:
        return "refused"
    return "approved" if decided == {"approved"} else "withdrawn"


# States in which an application is still the applicant's to change.
EDITABLE = {"draft"}
# Review states that are decisions.
DECIDED = {"approved", "refused", "withdrawn"}
# Application states in which its matters are reviewed and decided: those it concludes from.
UNDER_REVIEW = APPLICATION.sources("conclude")
# Application states in which the applicant may rate the service: once there is an outcome.
RATEABLE = {"issued", "completed", "rejected"}
# Delivery states of a parcel with the post: the carrier may still deliver it.
WITH_THE_POST = DELIVERY.sources("deliver")


def _(text: str) -> str:
    """Marks a label for translation (makemessages); the pages translate it when shown."""
    return text


# What each state is called on the pages, in English; the codes of the four machines do
# not clash ("withdrawn" means the same for an application and a matter).
LABELS = {
    # applications
    "draft": _("draft"),
    "submitted": _("submitted, waiting for acceptance"),
    "in_review": _("in review"),
    "rejected": _("not accepted"),
    "withdrawn": _("withdrawn"),
    "expired": _("expired"),
    "decided": _("decided, to be issued"),
    "issued": _("issued"),
    "completed": _("completed"),
    # review tasks
    "reviewing": _("reviewing"),
    "supplement": _("waiting for a supplement"),
    "waiting": _("waiting for the result of another matter"),
    "approved": _("approved"),
    "refused": _("refused"),
    # deliveries
    "preparing": _("being prepared"),
    "ready": _("ready for pickup"),
    "collected": _("collected"),
    "dispatched": _("handed to the post"),
    "in_transit": _("in transit"),
    "delivered": _("delivered"),
    "returned": _("returned to the centre"),
    # payments
    "due": _("to be paid"),
    "paid": _("paid"),
}

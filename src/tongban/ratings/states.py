"""The follow-up of a bad rating (差评整改): revisit the rater, verify what happened,
rectify, feed the result back. A rating judged malicious or mistaken is excluded after
review instead. Pure Python."""

from django.utils.translation import gettext_lazy as _

from tongban.core.machine import machine

OPEN_STATES = ("revisiting", "verifying", "rectifying", "feeding_back")

FOLLOW_UP = machine(
    "follow-up",
    "revisiting",
    {"closed", "excluded"},
    {
        "revisit": ({"revisiting"}, "verifying"),
        "verify": ({"verifying"}, "rectifying"),
        "rectify": ({"rectifying"}, "feeding_back"),
        "close": ({"feeding_back"}, "closed"),
        "exclude": (set(OPEN_STATES), "excluded"),
    },
)

# Moves a manager takes, in order (exclude is a separate decision on the rating).
STEPS = ("revisit", "verify", "rectify", "close")

LABELS = {
    "revisiting": _("to revisit the rater"),
    "verifying": _("to verify"),
    "rectifying": _("to rectify"),
    "feeding_back": _("to feed back"),
    "closed": _("closed"),
    "excluded": _("rating excluded"),
}

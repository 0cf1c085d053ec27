"""The state machine of a ticket, in one place (see ``applications/states.py``)."""

from tongban.core.machine import machine

# A visit to the hall: waits, is called to a counter, is served, is done. A called visitor
# who does not come is recalled up to the centre's limit, then a no-show. A transferred
# ticket waits again in its new queue, with its first arrival time. Closing a counter puts
# its called ticket back ("release"). A parked ticket (the visitor fetches a document) is
# resumed at the counter that parked it.
TICKET = machine(
    "ticket",
    "waiting",
    {"done", "no_show", "cancelled"},
    {
        "call": ({"waiting"}, "called"),
        "recall": ({"called"}, "called"),
        "release": ({"called"}, "waiting"),
        "miss": ({"called"}, "no_show"),
        "start": ({"called"}, "serving"),
        "finish": ({"serving"}, "done"),
        "transfer": ({"called", "serving"}, "waiting"),
        "park": ({"serving"}, "parked"),
        "resume": ({"parked"}, "serving"),
        "cancel": ({"waiting", "called", "parked"}, "cancelled"),
    },
)

WAITING, CALLED, SERVING, PARKED, DONE = "waiting", "called", "serving", "parked", "done"
# The tickets a counter holds: at most one at a time.
HELD = frozenset({CALLED, SERVING})

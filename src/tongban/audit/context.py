"""Who is acting: set by the middleware for a request, or by a command for its run."""

from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar[object | None] = ContextVar("audit_actor", default=None)


def current_actor() -> object | None:
    return _actor.get()


@contextmanager
def acting_as(actor: object | None):
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)

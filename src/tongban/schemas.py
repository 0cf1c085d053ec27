"""Schemas shared by the API routers."""

from ninja import Schema


class Problem(Schema):
    """An RFC 9457 problem detail, the API's one error format."""

    type: str
    title: str
    status: int
    detail: str
    instance: str

"""The hall's JSON API under /api/v1/hall/: one module per user of it (visitors and devices,
counter clerks, managers), each with its own router added here."""

from ninja import Router

router = Router()

"""The hall's JSON API under /api/v1/hall/: one module per user of it (visitors and devices,
counter clerks, managers), each with its own router added here."""

from ninja import Router

from .counters import router as counters_router
from .manager import router as manager_router
from .ratings import router as ratings_router
from .visitors import router as visitors_router

router = Router()
router.add_router("", counters_router)
router.add_router("", visitors_router)
router.add_router("", manager_router)
router.add_router("", ratings_router)

"""The guidance the site serves: the district's files compiled against its catalogue."""

from pathlib import Path

from django.conf import settings

from tongban.catalogue.models import CatalogueVersion
from tongban.catalogue.queries import public_version
from tongban.catalogue.versions import records

from .content import read_guidance
from .engine import Guide

_compiled: dict[tuple, Guide] = {}


def guidance_folder() -> Path:
    return Path(settings.TONGBAN_GUIDANCE_DIR)


def compile_guide(version: CatalogueVersion, folder: Path | None = None) -> Guide:
    """Read and compile the guidance against a catalogue version (raises ContentErrors)."""
    matters = {record["code"]: record for record in records(version)}
    return read_guidance(folder or guidance_folder(), matters)


def current_guide() -> Guide | None:
    """The compiled guidance of the served catalogue version, built once and kept."""
    version = public_version()
    if version is None:
        return None
    folder = guidance_folder()
    stamp = max((p.stat().st_mtime for p in folder.rglob("*.yaml")), default=0)
    key = (version.pk, version.digest, str(folder), stamp)
    guide = _compiled.get(key)
    if guide is None:
        _compiled.clear()
        guide = _compiled[key] = compile_guide(version, folder)
    return guide


def stats(guide: Guide, paths: int | None = None) -> dict:
    business = [a for a in guide.activities.values() if a.kind == "business"]
    life = [a for a in guide.activities.values() if a.kind == "life"]
    return {
        "licences": len(guide.licences),
        "activities": len(business),
        "scenarios": sum(len(a.scenarios) for a in business),
        "questions": sum(len(a.questions) for a in guide.activities.values()),
        "life_events": len(life),
        "paths": paths,
    }

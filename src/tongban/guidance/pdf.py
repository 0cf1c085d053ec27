"""PDFs of the one sheet and the forms, generated on first request and cached.

The cache key is the hash of what the PDF shows (scenario, answers, language, catalogue
version): no personal data in it, so personal PDFs are never cached.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings

from tongban.core.files import private_dir, publish
from tongban.core.pdf import render_pdf


def cache_path(kind: str, key: dict) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return Path(settings.VAR_DIR) / "pdf" / kind / f"{digest}.pdf"


def cached_pdf(template: str, context: dict, key: dict, kind: str) -> bytes:
    """The PDF of ``template``, from the cache when the same ``key`` was rendered before."""
    path = cache_path(kind, key)
    if path.exists():
        return path.read_bytes()
    pdf = render_pdf(template, context)
    private_dir(path.parent)
    publish(path, pdf)
    return pdf

"""PDF of the one sheet, from an HTML template, generated on first request and cached.

WeasyPrint embeds the CJK font it finds on the machine (fonts-wqy-microhei, installed by
make install), so Chinese renders and extracts. The cache key is the hash of what the
PDF shows (scenario, answers, language, catalogue version): no personal data in it.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string


def cache_path(kind: str, key: dict) -> Path:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    return Path(settings.VAR_DIR) / "pdf" / kind / f"{digest}.pdf"


def render_pdf_uncached(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # heavy: imported only when a PDF is first made

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.PROJECT_DIR)).write_pdf()


def render_pdf(template: str, context: dict, key: dict, kind: str) -> bytes:
    """The PDF of ``template``, from the cache when the same ``key`` was rendered before."""
    path = cache_path(kind, key)
    if path.exists():
        return path.read_bytes()
    pdf = render_pdf_uncached(template, context)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(pdf)
    partial.replace(path)  # atomic: a reader never sees half a file
    return pdf

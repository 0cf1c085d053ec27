"""QR codes of links, as inline SVG for pages and PDFs."""

from functools import lru_cache

import segno


@lru_cache(maxsize=2048)
def qr_svg(url: str, *, scale: int = 2, title: str | None = None) -> str:
    """The SVG markup of ``url``'s QR code (error correction M); drawing one costs
    milliseconds, so the recent ones are kept."""
    return segno.make(url, error="m").svg_inline(scale=scale, title=title)

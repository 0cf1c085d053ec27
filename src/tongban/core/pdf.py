"""PDF from an HTML template, by WeasyPrint.

WeasyPrint embeds the CJK font it finds on the machine (fonts-wqy-microhei, installed by
make install), so Chinese renders and extracts. Paths in the template (fonts, images,
styles) are relative to the project folder.
"""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template: str, context: dict) -> bytes:
    """The PDF of ``template`` rendered with ``context``."""
    from weasyprint import HTML  # heavy: imported only when a PDF is made

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.PROJECT_DIR)).write_pdf()

"""The one PDF and the one QR helper."""

import io
import re

from pypdf import PdfReader

from tongban.core.pdf import render_pdf
from tongban.core.qr import qr_svg


def test_render_pdf_makes_a_pdf_whose_chinese_text_extracts(settings, tmp_path):
    (tmp_path / "t.html").write_text(
        "<html><body><p>食品经营许可证 {{ name }}</p></body></html>", encoding="utf-8"
    )
    settings.TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [tmp_path]}
    ]
    pdf = render_pdf("t.html", {"name": "Food licence"})
    assert pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "食品经营许可证" in text  # the CJK font is embedded
    assert "Food licence" in text


def test_qr_svg_is_inline_svg_of_the_link_at_the_asked_scale():
    small = qr_svg("https://example.org/verify/C1")
    large = qr_svg("https://example.org/verify/C1", scale=4, title="QR")
    assert small.startswith("<svg") and large.startswith("<svg")
    width = lambda svg: int(re.search(r'width="(\d+)"', svg).group(1))  # noqa: E731
    assert width(large) == 2 * width(small)
    assert "<title>QR</title>" in large and "<title>" not in small
    assert qr_svg("https://example.org/verify/C2") != small

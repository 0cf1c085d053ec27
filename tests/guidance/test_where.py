"""Issue 11 point 15: the sheet says for each matter who handles it and where to go.

The lost social security card gives an online matter of a district centre's counter
(reporting the ID card lost), a counter-only one (the temporary ID card) and city-wide
community matters; losing a job with hardship gives a community matter of the centre where
the person lives (the minimum living allowance). The rule is catalogue.places, shared with
the matter's guide page.
"""

import subprocess

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tongban.catalogue.models import Region, ServiceCentre
from tongban.guidance.services import sheet_token

LOST = sheet_token(
    "sscard-lost",
    {"also_lost": ["id-card", "medical-card", "booklet", "pension-card"], "doctor": False},
)
UNEMPLOYED = sheet_token(
    "unemployed-dismissed",
    {"hukou": True, "years": 1, "termination": False, "difficulty": ["disability"],
     "plan": "flexible", "hardship": True},
)  # fmt: skip
CENTRE = "Jing'an District Administrative Service Centre"
ADDRESS = "1 Example Road"


@pytest.fixture
def site(demo_catalogue, tmp_path):
    # The centre's address is not confirmed (centres.yaml): give one to see it shown.
    centre = ServiceCentre.objects.get(code="jingan-administrative-service-centre")
    centre.address_en, centre.address_zh = ADDRESS, "示例路1号"
    centre.save()
    cache.clear()  # sheet bodies are kept per guide version, not per organisation data
    with override_settings(VAR_DIR=tmp_path):
        yield


def _where(client, token: str) -> dict[str, dict]:
    plan = client.get(f"/api/v1/guidance/sheets/{token}").json()
    return {m["code"]: m["where"] for m in plan["matters"]}


def test_the_api_names_the_department_and_the_place_of_each_matter(client, site):
    where = _where(client, LOST)
    online = where["ps-id-card-loss-report"]
    assert online["department"]["name"] == {
        "en": "Jing'an Branch of the Shanghai Public Security Bureau",
        "zh": "上海市公安局静安分局",
    }
    assert online["online"] and online["counter"]["kind"] == "general"
    assert online["counter"]["name"] == {"en": "General counter", "zh": "通用窗口"}
    assert [c["name"]["en"] for c in online["centres"]] == [CENTRE]
    assert online["centres"][0]["address"] == {"en": ADDRESS, "zh": "示例路1号"}
    counter_only = where["ps-temporary-id-card"]
    assert not counter_only["online"] and counter_only["centres"] == online["centres"]
    city_wide = where["hcs-medical-card-loss-report"]
    assert city_wide["anywhere_in_city"] and city_wide["centre_kind"] == "community"
    assert len(city_wide["centres"]) == 14  # Jing'an's own, the guide page lists them
    local = _where(client, UNEMPLOYED)["ca-minimum-living-allowance"]
    assert local["centre_kind"] == "community" and not local["anywhere_in_city"]
    assert local["department"]["name"]["en"] == "Jing'an District Civil Affairs Bureau"


def _line(text: str, name: str) -> str:
    """The text of a matter's entry on the sheet: its name up to the next matter."""
    start = text.index(name)
    return " ".join(text[start : start + 600].split())


def test_the_sheet_page_says_who_and_where_for_each_matter(client, site):
    page = client.get(reverse("guidance:sheet", args=[LOST])).content.decode()
    page = page.replace("&#x27;", "'")
    online = _line(page, "Reporting a lost resident identity card")
    assert "Handled by Jing'an Branch of the Shanghai Public Security Bureau." in online
    assert '#apply-heading">Online</a> or in person:' in online
    assert f"General counter, {CENTRE} ({ADDRESS})" in online
    counter_only = _line(page, "Temporary resident identity card")
    assert f"In person only: General counter, {CENTRE}" in counter_only
    city_wide = _line(page, "Reporting a lost medical insurance card")
    assert "In person only: any community affairs reception centre in Shanghai" in city_wide
    local = client.get(reverse("guidance:sheet", args=[UNEMPLOYED])).content.decode()
    allowance = _line(local, "Applying for the minimum living allowance")
    assert "Handled by Jing&#x27;an District Civil Affairs Bureau." in allowance
    assert "the community affairs reception centre of the sub-district or town where you live" in (
        allowance
    )


def test_the_sheet_pdf_in_chinese_says_who_and_where(client, site, tmp_path):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    response = client.get(reverse("guidance:sheet_pdf", args=[LOST]))
    assert response.status_code == 200
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    text = "".join(text.split())
    assert "由上海市公安局静安分局办理" in text
    assert "网上办理或到现场：静安区行政服务中心通用窗口（示例路1号）" in text
    assert "仅限现场办理：静安区行政服务中心通用窗口" in text
    assert "本市任一社区事务受理服务中心（全市通办）" in text


def test_a_place_missing_is_said_not_left_blank(client, site):
    # Jing'an's administrative centre moved to another district: none is left in Jing'an.
    baoshan = Region.objects.get(code="310113")
    ServiceCentre.objects.filter(code="jingan-administrative-service-centre").update(region=baoshan)
    page = client.get(reverse("guidance:sheet", args=[LOST])).content.decode()
    assert "General counter: No centre recorded yet." in page
    assert _where(client, LOST)["ps-temporary-id-card"]["centres"] == []


def test_the_guide_page_says_where_by_the_same_rule(client, site):
    page = client.get(reverse("matter", args=["ps-temporary-id-card"])).content.decode()
    page = " ".join(page.replace("&#x27;", "'").split())
    assert f"In person only: General counter, {CENTRE} ({ADDRESS})" in page
    page = client.get(reverse("matter", args=["ca-minimum-living-allowance"])).content.decode()
    assert "the community affairs reception centre of the sub-district or town where you live" in (
        " ".join(page.split())
    )

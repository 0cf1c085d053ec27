"""Issue 12: the centres' opening days and hours are data (core.opening), on every page and
API that shows them, in English and Chinese; bad hours in centres.yaml name file and line."""

import importlib
from datetime import datetime
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tongban.catalogue.loader import load_districts
from tongban.catalogue.models import ServiceCentre
from tongban.core.opening import SHANGHAI
from tongban.core.yamlfile import ContentErrors
from tongban.guidance.services import sheet_token

from ..conftest import DATA

PENGPU = "jingan-pengpu-xincun-community"
DISTRICT = "jingan-administrative-service-centre"
PENGPU_EN = "Monday to Friday 8:30–16:30; weekends and public holidays 8:30–11:30"
PENGPU_ZH = "周一至周五 8:30–16:30；双休日及法定节假日 8:30–11:30"
DISTRICT_EN = "Monday to Friday 9:00–17:00; closed on weekends and public holidays"
DISTRICT_ZH = "周一至周五 9:00–17:00；双休日及法定节假日休息"
# National Day, 10:00 in Shanghai: Pengpu Xincun is open, the district centre is not.
NATIONAL_DAY = datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def national_day(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NATIONAL_DAY)


def test_pengpu_xincun_opens_every_day_of_the_year(demo):
    pengpu = ServiceCentre.objects.get(code=PENGPU).opening_hours
    assert pengpu.is_open(NATIONAL_DAY)
    assert pengpu.is_open(datetime(2026, 10, 11, 8, 30, tzinfo=SHANGHAI))  # a Sunday
    assert not pengpu.is_open(datetime(2026, 10, 11, 11, 30, tzinfo=SHANGHAI))
    district = ServiceCentre.objects.get(code=DISTRICT).opening_hours
    assert district.next_opening(NATIONAL_DAY) == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    baoshan = ServiceCentre.objects.get(code="baoshan-administrative-service-centre")
    assert baoshan.opening_hours is None and baoshan.hours_text == ""


def test_the_organisations_page_shows_the_generated_hours_in_both_languages(client, demo):
    page = client.get("/organisations/").content.decode()
    assert PENGPU_EN in page and DISTRICT_EN in page
    district_row = next(row for row in page.split("<tr>") if "Jing&#x27;an District Admin" in row)
    assert "unconfirmed" in district_row  # unverified: [hours]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/organisations/").content.decode()
    assert PENGPU_ZH in page and DISTRICT_ZH in page


def test_the_guide_page_shows_the_hours_of_its_centres(client, demo_catalogue):
    community = client.get(reverse("matter", args=["ca-minimum-living-certificate"]))
    assert f"({PENGPU_EN})" in community.content.decode()
    district = client.get(reverse("matter", args=["health-public-place-hygiene-licence"]))
    assert f"({DISTRICT_EN})" in district.content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    community = client.get(reverse("matter", args=["ca-minimum-living-certificate"]))
    assert f"({PENGPU_ZH})" in community.content.decode()


def test_the_api_gives_the_hours_as_words_and_data_and_whether_open_now(
    client, demo_catalogue, national_day
):
    pengpu = client.get(f"/api/v1/centres/{PENGPU}").json()
    assert pengpu["hours"] == {"en": PENGPU_EN, "zh": PENGPU_ZH}
    assert pengpu["opening_hours"] == {
        "working_days": [{"opens": "08:30", "closes": "16:30"}],
        "weekends": [{"opens": "08:30", "closes": "11:30"}],
        "holidays": [{"opens": "08:30", "closes": "11:30"}],
    }
    assert pengpu["open_now"] is True
    assert pengpu["next_opening"] == "2026-10-01T10:00:00+08:00"
    district = client.get(f"/api/v1/centres/{DISTRICT}").json()
    assert district["open_now"] is False
    assert district["next_opening"] == "2026-10-08T09:00:00+08:00"
    assert district["unverified"] == ["hours"]
    centres = client.get("/api/v1/centres").json()
    assert len(centres) == 15 and {c["code"] for c in centres} >= {PENGPU, DISTRICT}
    assert client.get("/api/v1/centres/baoshan-administrative-service-centre").status_code == 404
    missing = client.get("/api/v1/centres/nope")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"


def test_the_guidance_sheet_api_gives_each_centre_its_hours(client, demo_catalogue, national_day):
    token = sheet_token("sscard-lost", {"also_lost": ["id-card"], "doctor": False})
    plan = client.get(f"/api/v1/guidance/sheets/{token}").json()
    where = next(m["where"] for m in plan["matters"] if m["code"] == "ps-id-card-loss-report")
    [centre] = where["centres"]
    assert centre["hours"] == {"en": DISTRICT_EN, "zh": DISTRICT_ZH}
    assert centre["opening_hours"]["weekends"] == []
    assert centre["open_now"] is False


def test_the_admin_refuses_hours_that_are_not_hours(demo):
    centre = ServiceCentre.objects.get(code=PENGPU)
    centre.hours = {"weekends": [{"opens": "11:30", "closes": "08:30"}]}
    with pytest.raises(ValidationError, match="closes before it opens"):
        centre.full_clean()


def _centres(tmp_path: Path, hours: str) -> Path:
    folder = tmp_path / "district"
    folder.mkdir()
    (folder / "district.yaml").write_text((DATA / "baoshan" / "district.yaml").read_text())
    (folder / "centres.yaml").write_text(
        f"- code: x\n  kind: administrative\n  name: {{en: X, zh: 某}}\n  hours:\n{hours}",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize(
    ("hours", "line", "says"),
    [
        ("    working_days: 9:00-17:00\n    weekends: 9-12\n", 6, "hours.weekends: write hours"),
        ("    working_days: 9:00-17:00\n    sundays: closed\n", 6, "hours.sundays: unknown kind"),
        ("    working_days: 9:00\n", 5, "hours.working_days: write hours"),  # YAML reads 540
        ("    working_days: 17:00-9:00\n", 5, "hours.working_days: 17:00–9:00: closes before"),
        ("    working_days: 9:00-12:00, 11:00-17:00\n", 5, "hours.working_days: 9:00–12:00 and"),
        ("    working_days: 9:00-24:00\n", 5, "hours.working_days: 24:00 is not a time"),
        ("    - 9:00-17:00\n", 4, "hours: must give the hours of working_days"),
    ],
)
def test_bad_hours_name_file_line_and_field_and_load_nothing(db, tmp_path, hours, line, says):
    with pytest.raises(ContentErrors) as raised:
        load_districts([_centres(tmp_path, hours)], matters=False)
    assert f"centres.yaml:{line}: {says}" in str(raised.value), str(raised.value)
    assert not ServiceCentre.objects.exists()


def test_kinds_of_day_left_out_are_closed(db, tmp_path):
    load_districts([_centres(tmp_path, "    working_days: 9:00-17:00\n")], matters=False)
    centre = ServiceCentre.objects.get(code="x")
    assert centre.opening_hours.description()["en"] == DISTRICT_EN


def test_the_yaml_export_keeps_the_hours(demo_catalogue, tmp_path, capsys):
    call_command("catalogue", "export", "--format", "yaml", "--output", str(tmp_path / "out"))
    exported = (tmp_path / "out" / "centres.yaml").read_text(encoding="utf-8")
    assert "working_days: 8:30-16:30" in exported
    ServiceCentre.objects.filter(code=PENGPU).update(hours={})
    load_districts([tmp_path / "out"], matters=False)
    assert ServiceCentre.objects.get(code=PENGPU).hours_text == PENGPU_EN


def test_the_migration_reads_the_texts_of_the_content_files():
    migration = importlib.import_module("tongban.catalogue.migrations.0005_opening_hours_i12b")
    text = "Monday to Friday 8:30–16:30, open over lunch; weekends and public holidays 8:30–11:30"
    assert migration._periods(text, "Monday to Friday") == [{"opens": "08:30", "closes": "16:30"}]
    weekends = migration._periods(text, "weekends and public holidays")
    assert weekends == [{"opens": "08:30", "closes": "11:30"}]
    assert migration._periods("Monday to Friday 9:00–17:00", "weekends and public holidays") == []

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.audit.models import AuditEntry
from tongban.catalogue.loader import load_districts
from tongban.catalogue.models import Department, Region, ServiceCentre
from tongban.core.yamlfile import ContentErrors

from ..conftest import DATA


def test_the_demo_has_jingan_in_full_and_baoshan(demo):
    jingan = Region.objects.get(code="310106")
    assert jingan.parent.name_zh == "上海市"
    assert jingan.children.count() == 14  # 13 sub-districts and Pengpu town
    assert Department.objects.filter(region=jingan).count() == 24
    assert ServiceCentre.objects.filter(region__parent=jingan, kind="community").count() == 14
    assert ServiceCentre.objects.filter(region=jingan, kind="administrative").count() == 1
    pengpu = ServiceCentre.objects.get(code="jingan-pengpu-xincun-community")
    assert pengpu.name_zh == "彭浦新村街道社区事务受理服务中心"
    assert pengpu.region.district == jingan
    assert Department.objects.filter(region__code="310113", code="baoshan-health").exists()


def test_loading_again_changes_nothing(demo_catalogue):
    counts = (Region.objects.count(), Department.objects.count(), AuditEntry.objects.count())
    load_districts([DATA / "jingan", DATA / "baoshan"])
    assert counts == (
        Region.objects.count(),
        Department.objects.count(),
        AuditEntry.objects.count(),
    )


def _district(tmp_path: Path, departments: str) -> Path:
    folder = tmp_path / "district"
    folder.mkdir()
    (folder / "district.yaml").write_text((DATA / "baoshan" / "district.yaml").read_text())
    (folder / "departments.yaml").write_text(departments, encoding="utf-8")
    return folder


GOOD = "- code: a\n  name: {en: A, zh: 甲}\n"


@pytest.mark.parametrize(
    ("departments", "line", "says"),
    [
        (GOOD + "- code: b\n  name: {en: B, zh: 乙}\n  colour: red\n", 5, "colour: unknown key"),
        (GOOD + "- code: b\n  name: {en: B}\n", 4, "name.zh: missing translation"),
        (GOOD + "- code: a\n  name: {en: B, zh: 乙}\n", 3, "duplicate code 'a'"),
        (GOOD + "- code: b\n  name: {en: B, zh: 乙}\n  credit_code: '123'\n", 5, "18 characters"),
        (GOOD + "- code: b\n  name: [x\n", 5, "invalid YAML"),
        (GOOD + "- code: B!\n  name: {en: B, zh: 乙}\n", 3, "lower-case letters"),
    ],
)
def test_a_bad_file_names_file_line_and_field_and_loads_nothing(
    db, tmp_path, departments, line, says
):
    folder = _district(tmp_path, departments)
    with pytest.raises(ContentErrors) as raised:
        load_districts([folder])
    message = str(raised.value)
    assert f"departments.yaml:{line}:" in message, message
    assert says in message, message
    assert not Region.objects.exists()
    assert not Department.objects.exists()


def test_a_file_too_large_is_refused(db, tmp_path):
    folder = _district(tmp_path, GOOD + "#" * (3 * 1024 * 1024))
    with pytest.raises(ContentErrors, match="content files are at most"):
        load_districts([folder])


def test_a_centre_in_another_district_is_refused(demo, tmp_path):
    folder = _district(tmp_path, GOOD)
    (folder / "centres.yaml").write_text(
        "- code: x\n  kind: community\n  region: '310106020000'\n  name: {en: X, zh: 某}\n"
    )
    with pytest.raises(ContentErrors, match="centres.yaml:3: region"):
        load_districts([folder])


def test_the_command_prints_every_error_and_fails(db, tmp_path, capsys):
    folder = _district(tmp_path, "- code: a\n- code: b\n  name: {en: B, zh: 乙}\n  x: 1\n")
    with pytest.raises(CommandError, match="2 error"):
        call_command("catalogue", "load", str(folder))
    err = capsys.readouterr().err
    assert "departments.yaml:1: name: missing" in err
    assert "departments.yaml:4: x: unknown key" in err


def test_the_organisations_page_in_both_languages(client, demo):
    page = client.get("/organisations/").content.decode()
    assert "Pengpu Xincun Sub-district Community Affairs Reception Centre" in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/organisations/").content.decode()
    assert "彭浦新村街道社区事务受理服务中心" in page
    assert "上海市静安区市场监督管理局" in page

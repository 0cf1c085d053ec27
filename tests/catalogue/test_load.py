import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.audit.models import AuditEntry
from tongban.catalogue.loader import load_districts
from tongban.catalogue.models import CatalogueVersion, Matter
from tongban.catalogue.queries import public_version
from tongban.catalogue.versions import records
from tongban.core.yamlfile import ContentErrors

from .sample import MATTER, sample_folder


def _errors(folder) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        load_districts([folder])
    return [str(e) for e in caught.value.errors]


def test_load_makes_a_published_version_and_loading_again_changes_nothing(db, tmp_path):
    folder = sample_folder(tmp_path)
    counts = load_districts([folder])
    assert "v1 (new, 2 matters)" in counts["catalogue"]
    version = public_version()
    assert version.number == 1 and not version.is_draft
    matter = version.matters.get(code="test-food-licence")
    assert matter.implementation_code == "3101060117901"
    assert [m.principal for m in matter.materials.all()] == [True, True, False]
    assert matter.materials.all()[1].name_zh == "营业执照"  # the evidence type's name
    counts = load_districts([folder])
    assert "v1 (unchanged" in counts["catalogue"]
    assert CatalogueVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.LOAD).count() == 1


def test_changed_content_is_a_new_version_and_the_old_one_keeps_its_rows(db, tmp_path):
    load_districts([sample_folder(tmp_path / "a")])
    first = public_version()
    load_districts(
        [sample_folder(tmp_path / "b", MATTER.replace("promised_days: 5", "promised_days: 3"))]
    )
    second = public_version()
    assert second.number == 2
    assert second.matters.get(code="test-food-licence").promised_days == 3
    assert first.matters.get(code="test-food-licence").promised_days == 5
    assert public_version(1) == first


BAD_MATTERS = [
    (
        "department: jingan-market",
        "department: jingan-nowhere",
        "test.yaml:6: department: no department 'jingan-nowhere'",
    ),
    ("evidence: floor-plan,", "evidence: floor-planz,", "evidence: no evidence type 'floor-planz'"),
    ("promised_days: 5", "promised_days: -5", "test.yaml:15: promised_days: must not be negative"),
    (
        "promised_days: 5",
        "promised_days: 15",
        "promised_days: longer than the statutory time limit",
    ),
    (
        "kind: promised",
        "kind: someday",
        "test.yaml:16: kind: 'someday' is not one of instant, promised",
    ),
    ("counter: market", "counter: window-9", "counter: 'window-9' is not one of"),
    (
        "  type: licence",
        "  type: licence\n  colour: red",
        "test.yaml:6: colour: unknown key in matter",
    ),
    (
        "{en: Test food licence, zh: 测试食品经营许可}",
        "{en: Test food licence}",
        "name.zh: missing translation",
    ),
    (
        "code: test-family-allowance",
        "code: test-food-licence",
        "code: duplicate code 'test-food-licence'",
    ),
    (
        'basic_code: "0117901"',
        'basic_code: "2017901"',
        "basic_code: must start with the GB type code",
    ),
    ("themes: [food-drug]", "themes: [gardening]", "themes: no theme 'gardening'"),
    (
        "  kind: instant\n  on_the_spot: true",
        "  kind: promised\n  on_the_spot: true",
        "on_the_spot: a matter done on the spot is an instant matter",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_MATTERS)
def test_bad_content_names_file_line_and_field_and_keeps_the_served_version(
    db, tmp_path, old, new, message
):
    load_districts([sample_folder(tmp_path / "good")])
    served = public_version()
    assert old in MATTER
    errors = _errors(sample_folder(tmp_path / "bad", MATTER.replace(old, new, 1)))
    assert any(message in e for e in errors), errors
    assert public_version() == served
    assert CatalogueVersion.objects.count() == 1


def test_malformed_yaml_and_huge_files_are_refused(db, tmp_path):
    errors = _errors(sample_folder(tmp_path / "a", MATTER + "- code: [unclosed\n"))
    assert any("test.yaml:" in e for e in errors), errors
    folder = sample_folder(tmp_path / "b")
    (folder / "matters" / "huge.yaml").write_bytes(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    errors = _errors(folder)
    assert any("huge.yaml" in e and "at most" in e for e in errors), errors
    assert not Matter.objects.exists()


def test_an_error_in_one_file_loads_nothing_of_the_others(db, tmp_path):
    folder = sample_folder(tmp_path)
    (folder / "matters" / "zz.yaml").write_text("- code: broken\n", encoding="utf-8")
    errors = _errors(folder)
    assert any("zz.yaml:1: basic_code: missing in matter" in e for e in errors), errors
    assert not Matter.objects.exists() and not CatalogueVersion.objects.exists()


def test_check_reports_without_loading(db, tmp_path, capsys):
    call_command("catalogue", "check", str(sample_folder(tmp_path)))
    assert "checked, not loaded" in capsys.readouterr().out
    assert not CatalogueVersion.objects.exists()
    bad = sample_folder(tmp_path / "bad", MATTER.replace("counter: market", "counter: moon"))
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("catalogue", "check", str(bad))
    assert "counter: 'moon'" in capsys.readouterr().err


def test_yaml_export_loads_back_into_the_same_catalogue(db, tmp_path, capsys):
    load_districts([sample_folder(tmp_path)])
    before = sorted(records(public_version()), key=lambda m: m["code"])
    call_command("catalogue", "export", "--format", "yaml", "--output", str(tmp_path / "out"))
    counts = load_districts([tmp_path / "out"])
    assert "v1 (unchanged" in counts["catalogue"]
    assert sorted(records(public_version()), key=lambda m: m["code"]) == before

"""The Chinese translation covers every string of the interface."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SOURCE = Path(settings.BASE_DIR)
PO = SOURCE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(po: Path) -> dict[str, list[str]]:
    """msgid → its msgstr values, from a .po file (header left out)."""
    entries: dict[str, list[str]] = {}
    blocks = po.read_text(encoding="utf-8").split("\n\n")
    for block in blocks:
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt) (".*")$', line)
            if match:
                key = match.group(1)
                fields[key] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields["msgid"]] = [v for k, v in fields.items() if k.startswith("msgstr")]
    return entries


def test_every_entry_is_translated_and_none_is_fuzzy():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    untranslated = [msgid for msgid, values in _entries(PO).items() if not all(values)]
    assert untranslated == []


def test_placeholders_survive_translation():
    for msgid, values in _entries(PO).items():
        wanted = set(re.findall(r"%\(\w+\)s", msgid))
        for value in values:
            assert set(re.findall(r"%\(\w+\)s", value)) == wanted, msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_no_string_of_the_code_is_missing_from_the_catalogue(tmp_path):
    copy = tmp_path / "tongban"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("*.mo", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "tongban.cli", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "tongban.settings"},
        check=True,
        capture_output=True,
    )
    fresh = _entries(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    missing = sorted(set(fresh) - set(_entries(PO)))
    assert missing == [], "run `make messages` and translate these"
    assert all(all(v) for v in fresh.values())


def test_the_home_page_speaks_chinese(client, db):
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in page
    assert "跳转到主要内容" in page
    assert "政务服务“一网通办”" in page
    assert "Skip to main content" not in page

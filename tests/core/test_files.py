"""The one way files are published, and the private storage of uploads built on it."""

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from tongban.core.files import PrivateFileStorage, publish


def test_publish_writes_a_private_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.pdf"
    assert publish(target, b"%PDF-1.7 content") is True
    assert target.read_bytes() == b"%PDF-1.7 content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_publish_takes_chunks_and_a_mode(tmp_path):
    target = tmp_path / "certificate.pem"
    publish(target, iter([b"-----BEGIN", b" CERT"]), mode=0o644)
    assert target.read_bytes() == b"-----BEGIN CERT"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_published_file_is_never_overwritten(tmp_path):
    (tmp_path / "key.pem").write_bytes(b"first")
    assert publish(tmp_path / "key.pem", b"second") is False
    assert (tmp_path / "key.pem").read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["key.pem"]  # no temporary file left


def test_of_concurrent_writers_the_first_wins_and_no_one_sees_half_a_file(tmp_path):
    target = tmp_path / "race.bin"
    contents = [bytes([n]) * 200_000 for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        won = list(pool.map(lambda data: publish(target, data), contents))
    assert won.count(True) == 1
    assert target.read_bytes() == contents[won.index(True)]
    assert [p.name for p in tmp_path.iterdir()] == ["race.bin"]


def test_without_hard_links_publish_falls_back_to_a_rename(tmp_path, monkeypatch):
    def no_links(source, destination):
        raise PermissionError("hard links are not supported here")

    monkeypatch.setattr("tongban.core.files.os.link", no_links)
    target = tmp_path / "a.pdf"
    assert publish(target, b"one") is True
    assert publish(target, b"two") is False
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]


def test_the_uploads_storage_follows_the_upload_folder_setting(settings, tmp_path):
    settings.TONGBAN_UPLOAD_DIR = tmp_path / "uploads"
    storage = storages["uploads"]
    assert isinstance(storage, PrivateFileStorage)
    name = storage.save("ab/" + "ab" * 32 + ".pdf", ContentFile(b"%PDF-1.7"))
    path = tmp_path / "uploads" / name
    assert path.read_bytes() == b"%PDF-1.7"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for directory in (tmp_path / "uploads", path.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


def test_the_same_name_is_kept_not_renamed(tmp_path):
    storage = PrivateFileStorage(location=tmp_path)
    assert storage.save("ab/x.pdf", ContentFile(b"first")) == "ab/x.pdf"
    assert storage.save("ab/x.pdf", ContentFile(b"first")) == "ab/x.pdf"
    assert sorted(p.name for p in (tmp_path / "ab").iterdir()) == ["x.pdf"]


def test_the_storage_opens_no_link_out_of_the_store(tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-secret")
    (tmp_path / "store" / "ab").mkdir(parents=True)
    (tmp_path / "store" / "ab" / "x.pdf").symlink_to(secret)
    storage = PrivateFileStorage(location=tmp_path / "store")
    with pytest.raises(Exception, match="out of the store"):
        storage.open("ab/x.pdf")

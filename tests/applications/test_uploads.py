import hashlib
import io
import os
import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile
from django.http import JsonResponse
from django.test import RequestFactory
from django.urls import path
from PIL import Image
from pypdf import PdfWriter

from tongban.applications.uploads import (
    LimitedUploadHandler,
    UploadRejected,
    open_stored,
    sanitise_filename,
    store_upload,
)


def upload_view(request):
    """What a real view does: parse the body first, then read the errors with a default."""
    files = request.FILES
    errors = getattr(request, "upload_errors", {})
    return JsonResponse(
        {
            "files": {field: files[field].size for field in files},
            "fields": dict(request.POST.items()),
            "errors": {field: str(message) for field, message in errors.items()},
        }
    )


urlpatterns = [path("upload/", upload_view)]


@pytest.fixture
def store(settings, tmp_path):
    settings.TONGBAN_UPLOAD_DIR = tmp_path / "uploads"
    return settings.TONGBAN_UPLOAD_DIR


def pdf_bytes(pages: int = 3, password: str | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(format: str, size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=format)
    return out.getvalue()


def upload(content: bytes, name: str = "file.pdf", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_pdf_is_stored_by_its_content_with_its_page_count(store):
    content = pdf_bytes(3)
    stored = store_upload(upload(content, "营业执照.pdf"), "营业执照.pdf")

    sha = hashlib.sha256(content).hexdigest()
    assert stored.sha256 == sha
    assert stored.path == f"{sha[:2]}/{sha}.pdf"
    assert stored.size == len(content)
    assert stored.pages == 3
    assert stored.content_type == "application/pdf"
    assert stored.name == "营业执照.pdf"
    with open_stored(stored.path) as handle:
        assert handle.read() == content
    assert stored_files(store) == [stored.path]  # and no temporary file left


def test_stored_files_and_their_directories_are_private(store):
    stored = store_upload(upload(pdf_bytes(1)), "a.pdf")
    file = store / stored.path
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    for directory in (store, store / "tmp", file.parent):
        assert stat.S_IMODE(directory.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("format", "extension", "content_type"),
    [("PNG", "png", "image/png"), ("JPEG", "jpg", "image/jpeg")],
)
def test_png_and_jpeg_images_are_accepted(store, format, extension, content_type):
    content = image_bytes(format)
    # The client's name and content type say nothing that counts.
    stored = store_upload(upload(content, "photo.pdf", "application/pdf"), "photo.pdf")
    assert stored.content_type == content_type
    assert stored.path.endswith(f".{extension}")
    assert stored.pages == 1
    assert stored.sha256 == hashlib.sha256(content).hexdigest()


def test_a_plain_binary_file_object_is_accepted(store):
    content = image_bytes("PNG")
    stored = store_upload(io.BytesIO(content), "scan.png")
    assert stored.size == len(content)


def test_a_text_file_named_pdf_is_rejected(store):
    with pytest.raises(UploadRejected) as rejected:
        store_upload(
            upload(b"Dear officer,\nplease find attached...\n", "letter.pdf"), "letter.pdf"
        )
    assert rejected.value.code == "type"
    assert str(rejected.value) == "This file is not a PDF, JPEG or PNG."
    assert stored_files(store) == []


def test_an_executable_named_png_is_rejected(store):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 4096
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(exe, "photo.png", "image/png"), "photo.png")
    assert rejected.value.code == "type"
    assert stored_files(store) == []


def test_an_empty_file_is_rejected(store):
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(b""), "empty.pdf")
    assert str(rejected.value) == "This file is empty."
    assert stored_files(store) == []


def test_an_over_size_file_is_rejected_and_leaves_nothing_behind(store, settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    content = pdf_bytes(1) + b"\n%" + b"x" * (3 * 1024 * 1024)
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(content), "big.pdf")
    assert rejected.value.code == "too_large"
    assert str(rejected.value) == "This file is larger than 2 MB."
    assert list((store / "tmp").iterdir()) == []
    assert stored_files(store) == []


def test_reading_stops_as_soon_as_the_limit_is_passed(store, settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1024 * 1024
    read = 0

    class Endless:
        def chunks(self):
            nonlocal read
            yield b"%PDF-1.7\n"
            while True:
                read += 64 * 1024
                yield b"\0" * 64 * 1024

    with pytest.raises(UploadRejected):
        store_upload(Endless(), "endless.pdf")
    assert read <= 1024 * 1024 + 64 * 1024
    assert list((store / "tmp").iterdir()) == []


def test_a_file_of_the_wrong_type_is_rejected_before_it_is_read_whole(store):
    read = 0

    class Endless:
        def chunks(self):
            nonlocal read
            while True:
                read += 1
                yield b"GIF89a" + b"\0" * 1000

    with pytest.raises(UploadRejected) as rejected:
        store_upload(Endless(), "anim.png")
    assert rejected.value.code == "type"
    assert read == 1


def test_the_temporary_file_goes_when_reading_the_upload_fails(store):
    class Broken:
        def chunks(self):
            yield b"%PDF-1.7\n" + b"\0" * 1000
            raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        store_upload(Broken(), "broken.pdf")
    assert list((store / "tmp").iterdir()) == []


def test_a_pdf_over_the_page_limit_is_rejected(store, settings):
    settings.TONGBAN_UPLOAD_MAX_PAGES = 2
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(pdf_bytes(3)), "long.pdf")
    assert rejected.value.code == "pages"
    assert str(rejected.value) == "This PDF has 3 pages; at most 2 are accepted."
    assert stored_files(store) == []


def test_an_encrypted_pdf_is_rejected(store):
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(pdf_bytes(2, password="secret")), "locked.pdf")
    assert rejected.value.code == "pdf"
    assert "password-protected" in str(rejected.value)
    assert stored_files(store) == []


def test_a_damaged_pdf_is_rejected(store):
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(b"%PDF-1.7\n" + b"garbage " * 500), "damaged.pdf")
    assert rejected.value.code == "pdf"
    assert stored_files(store) == []


def test_a_damaged_image_is_rejected(store):
    png = image_bytes("PNG")
    damaged = png[:40] + bytes(b ^ 0xFF for b in png[40:60]) + png[60:]
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(damaged, "x.png", "image/png"), "x.png")
    assert rejected.value.code == "image"
    assert str(rejected.value) == "This image cannot be read: it may be damaged."
    assert stored_files(store) == []


# 1200 pixels: over MAX_IMAGE_PIXELS Pillow warns, over twice that it raises an error.
@pytest.mark.parametrize("max_pixels", [1000, 500])
def test_a_decompression_bomb_is_rejected(store, monkeypatch, max_pixels):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", max_pixels)
    with pytest.raises(UploadRejected) as rejected:
        store_upload(upload(image_bytes("PNG", (40, 30)), "x.png", "image/png"), "x.png")
    assert rejected.value.code == "image_too_large"
    assert stored_files(store) == []


def test_the_same_content_twice_is_the_same_file_left_untouched(store):
    content = pdf_bytes(2)
    first = store_upload(upload(content), "a.pdf")
    before = os.stat(store / first.path)
    second = store_upload(upload(content), "b.pdf")
    after = os.stat(store / first.path)

    assert second.path == first.path
    assert (second.name, first.name) == ("b.pdf", "a.pdf")
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert stored_files(store) == [first.path]


def test_a_path_in_the_name_is_dropped(store):
    stored = store_upload(upload(pdf_bytes(1)), "../../etc/passwd")
    assert stored.name == "passwd"
    assert stored_files(store) == [stored.path]


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\li\\Desktop\\身份证 正面.jpg", "身份证 正面.jpg"),
        ("..", "document"),
        ("", "document"),
        ("   \t\n ", "document"),
        ("report\u202egpj.exe", "reportgpj.exe"),
        ("a\x00b\x1fc\x7f.pdf", "abc.pdf"),
        ('say "hi"; <b>|?*.pdf', "say _hi__ _b____.pdf"),
        ("户口本\u3000  第一页\n.png", "户口本 第一页.png"),
        (".hidden.pdf", "hidden.pdf"),
        ("trailing dots...", "trailing dots"),
        ("CON.pdf", "_CON.pdf"),
        ("合同" * 100 + ".pdf", "合同" * 58 + ".pdf"),
        ("x" * 200, "x" * 120),
        ("?.pdf", "_.pdf"),
        (".pdf", "pdf"),
    ],
)
def test_sanitise_filename(name, safe):
    assert sanitise_filename(name) == safe
    assert len(sanitise_filename(name)) <= 120


@pytest.mark.parametrize(
    "path", ["../x", "/etc/passwd", "", "tmp/upload-1.part", "ab/../../x.pdf", "ab/cd.pdf"]
)
def test_open_stored_refuses_paths_it_did_not_make(store, path):
    with pytest.raises(FileNotFoundError):
        open_stored(path)


def test_open_stored_refuses_a_link_out_of_the_store(store, tmp_path):
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF-secret")
    sha = "ab" + "0" * 62
    (store / "ab").mkdir(parents=True)
    (store / "ab" / f"{sha}.pdf").symlink_to(secret)
    with pytest.raises(FileNotFoundError):
        open_stored(f"ab/{sha}.pdf")


def test_the_upload_handler_is_installed(settings):
    assert settings.FILE_UPLOAD_HANDLERS == ["tongban.applications.uploads.LimitedUploadHandler"]


@pytest.mark.urls("tests.applications.test_uploads")
def test_an_over_size_upload_becomes_an_error_and_the_request_completes(
    client, db, settings, tmp_path
):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 100 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    big = io.BytesIO(b"%PDF-1.7\n" + b"x" * (300 * 1024))
    big.name = "big.pdf"
    small = io.BytesIO(pdf_bytes(1))
    small.name = "small.pdf"

    response = client.post("/upload/", {"big": big, "small": small, "note": "after the files"})

    assert response.status_code == 200
    body = response.json()
    assert body["errors"] == {"big": "This file is larger than 100 KB."}
    assert body["files"] == {"small": len(pdf_bytes(1))}
    assert body["fields"] == {"note": "after the files"}
    assert list(tmp_path.iterdir()) == []  # the skipped file's temporary file is gone too


@pytest.mark.urls("tests.applications.test_uploads")
def test_a_request_without_an_over_size_file_has_no_errors(client, db):
    small = io.BytesIO(image_bytes("PNG"))
    small.name = "small.png"
    response = client.post("/upload/", {"scan": small})
    assert response.status_code == 200
    assert response.json()["errors"] == {}


def test_a_declared_over_size_file_is_skipped_without_closing_the_previous_one(settings):
    settings.TONGBAN_UPLOAD_MAX_BYTES = 1000
    request = RequestFactory().post("/upload/")
    handler = LimitedUploadHandler(request)
    handler.new_file("first", "a.pdf", "application/pdf", None)
    handler.receive_data_chunk(b"%PDF-" + b"x" * 100, 0)
    first = handler.file_complete(105)

    with pytest.raises(SkipFile):
        handler.new_file("second", "b.pdf", "application/pdf", 5000)

    assert not hasattr(handler, "file")  # so the parser cannot close the first file
    assert not first.closed
    assert str(request.upload_errors["second"]) == "This file is larger than 1000 bytes."
    first.close()

"""Safe storage of the documents applicants upload.

An upload is streamed, chunk by chunk, into a private temporary file under
``TONGBAN_UPLOAD_DIR/tmp`` while its SHA-256 and size are computed, so memory use does
not depend on the file's size. Its type is sniffed from its first bytes (the client's
content type and extension are never trusted), PDFs are opened with pypdf to count their
pages and images with Pillow to check them, and only then is the file saved under a
content-addressed name ``<sha256[:2]>/<sha256>.<pdf|jpg|png>`` in the ``uploads`` storage
(``settings.STORAGES``: private files under TONGBAN_UPLOAD_DIR, or object storage on a
production site). Whatever goes wrong, the temporary file is removed and nothing stored
before is touched.

:class:`LimitedUploadHandler` stops keeping an over-size file while the request body is
still being received, and tells the view why.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.http import FileResponse, Http404
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader

from tongban.core.files import PRIVATE_FILE, private_dir

__all__ = [
    "LimitedUploadHandler",
    "StoredFile",
    "UploadRejected",
    "open_stored",
    "sanitise_filename",
    "store_upload",
]

_READ_SIZE = 64 * 1024
_SNIFF_BYTES = 8
_MAX_NAME = 120
_FALLBACK_NAME = "document"


@dataclass(frozen=True)
class _Kind:
    extension: str
    content_type: str
    magic: bytes
    pillow_format: str | None = None


_PDF = _Kind("pdf", "application/pdf", b"%PDF-")
_JPEG = _Kind("jpg", "image/jpeg", b"\xff\xd8\xff", "JPEG")
_PNG = _Kind("png", "image/png", b"\x89PNG\r\n\x1a\n", "PNG")
_KINDS = (_PDF, _JPEG, _PNG)

# The only paths store_upload() makes, and so the only ones open_stored() opens.
_STORED_PATH = re.compile(r"[0-9a-f]{2}/[0-9a-f]{64}\.(?:pdf|jpg|png)")


# --- messages ---------------------------------------------------------------


def _interpolate(message: str, params: dict) -> str:
    return gettext(message) % params


# Translated when shown, in the language active then, not when the upload is checked.
_lazy_interpolate = lazy(_interpolate, str)


def _format_size(size: int) -> str:
    """10485760 → "10 MB", 1572864 → "1.5 MB", 2048 → "2 KB", 900 → "900 bytes"."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
            return f"{text} {unit}"
    return f"{size} bytes"


def _too_large_message(limit: int):
    return _lazy_interpolate(
        gettext_noop("This file is larger than %(limit)s."), {"limit": _format_size(limit)}
    )


class UploadRejected(Exception):
    """An upload that is not kept; ``message`` says why, in words for the applicant.

    ``message`` is a lazy translatable string: it is translated when shown. ``code`` is a
    stable word for programs: ``empty``, ``too_large``, ``type``, ``pdf``, ``pages``,
    ``image`` or ``image_too_large``.
    """

    def __init__(self, message, code: str):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


# --- storing ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredFile:
    path: str  # the name in the uploads storage, "/"-separated
    sha256: str
    size: int
    content_type: str
    pages: int  # 1 for an image
    name: str  # the applicant's file name, sanitised: for display and downloads only


class _Chunked(Protocol):
    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def _chunks(source: _Chunked | IO[bytes]) -> Iterator[bytes]:
    if hasattr(source, "chunks"):
        yield from source.chunks()
    elif hasattr(source, "read"):
        while chunk := source.read(_READ_SIZE):
            yield chunk
    else:
        raise TypeError(f"cannot read an upload from {type(source).__name__}")


def _upload_root() -> Path:
    return Path(settings.TONGBAN_UPLOAD_DIR)


def _storage() -> Storage:
    return storages["uploads"]


def _sniff(head: bytes) -> _Kind:
    for kind in _KINDS:
        if head.startswith(kind.magic):
            return kind
    raise UploadRejected(_("This file is not a PDF, JPEG or PNG."), code="type")


def _count_pdf_pages(path: str) -> int:
    unreadable = UploadRejected(
        _("This PDF cannot be read: it may be damaged or password-protected."), code="pdf"
    )
    try:
        with open(path, "rb") as handle:
            reader = PdfReader(handle, strict=False)
            if reader.is_encrypted:
                raise unreadable
            pages = len(reader.pages)
    except UploadRejected:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a broken file
        raise unreadable from error
    if pages < 1:
        raise unreadable
    limit = settings.TONGBAN_UPLOAD_MAX_PAGES
    if pages > limit:
        raise UploadRejected(
            _lazy_interpolate(
                gettext_noop("This PDF has %(pages)s pages; at most %(limit)s are accepted."),
                {"pages": pages, "limit": limit},
            ),
            code="pages",
        )
    return pages


def _check_image(path: str, kind: _Kind) -> None:
    unreadable = UploadRejected(_("This image cannot be read: it may be damaged."), code="image")
    try:
        with warnings.catch_warnings():
            # Above MAX_IMAGE_PIXELS Pillow only warns (an error from twice that): refuse both.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=[kind.pillow_format]) as image:
                # The same limit checked here too: warning filters are process-wide and
                # another thread may change them meanwhile.
                pixels = image.width * image.height
                if Image.MAX_IMAGE_PIXELS and pixels > Image.MAX_IMAGE_PIXELS:
                    raise Image.DecompressionBombError(f"{pixels} pixels")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadRejected(
            _("This image has too many pixels to be checked safely."), code="image_too_large"
        ) from error
    except Exception as error:  # Pillow raises many kinds of error on a broken file
        raise unreadable from error


def store_upload(source: _Chunked | IO[bytes], name: str) -> StoredFile:
    """Check an upload and store it; raise UploadRejected when it is not acceptable.

    ``source`` is a Django UploadedFile, anything else with ``.chunks()``, or a binary file
    object with ``.read()``. ``name`` is the applicant's file name: it is only sanitised and
    returned, never used to decide the type or the place of the file.
    """
    root = _upload_root()  # the local working folder, whatever the storage
    temp_dir = root / "tmp"
    private_dir(root)
    private_dir(temp_dir)
    limit = settings.TONGBAN_UPLOAD_MAX_BYTES

    descriptor, temp = tempfile.mkstemp(dir=temp_dir, prefix="upload-", suffix=".part")
    try:
        digest = hashlib.sha256()
        size = 0
        head = b""
        kind = None
        with os.fdopen(descriptor, "wb") as out:
            os.fchmod(out.fileno(), PRIVATE_FILE)
            for chunk in _chunks(source):
                if not chunk:
                    continue
                size += len(chunk)
                if size > limit:
                    raise UploadRejected(_too_large_message(limit), code="too_large")
                if kind is None and len(head) < _SNIFF_BYTES:
                    head += chunk[: _SNIFF_BYTES - len(head)]
                    if len(head) >= _SNIFF_BYTES:
                        kind = _sniff(head)  # reject at once, before reading the rest
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UploadRejected(_("This file is empty."), code="empty")
        if kind is None:
            kind = _sniff(head)

        if kind is _PDF:
            pages = _count_pdf_pages(temp)
        else:
            _check_image(temp, kind)
            pages = 1

        sha256 = digest.hexdigest()
        relative = f"{sha256[:2]}/{sha256}.{kind.extension}"
        storage = _storage()
        if not storage.exists(relative):  # same name, same content: keep the one stored
            with open(temp, "rb") as checked:
                storage.save(relative, File(checked))
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)

    return StoredFile(
        path=relative,
        sha256=sha256,
        size=size,
        content_type=kind.content_type,
        pages=pages,
        name=sanitise_filename(name),
    )


def open_stored(path: str) -> File:
    """Open a stored file for reading, given its ``StoredFile.path``.

    Raise FileNotFoundError for any path store_upload() does not make (absolute paths,
    ``..``, the temporary directory) and for any the storage refuses, such as a symbolic
    link out of the store.
    """
    if not isinstance(path, str) or not _STORED_PATH.fullmatch(path):
        raise FileNotFoundError(f"no stored file {path!r}")
    try:
        return _storage().open(path, "rb")
    except SuspiciousFileOperation:
        raise FileNotFoundError(f"no stored file {path!r}") from None


# --- file names ---------------------------------------------------------------

# Unsafe in a Content-Disposition header or on some file system (Windows above all).
_UNSAFE = re.compile(r'[<>:"/\\|?*;]')
_WINDOWS_RESERVED = re.compile(r"(?i)(?:CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(?:\..*)?")
_EXTENSION = re.compile(r"\.[^\W_]{1,10}")


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if char in "\t\n\r\v\f" or category in ("Zs", "Zl", "Zp"):
        return " "
    # Cc: C0/C1 controls; Cf: format characters such as U+202E RIGHT-TO-LEFT OVERRIDE,
    # which makes "cod.exe" show as "exe.doc"; Cs, Co, Cn: surrogates, private, unassigned.
    if category.startswith("C"):
        return ""
    return char


def sanitise_filename(name: str) -> str:
    """A file name safe to show and to send in a Content-Disposition header.

    Keep the base name only, drop control and format characters, replace characters
    unsafe in headers or file systems with "_", keep CJK and other letters, collapse
    whitespace, cap the length at 120 characters keeping the extension. Never empty.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(_clean_char(char) for char in name)
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split())
    name = name.strip(" .")  # no "..", no hidden file, no trailing dot (Windows)
    if _WINDOWS_RESERVED.fullmatch(name):
        name = f"_{name}"

    stem, dot, extension = name.rpartition(".")
    if dot and stem and _EXTENSION.fullmatch(dot + extension):
        extension = dot + extension
    else:
        stem, extension = name, ""
    stem = stem[: _MAX_NAME - len(extension)].rstrip(" .")
    if not stem:
        return _FALLBACK_NAME + extension
    return stem + extension


# --- upload handler ---------------------------------------------------------------


class LimitedUploadHandler(TemporaryFileUploadHandler):
    """Stream uploaded files to temporary files, dropping any above TONGBAN_UPLOAD_MAX_BYTES.

    Every file goes to a temporary file on disk (none is held in memory). Once a file
    passes the limit, the bytes received so far are deleted, the rest of that file is read
    and thrown away (the request completes normally and the other fields and files are
    kept), the file is left out of ``request.FILES``, and ``request.upload_errors[field]``
    says why, as a lazy translatable message: "This file is larger than 10 MB.".

    ``request.upload_errors`` is filled while the body is parsed, so a view reads
    ``request.POST`` or ``request.FILES`` first, and it may be missing (no multipart body,
    other handlers), so read it with a default::

        def upload(request):
            form = DocumentForm(request.POST, request.FILES)  # parses the body
            for field, message in getattr(request, "upload_errors", {}).items():
                form.add_error(field if field in form.fields else None, message)
            if form.is_valid():
                ...

    Enabled by ``FILE_UPLOAD_HANDLERS`` in the settings. A file that passes here is still
    checked by :func:`store_upload`.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self._errors()
        return super().handle_raw_input(input_data, META, content_length, boundary, encoding)

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        self.limit = settings.TONGBAN_UPLOAD_MAX_BYTES
        self.received = 0
        # The previous file, already in request.FILES, is no business of this one: the
        # parser closes (and so deletes) the handler's ``file`` when SkipFile is raised.
        self.__dict__.pop("file", None)
        self.field_name = field_name
        if content_length is not None and content_length > self.limit:
            self._skip()
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self._skip()
        return super().receive_data_chunk(raw_data, start)

    def _errors(self) -> dict:
        if self.request is None:
            return {}
        if not hasattr(self.request, "upload_errors"):
            self.request.upload_errors = {}
        return self.request.upload_errors

    def _skip(self):
        self._errors()[self.field_name] = _too_large_message(self.limit)
        file = self.__dict__.pop("file", None)
        if file is not None:
            file.close()  # a TemporaryUploadedFile deletes itself when closed
        raise SkipFile(f"{self.field_name}: over {self.limit} bytes")


def stored_file_response(path: str, name: str, content_type: str) -> FileResponse:
    """A stored file as a download; callers check who may have it first."""
    try:
        handle = open_stored(path)
    except FileNotFoundError:
        raise Http404("file missing") from None
    response = FileResponse(
        handle, as_attachment=True, filename=sanitise_filename(name), content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

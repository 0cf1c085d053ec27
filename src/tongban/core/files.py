"""Files written once and never seen half-written, and the private store built on that.

``publish`` writes to a temporary file beside the destination and hard-links it into
place, which fails when the name is taken: of concurrent writers the first one wins, and a
reader sees the whole file or none. Where the file system has no hard links it falls back
to ``os.replace``. ``PrivateFileStorage`` is Django's FileSystemStorage doing the same, for
names that say what the content is (a digest), so the same name means the same bytes.
"""

import contextlib
import os
import threading
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def publish(path: Path, content: bytes | Iterable[bytes], *, mode: int = PRIVATE_FILE) -> bool:
    """Write ``path`` with ``content`` (bytes or chunks) and ``mode`` unless it exists.

    True when this call wrote the file, False when it was there already.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(descriptor, "wb") as file:
            os.fchmod(file.fileno(), mode)  # os.open's mode is filtered by the umask
            for chunk in [content] if isinstance(content, bytes) else content:
                file.write(chunk)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here
            if path.exists():
                return False
            os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)


def private_dir(path: Path) -> None:
    """Make a directory only its owner can enter; existing directories are left as they are."""
    if path.is_dir():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # made meanwhile by a concurrent writer
        path.mkdir(mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is filtered by the umask


class PrivateFileStorage(FileSystemStorage):
    """Files only the site's user may read (0600, directories 0700), each written once.

    Give ``location`` or ``location_setting``, the name of a setting holding the folder
    (read on every use, so a test's override of that setting applies). Keep the folder
    outside the web root: files leave only through views that check who may have them.
    A name that exists already is kept as it is: names are content digests.
    """

    def __init__(self, location=None, location_setting: str = "", **options):
        options.setdefault("file_permissions_mode", PRIVATE_FILE)
        options.setdefault("directory_permissions_mode", PRIVATE_DIR)
        super().__init__(location=location, **options)
        self.location_setting = location_setting

    @property
    def base_location(self) -> str:
        if self._location is None and self.location_setting:
            return str(getattr(settings, self.location_setting))
        return self._value_or_setting(self._location, settings.MEDIA_ROOT)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return name  # same name, same content: nothing to rename

    def _save(self, name: str, content) -> str:
        path = Path(self.path(name))
        for folder in reversed(path.relative_to(self.location).parents):
            private_dir(Path(self.location) / folder)
        publish(path, content.chunks(), mode=self.file_permissions_mode)
        return name

    def _open(self, name: str, mode: str = "rb"):
        """Open a stored file; refuse any that resolves out of the store (a symbolic link)."""
        root = Path(self.location).resolve()
        if not Path(self.path(name)).resolve().is_relative_to(root):
            raise SuspiciousFileOperation(f"{name!r} leads out of the store")
        return super()._open(name, mode)

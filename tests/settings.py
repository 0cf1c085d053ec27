"""The production settings, with the few values tests need set through the environment."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "tests-only-key-7f3a1c9e5b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault(
    "TONGBAN_VAR_DIR", str(Path(__file__).resolve().parent.parent / "var" / "tests")
)

from tongban.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

# SQLite tests run on a file, as production does: in WAL mode with IMMEDIATE transactions,
# as the concurrency tests need (an in-memory database shared between threads locks whole
# tables instead of waiting). pytest-xdist gives each worker its own file.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "SECRET_KEY": "k2J#9vQx!pL7rT0zW4mN8bF3hY6dS1aG5cE-uI_oP+xV2nM7qR4tZ9wB",
    "ALLOWED_HOSTS": "services.jingan.example",
    "DATABASE_URL": "sqlite:////tmp/tongban-deploy-check.sqlite3",
}


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT")
    }
    clean["DJANGO_SETTINGS_MODULE"] = "tongban.settings"
    return subprocess.run(
        [sys.executable, "-m", "tongban.cli", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _run("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("value", "ok"), [("yes", True), ("0", True), ("maybe", False)])
def test_debug_is_read_strictly(value, ok):
    result = _run("check", env={**PRODUCTION, "DEBUG": value})
    assert (result.returncode == 0) == ok, result.stderr
    if not ok:
        assert "DEBUG must be true or false" in result.stderr

"""Running a benchmark on a throwaway PostgreSQL cluster (scripts/with-postgres)."""

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSIDE = "TONGBAN_BENCH_IN_CLUSTER"


def create_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def in_cluster(script: str, run: Callable[[Path], None], prefix: str) -> int:
    """Run ``script`` again inside the cluster, which the helper stops and removes at the
    end; there, ``run`` gets a scratch folder (removed afterwards) and its own database."""
    if os.environ.get(INSIDE) != "1":
        env = {**os.environ, INSIDE: "1"}
        command = [str(ROOT / "scripts" / "with-postgres"), sys.executable, script]
        return subprocess.run(command, env=env, cwd=ROOT).returncode
    create_database(os.environ["DATABASE_URL"])
    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0

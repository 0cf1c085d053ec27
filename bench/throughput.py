"""HTTP throughput with the production server: guidance resolve (JSON) and the result
page (HTML) against a bare view returning a constant, side by side in one run.

Run: make bench (or .venv/bin/python bench/throughput.py). Needs wrk (Debian package).
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DURATION, CONNECTIONS, THREADS, WORKERS = "10s", 16, 2, 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url: str, script: Path | None = None) -> float:
    args = ["wrk", "-t", str(THREADS), "-c", str(CONNECTIONS), "-d", DURATION, url]
    if script:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk (make install does it as root)")
    work = Path(tempfile.mkdtemp(prefix="tongban-http-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT),
           "SECRET_KEY": "bench-only-key-" + "x" * 40, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "TONGBAN_VAR_DIR": str(work),
           "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}"}  # fmt: skip
    tongban = [str(BIN / "tongban")]
    subprocess.run([*tongban, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*tongban, "catalogue", "load", "data/jingan"], env=env, check=True,
                   capture_output=True, cwd=ROOT)  # fmt: skip
    subprocess.run([*tongban, "collectstatic", "--no-input", "-v", "0"], env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tongban.wsgi", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"], env=env, cwd=ROOT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/bench/constant/")  # noqa: S310 - our server
                break
            except OSError:
                time.sleep(0.2)
        body = {"scenario": "supermarket-small", "answers": {
            "registered": False, "entity": "company", "sells": ["prepackaged", "cooked"],
            "makes_food": False, "drugs": "otc-b", "devices": [], "signboard": True}}  # fmt: skip
        request = urllib.request.Request(base + "/api/v1/guidance/resolve",  # noqa: S310
                                         data=json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})  # fmt: skip
        token = json.load(urllib.request.urlopen(request))["token"]  # noqa: S310
        sheet = f"{base}/guide/sheet/{token}/"
        script = work / "post.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(body)}]]\n"
        )
        for url in (base + "/bench/constant/", sheet):  # warm every worker
            wrk(url)
        bare = wrk(base + "/bench/constant/")
        resolve = wrk(base + "/api/v1/guidance/resolve", script)
        page = wrk(sheet)
    finally:
        server.terminate()
        server.wait()
    print(f"""## Guidance over HTTP ({datetime.now(UTC):%Y-%m-%d})

Command: `make bench` (`.venv/bin/python bench/throughput.py`): gunicorn, {WORKERS} workers,
DEBUG off, SQLite; wrk {THREADS} threads, {CONNECTIONS} connections, {DURATION} each,
on the same machine.

| endpoint | requests/s | share of the bare view |
|---|---|---|
| bare Django view returning a constant | {bare:,.0f} | 100 % |
| `POST /api/v1/guidance/resolve` (JSON) | {resolve:,.0f} | {resolve / bare:.0%} (target 50 %) |
| `GET /guide/sheet/<token>/` (HTML sheet) | {page:,.0f} | {page / bare:.0%} (target 25 %) |
""")


if __name__ == "__main__":
    sys.exit(main())

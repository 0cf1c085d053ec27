"""Hall over HTTP (issue 12), on PostgreSQL behind gunicorn: the clerk's call-next and the
visitor's status page against the bare-Django floor in the same run, then the display
board's latency (from a clerk's call to each board showing it) with 50 boards polling
every second and 1,000 status pages polling every 10 s while 17 counters call.

Run: .venv/bin/python bench/hall_http.py (it runs itself again inside scripts/with-postgres,
a throwaway cluster). Prints a Markdown section for docs/benchmarks.md.
"""

import heapq
import http.client
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.postgres import in_cluster  # noqa: E402

PENGPU = "jingan-pengpu-xincun-community"
WORKERS, THREADS = 2, 8  # gunicorn gthread
CLERKS, BOARDS, STATUS_PAGES = 17, 50, 1000
QUIET_REQUESTS, QUIET_CALLS = 60, 25  # per thread, per clerk
BOARD_EVERY, STATUS_EVERY, STATUS_POLLERS = 1.0, 10.0, 25
LOAD_SECONDS, SERVICE_SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60")), 4.0
PACED_SECONDS = 30
NUMBER = re.compile(rb"\b[A-Z]\d{3}\b")
EVERY = re.compile(rb'hx-trigger="every (\d+)s"')


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def figures(samples: list[float]) -> str:
    return f"p50 {statistics.median(samples):.1f} ms, p95 {percentile(samples, 95):.1f} ms"


class Client:
    """One keep-alive connection with its cookies and, for POSTs, a CSRF token."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port, self.cookies = port, dict(cookies or {})
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes = b"", headers=None):
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body or None, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.connection.close()  # the server closed an idle keep-alive connection
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response.status, dict(response.getheaders()), data

    def timed(self, method: str, path: str, **kwargs) -> tuple[float, int, dict, bytes]:
        started = time.perf_counter()
        status, headers, data = self.request(method, path, **kwargs)
        return (time.perf_counter() - started) * 1000, status, headers, data


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> dict:
    """The demo organisations and halls, 1,788 tickets waiting at Pengpu, 17 clerks with a
    session each, and 50 board keys."""
    import django

    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from tongban.accounts.models import User
    from tongban.accounts.services import make_staff
    from tongban.audit.context import acting_as
    from tongban.catalogue.loader import load_districts
    from tongban.hall import devices, history, tickets
    from tongban.hall.content import load_halls
    from tongban.hall.models import Hall

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    data = ROOT / "data"
    with acting_as(None):
        load_districts([data / "jingan", data / "baoshan"])
        load_halls(data / "jingan" / "hall.yaml")
        hall = Hall.objects.get(centre__code=PENGPU)
        mix = [q for q in tickets.served_queues(hall) if q.counter_kind]
        tokens = [
            str(tickets.issue(hall, channel="kiosk", queue=mix[i % len(mix)]).token)
            for i in range(history.PEAK_VISITORS)
        ]
        clerks = []
        for counter in hall.counters.order_by("number")[:CLERKS]:
            clerk = make_staff(User(username=f"bench.clerk{counter.number}"), ["clerk"],
                               centre=hall.centre)  # fmt: skip
            session = SessionStore()
            session[SESSION_KEY] = str(clerk.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = clerk.get_session_auth_hash()
            session.create()
            clerks.append((counter.pk, session.session_key))
        boards = [devices.create(hall, "board", f"Board {i}")[1] for i in range(BOARDS)]
    return {"tokens": tokens, "clerks": clerks, "boards": boards}


def clerk_client(port: int, session_key: str) -> Client:
    csrf = secrets.token_hex(16)  # a 32-character CSRF secret, sent as cookie and header
    client = Client(port, {"sessionid": session_key, "csrftoken": csrf})
    client.csrf = csrf
    return client


def post(client: Client, path: str, body: bytes = b"{}"):
    headers = {"X-CSRFToken": client.csrf, "Content-Type": "application/json"}
    return client.timed("POST", path, body=body, headers=headers)


def serve(client: Client, called: dict) -> None:
    pk = called["ticket"]["id"]
    post(client, f"/api/v1/hall/tickets/{pk}/start")
    post(client, f"/api/v1/hall/tickets/{pk}/finish", b'{"outcome": "advice"}')


def in_threads(count: int, work) -> list:
    """``work(i)`` in ``count`` threads at once; the lists they return, joined."""
    results: list = []
    lock = threading.Lock()

    def run(i: int) -> None:
        found = work(i)
        with lock:
            results.extend(found)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def quiet(port: int, setup: dict) -> dict:
    """Each measure alone: 17 threads at once, as many as the counters."""
    import json

    def floor(_i: int) -> list[float]:
        client = Client(port)
        return [client.timed("GET", "/bench/constant/")[0] for _ in range(QUIET_REQUESTS)]

    def status_pages(_i: int) -> list[float]:
        client, draw = Client(port), random.Random(_i)  # noqa: S311 - a benchmark
        return [client.timed("GET", f"/hall/t/{draw.choice(setup['tokens'])}/")[0]
                for _ in range(QUIET_REQUESTS)]  # fmt: skip

    def calls(i: int) -> list[float]:
        counter, session = setup["clerks"][i]
        client = clerk_client(port, session)
        post(client, f"/api/v1/hall/counters/{counter}/sign-in")
        found = []
        for _ in range(QUIET_CALLS):
            ms, status, _h, data = post(client, f"/api/v1/hall/counters/{counter}/call-next")
            assert status == 200, data
            found.append(ms)
            serve(client, json.loads(data))
        return found

    result = {"floor": in_threads(CLERKS, floor), "status": in_threads(CLERKS, status_pages)}
    result["call"] = in_threads(CLERKS, calls)
    return result


def loaded(port: int, setup: dict, seconds: int, polling: bool = True) -> dict:
    """Boards and status pages polling (unless not ``polling``) while the counters call at
    the pace of a hall."""
    import json

    stop = threading.Event()
    sent: dict[str, float] = {}
    seen: list[dict[str, float]] = [{} for _ in range(BOARDS)]
    status_ms: list[float] = []
    board_ms: list[float] = []
    lock = threading.Lock()

    def board(i: int) -> list:
        client = Client(port)
        client.request("GET", f"/hall/{PENGPU}/board/?key={setup['boards'][i]}")
        etag, mine = "", []
        next_poll = time.monotonic() + random.random() * BOARD_EVERY  # noqa: S311
        while not stop.is_set():
            time.sleep(max(0.0, next_poll - time.monotonic()))
            next_poll += BOARD_EVERY
            headers = {"If-None-Match": etag} if etag else {}
            ms, status, got, data = client.timed("GET", f"/hall/{PENGPU}/board/panel/",
                                                 headers=headers)  # fmt: skip
            mine.append(ms)
            if status == 200:
                etag = got.get("ETag", "")
                now = time.perf_counter()
                for number in NUMBER.findall(data):
                    seen[i].setdefault(number.decode(), now)
        with lock:
            board_ms.extend(mine)
        return []

    def status_poller(i: int) -> list:
        """Open status pages, each asking again when its page says (htmx's interval)."""
        client = Client(port)
        mine = setup["tokens"][i::STATUS_POLLERS][: STATUS_PAGES // STATUS_POLLERS]
        start = time.monotonic()
        due = [(start + random.random() * STATUS_EVERY, token) for token in mine]  # noqa: S311
        heapq.heapify(due)
        found = []
        while not stop.is_set():
            at, token = heapq.heappop(due)
            time.sleep(max(0.0, at - time.monotonic()))
            ms, _status, _h, data = client.timed("GET", f"/hall/t/{token}/",
                                                 headers={"HX-Request": "true"})  # fmt: skip
            found.append(ms)
            every = EVERY.search(data)
            if every:  # a page of a ticket called or done long ago stops asking
                heapq.heappush(due, (at + int(every.group(1)), token))
            if not due:
                break
        with lock:
            status_ms.extend(found)
        return []

    def clerk(i: int) -> list[float]:
        counter, session = setup["clerks"][i]
        client = clerk_client(port, session)
        time.sleep(2 + i * SERVICE_SECONDS / CLERKS)  # boards first; counters spread out
        found = []
        while not stop.is_set():
            before = time.perf_counter()
            ms, status, _h, data = post(client, f"/api/v1/hall/counters/{counter}/call-next")
            called = json.loads(data)
            found.append(ms)
            if not called.get("ticket"):
                break
            with lock:
                sent[called["ticket"]["number"]] = before
            time.sleep(SERVICE_SECONDS)
            serve(client, called)
        return found

    pollers = [threading.Thread(target=board, args=(i,)) for i in range(BOARDS)]
    pollers += [threading.Thread(target=status_poller, args=(i,)) for i in range(STATUS_POLLERS)]
    pollers = pollers if polling else []
    for thread in pollers:
        thread.start()
    timer = threading.Timer(seconds, stop.set)
    timer.start()
    calls = in_threads(CLERKS, clerk)
    for thread in pollers:
        thread.join()
    latencies, missed = [], 0
    for number, at in sent.items():
        for board_seen in seen:
            if number in board_seen:
                latencies.append(board_seen[number] - at)
            else:
                missed += 1
    return {"call": calls, "status": status_ms, "board": board_ms, "latency": latencies,
            "missed": missed, "calls": len(sent)}  # fmt: skip


def run(work: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "0",
        "SECRET_KEY": "bench-only-key-" + "x" * 40, "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false", "TONGBAN_VAR_DIR": str(work), "PYTHONPATH": str(ROOT),
    })  # fmt: skip
    log("preparing the database")
    setup = prepare()
    from django.db import connection

    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tongban.wsgi", "-k", "gthread", "-w", str(WORKERS),
         "--threads", str(THREADS), "-b", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                Client(port).request("GET", "/bench/constant/")
                break
            except OSError:
                time.sleep(0.2)
        log("quiet: floor, status page, call-next")
        alone = quiet(port, setup)
        log(f"paced: {CLERKS} counters alone, {PACED_SECONDS} s")
        paced = loaded(port, setup, PACED_SECONDS, polling=False)
        log(f"loaded: {BOARDS} boards, {STATUS_PAGES} status pages, {LOAD_SECONDS} s")
        busy = loaded(port, setup, LOAD_SECONDS)
    finally:
        server.terminate()
        server.wait()
    report(alone, paced, busy)


def report(alone: dict, paced: dict, busy: dict) -> None:
    floor = statistics.median(alone["floor"])
    ratio = lambda samples: statistics.median(samples) / floor  # noqa: E731
    lat = [s * 1000 for s in busy["latency"]]
    print(f"## Hall over HTTP ({datetime.now(UTC):%Y-%m-%d})\n")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; PostgreSQL (throwaway cluster of "
          f"`scripts/with-postgres`); gunicorn gthread, {WORKERS} workers x {THREADS} "
          f"threads, DEBUG off; the load generator (Python threads, keep-alive) on the same "
          f"machine.\nCommand: `.venv/bin/python bench/hall_http.py`.\n")  # fmt: skip
    print(
        f"Each alone, {CLERKS} threads at once with no pause (a stress: the server's CPUs "
        f"are saturated), 1,788 tickets waiting at Pengpu:\n"
    )
    print("| request | p50 | p95 | p50 / floor |\n|---|---|---|---|")
    for label, key in (("bare Django view (floor)", "floor"), ("status page", "status"),
                       ("call-next (API, clerk session)", "call")):  # fmt: skip
        samples = alone[key]
        print(f"| {label} | {statistics.median(samples):.1f} ms | "
              f"{percentile(samples, 95):.1f} ms | {ratio(samples):.1f} |")  # fmt: skip
    print(
        f"\nUnder load for {LOAD_SECONDS} s: {BOARDS} boards polling their panel every "
        f"{BOARD_EVERY:.0f} s (ETag, 304 until a change), {STATUS_PAGES} status pages "
        f"open, each polling when its page says (every 10 s near the turn, 30 s far from it;"
        f" {STATUS_POLLERS} threads), {CLERKS} counters "
        f"calling, serving {SERVICE_SECONDS:.0f} s and finishing ({busy['calls']} calls):\n"
    )
    print(
        f"- Board latency, from the clerk pressing call-next to a board showing the number "
        f"({len(lat)} board-calls): {figures(lat)} (target p95 at most 2 s); "
        f"{busy['missed']} never shown."
    )
    print(f"- Board panel polls: {len(busy['board'])}, {figures(busy['board'])}.")
    print(f"- Status pages: {len(busy['status'])}, {figures(busy['status'])}.")
    slower = statistics.median(busy["call"]) / statistics.median(paced["call"])
    print(f"- Call-next at the same pace: {figures(paced['call'])} with the counters alone "
          f"({PACED_SECONDS} s), {figures(busy['call'])} under this load; p50 "
          f"{slower:.1f}x.")  # fmt: skip


def main() -> int:
    return in_cluster(str(Path(__file__).resolve()), run, "tongban-bench-hall-http-")


if __name__ == "__main__":
    sys.exit(main())

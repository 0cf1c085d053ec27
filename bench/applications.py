"""Applications at scale (issue 5): a reviewer's inbox and an applicant's list over a million
applications on PostgreSQL, and the server's memory while it takes 20 uploads of 5 MB.

Run: make bench (or .venv/bin/python bench/applications.py). Needs the Debian package
postgresql: the script runs itself again inside scripts/with-postgres, the throwaway cluster
of `make test-postgres` (loopback, a free port, stopped and removed at the end even on
failure). Generating the data takes a few minutes; prints the EXPLAIN ANALYZE plans, then a
Markdown section for docs/benchmarks.md.
"""

import io
import os
import platform
import re
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
DATA = ROOT / "data"
WARMUP, REPEAT = 20, 200
BUDGET, MIN_REPEAT = 60, 10  # seconds for one slow measurement, and its fewest runs
UPLOADS, UPLOAD_SIZE = 20, 5 * 1024 * 1024
SAMPLE_SECONDS = 0.02
LIST_PER_PAGE = 25  # the applicant list page shows 25 a page
TABS = ["supplement", "overdue", "soon", "decided"]  # besides the default tab, "open"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.postgres import in_cluster  # noqa: E402

# --- timing -------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(action, label: str) -> dict:
    """REPEAT runs after WARMUP, or fewer when one run is slow (about BUDGET seconds)."""
    start = time.perf_counter()
    action()
    first = time.perf_counter() - start
    repeat = REPEAT if first * REPEAT <= BUDGET else max(MIN_REPEAT, int(BUDGET / first))
    for _ in range(min(WARMUP, max(2, repeat // 10))):
        action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    result = {"p50": statistics.median(samples), "p95": percentile(samples, 95), "n": repeat}
    log(f"{label}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms ({repeat} runs)")
    return result


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- the cluster and Django -----------------------------------------------------------------


def configure(work: Path) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongban.settings",
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-key-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,testserver",
            "SECURE_SSL_REDIRECT": "false",
            "TONGBAN_VAR_DIR": str(work),
            "TONGBAN_UPLOAD_DIR": str(work / "uploads"),
            "PYTHONPATH": str(ROOT),
        }
    )


# --- the inbox and the list -----------------------------------------------------------------


def measure_pages(generated: dict) -> dict:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tongban.accounts.models import User
    from tongban.applications import access
    from tongban.applications.models import Application
    from tongban.applications.selectors import inbox_tasks
    from tongban.applications.services import clocks
    from tongban.applications.staff.views import INBOX_PER_PAGE, CappedPaginator
    from tongban.notifications.models import Notification

    reviewer = User.objects.get(username="reviewer.market")
    day = clocks.today()

    def inbox_orm(tab: str):
        def action():
            tasks = inbox_tasks(reviewer, tab, day)
            page = CappedPaginator(tasks, INBOX_PER_PAGE).get_page(1)
            rows = list(page.object_list)
            assert len(rows) <= page.paginator.count

        return action

    def list_orm(user):
        def action():
            mine = access.visible_applications(user).order_by("-created_at", "-pk")
            rows = list(Paginator(mine, LIST_PER_PAGE).get_page(1).object_list)
            Notification.objects.filter(user=user, read_at__isnull=True).count()
            assert rows

        return action

    def page(user, url: str, link: str, expected: int):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        found = len(re.findall(link, response.content.decode()))
        assert found == expected, (url, found, expected)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)

        def action():
            assert client.get(url).status_code == 200

        return action, len(queries)

    def explain(action) -> list[dict]:
        with CaptureQueriesContext(connection) as queries:
            action()
        plans = []
        with connection.cursor() as cursor:
            for query in queries.captured_queries:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                plan = [row[0] for row in cursor.fetchall()]
                plans.append({"sql": query["sql"], "plan": plan})
        return plans

    rows = []
    inbox_count = inbox_tasks(reviewer, "open", day).count()
    action, queries = page(
        reviewer, "/staff/reviews/", r'href="/staff/reviews/\d+/"', min(inbox_count, INBOX_PER_PAGE)
    )
    rows.append(
        {
            "who": f"reviewer.market, tab To review ({inbox_count:,} tasks)",
            "orm": timed(inbox_orm("open"), "inbox open, ORM"),
            "page": timed(action, "inbox open, page"),
            "queries": queries,
        }
    )
    for tab in TABS:
        count = inbox_tasks(reviewer, tab, day).count()
        action, queries = page(
            reviewer,
            f"/staff/reviews/?tab={tab}",
            r'href="/staff/reviews/\d+/"',
            min(count, INBOX_PER_PAGE),
        )
        rows.append(
            {
                "who": f"reviewer.market, tab {tab} ({count:,} tasks)",
                "orm": timed(inbox_orm(tab), f"inbox {tab}, ORM"),
                "page": timed(action, f"inbox {tab}, page"),
                "queries": queries,
            }
        )
    for label, pk in (("typical", generated["first_user"] + 1), ("many", generated["heavy_user"])):
        user = User.objects.get(pk=pk)
        count = Application.objects.filter(applicant=user).count()
        action, queries = page(
            user, "/applications/", r'href="/applications/310106\d+/"', min(count, LIST_PER_PAGE)
        )
        rows.append(
            {
                "who": f"applicant {user.username} ({label}: {count} applications)",
                "orm": timed(list_orm(user), f"list {label}, ORM"),
                "page": timed(action, f"list {label}, page"),
                "queries": queries,
            }
        )
    heavy = User.objects.get(pk=generated["heavy_user"])
    return {
        "rows": rows,
        "explain_inbox": explain(inbox_orm("open")),
        "explain_decided": explain(inbox_orm("decided")),
        "explain_list": explain(list_orm(heavy)),
    }


_NODE = re.compile(
    r"(Index Only Scan(?: Backward)? using \S+|Index Scan(?: Backward)? using \S+"
    r"|Bitmap Index Scan on \S+|Seq Scan on \S+|Parallel Seq Scan on \S+)"
)


def plan_summary(plans: list[dict]) -> list[str]:
    lines = []
    for item in plans:
        nodes = []
        for line in item["plan"]:
            nodes += [n for n in _NODE.findall(line) if n not in nodes]
        text = "\n".join(item["plan"])
        removed = sum(int(n) for n in re.findall(r"Rows Removed by Filter: (\d+)", text))
        sort = re.search(r"Sort Method: (.+?)(?:  |$)", text, re.MULTILINE)
        heap = sum(int(n) for n in re.findall(r"Heap Blocks: exact=(\d+)", text))
        took = re.search(r"Execution Time: ([\d.]+) ms", text).group(1)
        what = "count" if "COUNT(*)" in item["sql"] else "page"
        notes = [f"{heap:,} table pages visited" if heap else "",
                 f"{removed:,} rows read and filtered out" if removed else "",
                 f"sort: {sort.group(1)}" if sort else ""]  # fmt: skip
        notes = "; ".join(n for n in notes if n)
        lines.append(f"{what}: {'; '.join(nodes)}{f' ({notes})' if notes else ''}: {took} ms")
    return lines


# --- upload memory --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _status(pid: int, field: str) -> float:
    """A field of /proc/<pid>/status in kB (VmRSS, VmHWM), as MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(field)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


class Sampler(threading.Thread):
    """The worker's resident memory every 20 ms, while the uploads run."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.samples = pid, 0.0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.peak = max(self.peak, _status(self.pid, "VmRSS"))
            self.samples += 1
            self.done.wait(SAMPLE_SECONDS)


def measure_upload() -> dict:
    import requests
    from django.db import connection
    from pypdf import PdfReader

    from bench.applications_data import make_pdf, variant
    from tongban.accounts.demo import DEMO_PASSWORD
    from tongban.accounts.models import User
    from tongban.applications import services
    from tongban.applications.models import Document
    from tongban.catalogue.models import Matter
    from tongban.catalogue.queries import public_version

    applicant = User.objects.get(username="jingan.fresh")
    matter = (
        Matter.objects.filter(version=public_version(), materials__required=True)
        .order_by("position", "code")
        .first()
    )
    application = services.start_from_matter(applicant, matter)
    key = application.materials.order_by("pk").first().key
    pdf, offset = make_pdf(UPLOAD_SIZE)
    for n in (0, UPLOADS - 1):
        assert len(PdfReader(io.BytesIO(variant(pdf, offset, n))).pages) == 1
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "tongban.wsgi", "-w", "1", "-k", "sync",
         "-b", f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT)  # fmt: skip
    cookies: dict[str, str] = {}

    def call(method: str, path: str, **kwargs):
        response = requests.request(
            method, base + path, cookies=cookies, allow_redirects=False, timeout=120, **kwargs
        )
        # Cookies are Secure with DEBUG off: keep them by hand to send them over plain HTTP.
        cookies.update(response.cookies.get_dict())
        return response

    try:
        for _ in range(150):
            try:
                requests.get(base + "/accounts/login/", timeout=60)
                break
            except requests.RequestException:
                time.sleep(0.2)
        workers = _children(server.pid)
        assert len(workers) == 1, workers
        worker = workers[0]
        form = call("GET", "/accounts/login/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        login = call(
            "POST",
            "/accounts/login/",
            data={"username": applicant.username, "password": DEMO_PASSWORD,
                  "csrfmiddlewaretoken": token},
        )  # fmt: skip
        assert login.status_code == 302 and "sessionid" in cookies, login.status_code
        detail = f"/applications/{application.number}/"
        for _ in range(3):
            assert call("GET", detail).status_code == 200
        baseline = _status(worker, "VmRSS")
        sampler = Sampler(worker)
        sampler.start()
        after_each, seconds = [], []
        for n in range(UPLOADS):
            start = time.perf_counter()
            response = call(
                "POST",
                f"/applications/{application.number}/materials/",
                data={"material": key, "csrfmiddlewaretoken": cookies["csrftoken"]},
                files={"file": (f"scan-{n + 1:02d}.pdf", variant(pdf, offset, n),
                                "application/pdf")},
            )  # fmt: skip
            seconds.append(time.perf_counter() - start)
            assert response.status_code == 302, response.status_code
            after_each.append(_status(worker, "VmRSS"))
        sampler.done.set()
        sampler.join()
        after = _status(worker, "VmRSS")
        high_water = _status(worker, "VmHWM")
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = Document.objects.filter(owner=applicant)
    assert stored.count() == UPLOADS, stored.count()
    assert len(set(stored.values_list("sha256", flat=True))) == UPLOADS
    return {
        "size": len(pdf),
        "baseline": baseline,
        "peak": max(sampler.peak, *after_each),
        "after": after,
        "high_water": high_water,
        "after_first": after_each[0],
        "after_each": after_each,
        "samples": sampler.samples,
        "upload_p50": statistics.median(seconds) * 1000,
        "matter": matter.code,
    }


# --- the run --------------------------------------------------------------------------------


def run(work: Path) -> None:
    configure(work)

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from bench.applications_data import generate
    from tongban.accounts.demo import create_demo_accounts
    from tongban.applications.models import ApplicationMatter
    from tongban.applications.services import clocks
    from tongban.catalogue.loader import load_districts
    from tongban.catalogue.models import Department, ServiceCentre
    from tongban.catalogue.queries import public_version

    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_districts([DATA / "jingan", DATA / "baoshan"], matters=False)
    create_demo_accounts()
    load_districts([DATA / "jingan"])
    setup = time.perf_counter() - start
    log(f"set up in {setup:.0f} s; upload memory")
    # First, on the small database (memory does not depend on its size): a failure shows soon.
    upload = measure_upload()
    log(f"upload memory: {upload}; generating the applications")

    version = public_version()
    centre = (
        ServiceCentre.objects.filter(region__code=version.district.code, kind="administrative")
        .order_by("pk")
        .first()
    )
    start = time.perf_counter()
    generated = generate(version.pk, centre.pk, timezone.now(), clocks.today())
    generation = time.perf_counter() - start
    log(f"generated in {generation:.0f} s: {generated}")

    market = Department.objects.get(code="jingan-market")
    by_state = dict(
        ApplicationMatter.objects.filter(department=market, started_on__isnull=False)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    by_state["not started"] = ApplicationMatter.objects.filter(
        department=market, started_on__isnull=True
    ).count()
    departments = ApplicationMatter.objects.values("department").distinct().count()

    loads = [os.getloadavg()[0]]
    pages = measure_pages(generated)
    loads.append(os.getloadavg()[0])
    for name in ("explain_inbox", "explain_decided", "explain_list"):
        for item in pages[name]:
            print(f"\n-- {name}\n{item['sql']}\n" + "\n".join(item["plan"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    report(setup, generation, generated, by_state, departments, pages, upload, size, loads)


def report(setup, generation, generated, by_state, departments, pages, upload, size, loads):
    from django.db import connection

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    pg = connection.pg_version
    market_tasks = sum(by_state.values())
    steps = ", ".join(f"{name} {s:.0f} s" for name, s in generated["timings"].items())
    growth_peak = upload["peak"] - upload["baseline"]
    growth_after = upload["after"] - upload["baseline"]
    out = [
        f"## Applications (issue 5) ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"PostgreSQL {pg // 10000}.{pg % 100} (throwaway cluster of `scripts/with-postgres`, "
        f"default settings, fsync off), DEBUG off. Load average (1 min) before and after the "
        f"page measurements: {loads[0]:.1f}, {loads[1]:.1f} (the benchmark and PostgreSQL "
        "count for about 1.5 of it).",
        "Command: `make bench` (`.venv/bin/python bench/applications.py`).",
        "",
        f"- Set-up (migrate, collectstatic, demo organisations, accounts, Jing'an catalogue): "
        f"{setup:.0f} s.",
        f"- Generation in SQL: {generation:.0f} s ({steps}); database {size}. "
        f"{generated['applications']:,} applications of {generated['applicants']:,} applicants, "
        f"{generated['tasks']:,} review tasks in {departments} departments, "
        f"{generated['materials']:,} material lines, "
        f"{generated['notifications']:,} notifications.",
        f"- jingan-market (reviewer.market): {market_tasks:,} tasks "
        f"({market_tasks / generated['tasks']:.0%} of all): "
        + ", ".join(f"{state} {n:,}" for state, n in sorted(by_state.items()))
        + " (a task not started belongs to an application never accepted: a draft, "
        "submitted, rejected or expired; it keeps the state `reviewing`).",
        "",
        f"Median and p95 of {REPEAT} runs after {WARMUP} warm-up runs (fewer, about "
        f"{BUDGET} s, when one run is slow: see runs), in-process. ORM: the "
        "view's queries alone (inbox: paginator count + first page of 50 with "
        "`select_related`; list: the 100 latest applications + unread notifications count). "
        "Page: the whole request through Django's test client, signed in.",
        "",
        "| who | ORM p50 | ORM p95 | page p50 | page p95 | queries per page | runs |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in pages["rows"]:
        out.append(
            f"| {row['who']} | {row['orm']['p50']:.1f} ms | {row['orm']['p95']:.1f} ms "
            f"| {row['page']['p50']:.1f} ms | {row['page']['p95']:.1f} ms | {row['queries']} "
            f"| {row['orm']['n']}/{row['page']['n']} |"
        )
    out += ["", "EXPLAIN ANALYZE (once, warm cache):", ""]
    for title, name in (
        ("inbox, To review", "explain_inbox"),
        ("inbox, Decided", "explain_decided"),
        ("list, bench.heavy", "explain_list"),
    ):
        for line in plan_summary(pages[name]):
            out.append(f"- {title}, {line}")
    out += [
        "",
        f"Upload memory: gunicorn, 1 sync worker, same database; {UPLOADS} PDFs of "
        f"{upload['size'] / 1024 / 1024:.1f} MB (one page, an uncompressed scan; each "
        f"different) to one material line of a draft (`{upload['matter']}`), one after another "
        f"over loopback; the worker's RSS read every {SAMPLE_SECONDS * 1000:.0f} ms "
        f"({upload['samples']} samples).",
        "",
        f"- Worker RSS before the first upload (signed in, draft page served 3 times): "
        f"{upload['baseline']:.1f} MB.",
        f"- Peak during the uploads: {upload['peak']:.1f} MB (growth {growth_peak:+.1f} MB; "
        f"VmHWM {upload['high_water']:.1f} MB).",
        f"- After the first upload {upload['after_first']:.1f} MB, after the last "
        f"{upload['after']:.1f} MB (growth {growth_after:+.1f} MB).",
        f"- One upload (5 MB through the network stack, stored, checked by pypdf): median "
        f"{upload['upload_p50']:.0f} ms.",
        "",
    ]
    print("\n".join(out))


def main() -> int:
    return in_cluster(str(Path(__file__).resolve()), run, "tongban-bench-apps-")


if __name__ == "__main__":
    sys.exit(main())

"""Catalogue benchmark: demo load time, search and matter-page latency at 1x and 50x.

Run: make bench (or .venv/bin/python bench/catalogue.py). Uses a throwaway SQLite
database; prints a Markdown section for docs/benchmarks.md.
"""

import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

WORK = Path(tempfile.mkdtemp(prefix="tongban-bench-"))
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{WORK / 'bench.sqlite3'}"
os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from tongban.catalogue.loader import load_districts  # noqa: E402
from tongban.catalogue.models import CatalogueVersion  # noqa: E402
from tongban.catalogue.queries import MatterFilter, find_matters, public_version  # noqa: E402
from tongban.catalogue.versions import create_version, records  # noqa: E402

DATA = Path(settings.PROJECT_DIR) / "data"
QUERIES = ["食品", "food", "spjy", "licence", "社保卡", "registration", "social security card",
           "xk", "许可 变更", "medical insurance", "zzz-no-match", "hygiene"]  # fmt: skip
SCALE = 50


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(action, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def search_once(version, query: str) -> None:
    matters = find_matters(version, MatterFilter(q=query))
    matters.count()
    assert len(matters[:20]) <= 20


def measure(version, label: str) -> dict:
    start = time.perf_counter()
    search_once(version, QUERIES[0])  # builds the version's in-memory index
    first = (time.perf_counter() - start) * 1000
    for query in QUERIES:
        search_once(version, query)
    search = []
    for query in QUERIES:
        search += timed(lambda q=query: search_once(version, q), 25)
    client = Client(HTTP_HOST="127.0.0.1")
    codes = list(
        version.matters.values_list("code", flat=True)[:: max(1, version.matters.count() // 40)]
    )
    for code in codes:  # every page answers, so the timings are of real pages
        assert client.get(f"/services/{code}/").status_code == 200, code
    assert client.get("/api/v1/matters", {"q": "licence"}).status_code == 200
    pages = []
    for code in codes:
        pages += timed(lambda c=code: client.get(f"/services/{c}/"), 5)
    api = timed(lambda: client.get("/api/v1/matters", {"q": "licence"}), 50)
    return {
        "label": label,
        "first_search": first,
        "matters": version.matters.count(),
        "search_p50": statistics.median(search),
        "search_p95": percentile(search, 95),
        "page_p50": statistics.median(pages),
        "page_p95": percentile(pages, 95),
        "api_p95": percentile(api, 95),
    }


def scaled(version, times: int) -> CatalogueVersion:
    """A catalogue `times` as large: every matter again with its own code and name."""
    base = records(version)
    matters = []
    for copy in range(times):
        for m in base:
            clone = dict(m)
            clone["code"] = f"{m['code']}-{copy}"
            clone["basic_code"] = f"{copy:03d}{m['basic_code']}"[:10]
            clone["name"] = {"en": f"{m['name']['en']} {copy}", "zh": f"{m['name']['zh']}{copy}"}
            matters.append(clone)
    return create_version(version.district, matters, source="load", publish=True)


def main() -> None:
    call_command("migrate", verbosity=0)
    loads = []
    for attempt in range(3):
        if attempt:
            CatalogueVersion.objects.all().delete()
        start = time.perf_counter()
        load_districts([DATA / "jingan", DATA / "baoshan"])
        loads.append(time.perf_counter() - start)
    demo = public_version()
    rows = [measure(demo, "demo")]
    start = time.perf_counter()
    big = scaled(demo, SCALE)
    build = time.perf_counter() - start
    rows.append(measure(big, f"{SCALE}x demo"))
    ratio = rows[1]["search_p95"] / rows[0]["search_p95"]

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    models = [line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")]
    cpu = models[0] if models else platform.processor()
    out = [
        f"## Catalogue ({datetime.now(UTC):%Y-%m-%d})",
        "",
        f"Machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite (WAL), in-process (Django test client, no network).",
        "Command: `make bench` (`.venv/bin/python bench/catalogue.py`).",
        "",
        f"- Demo load (`data/jingan` + `data/baoshan`, fresh database, 3 runs): "
        f"{', '.join(f'{s:.2f} s' for s in loads)} (target under 5 s).",
        f"- Building the {SCALE}x catalogue ({rows[1]['matters']:,} matters): {build:.1f} s.",
        "",
        "| catalogue | matters | first search (builds index) | search p50 | search p95 "
        "| guide page p50 | guide page p95 | API search p95 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r['label']} | {r['matters']:,} | {r['first_search']:.0f} ms "
            f"| {r['search_p50']:.1f} ms "
            f"| {r['search_p95']:.1f} ms | {r['page_p50']:.1f} ms | {r['page_p95']:.1f} ms "
            f"| {r['api_p95']:.1f} ms |"
        )
    out += [
        "",
        f"Search is a count plus the first page of 20 for {len(QUERIES)} queries (Chinese, "
        f"English, pinyin initials, no match), 25 times each; target p95 under 20 ms at {SCALE}x. "
        f"Search p95 grows {ratio:.1f}x for {SCALE}x the matters.",
    ]
    print("\n".join(out))


if __name__ == "__main__":
    sys.exit(main())

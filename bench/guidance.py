"""Guidance benchmark: compile time, resolve latency on the demo and on a funnel 100x larger.

Run: make bench (or .venv/bin/python bench/guidance.py). In-process, throwaway SQLite.
"""

import copy
import os
import random
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

from tongban.catalogue.loader import load_districts  # noqa: E402
from tongban.catalogue.queries import public_version  # noqa: E402
from tongban.catalogue.versions import records  # noqa: E402
from tongban.guidance.content import read_guidance  # noqa: E402
from tongban.guidance.engine import Guide  # noqa: E402

DATA = Path(settings.PROJECT_DIR) / "data"
SCALE = 100


def sample_paths(guide: Guide, per_scenario: int, seed: int = 7) -> list[tuple]:
    """Random complete answer sets, the same number from each scenario."""
    rng = random.Random(seed)
    cases = []
    for scenario in guide.scenarios.values():
        for _ in range(per_scenario):
            answers: dict = {}
            while True:
                pending = [q for q in guide.visible(scenario, answers) if q.id not in answers]
                if not pending:
                    break
                answers[pending[0].id] = rng.choice(guide.domain(pending[0], scenario.activity))
            cases.append((scenario, answers))
    return cases


def median_us(guide: Guide, cases: list[tuple], rounds: int = 3) -> float:
    timings = []
    for _ in range(rounds):
        for scenario, answers in cases:
            start = time.perf_counter()
            guide.resolve(scenario, answers)
            timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


def scaled(guide: Guide, times: int) -> Guide:
    """The funnel `times` over: every activity and scenario again under new codes."""
    activities = []
    for n in range(times):
        for activity in guide.activities.values():
            clone = copy.copy(activity)
            clone.code = f"{activity.code}-{n}"
            clone.scenarios = []
            for scenario in activity.scenarios:
                twin = copy.copy(scenario)
                twin.code, twin.activity = f"{scenario.code}-{n}", clone
                clone.scenarios.append(twin)
            activities.append(clone)
    licences = {f"{code}-{n}": licence for n in range(times)
                for code, licence in guide.licences.items()}  # fmt: skip
    return Guide(activities, licences, guide.matters)


def main() -> None:
    call_command("migrate", verbosity=0)
    load_districts([DATA / "jingan"])
    start = time.perf_counter()
    matters = {m["code"]: m for m in records(public_version())}
    fetch_ms = (time.perf_counter() - start) * 1000
    compiles = []
    for _ in range(5):
        start = time.perf_counter()
        guide = read_guidance(DATA / "jingan" / "guidance", matters)
        compiles.append((time.perf_counter() - start) * 1000)
    cases = sample_paths(guide, 40)
    demo_us = median_us(guide, cases)
    start = time.perf_counter()
    big = scaled(guide, SCALE)
    build_s = time.perf_counter() - start
    business = [a for a in big.activities.values() if a.kind == "business"]
    big_cases = [(big.scenarios[f"{s.code}-{SCALE - 1}"], a) for s, a in cases]
    big_us = median_us(big, big_cases)
    scenarios = sum(len(a.scenarios) for a in business)
    print(f"""## Guidance ({datetime.now(UTC):%Y-%m-%d})

Command: `make bench` (`.venv/bin/python bench/guidance.py`); in-process, one core.

- Catalogue records for the guide (database read): {fetch_ms:.0f} ms.
- Compile the demo guidance (read, check references, build the resolver), 5 runs:
  median {statistics.median(compiles):.0f} ms (target under 200 ms).
- `resolve` on the demo ({len(guide.licences)} licences, {len(guide.activities)} activities,
  {len(guide.scenarios)} scenarios; {len(cases):,} random complete answer sets x 3):
  median {demo_us:.1f} µs (target under 50 µs).
- `resolve` on a funnel {SCALE}x larger ({len(big.licences):,} licences,
  {len(business):,} business activities, {scenarios:,} business scenarios;
  built in {build_s:.1f} s):
  median {big_us:.1f} µs (target under 200 µs); ratio to the demo {big_us / demo_us:.2f}.
""")


if __name__ == "__main__":
    sys.exit(main())

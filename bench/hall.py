"""Hall benchmark (issue 12), on PostgreSQL: how well the shown wait ranges match the waits
of the generated history (calibration), and the service layer on the 1,788-visitor day with
17 counters calling at once (ticket issue and call-next latency).

Run: .venv/bin/python bench/hall.py (it runs itself again inside scripts/with-postgres, a
throwaway cluster). Prints a Markdown section for docs/benchmarks.md.
"""

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("TONGBAN_VAR_DIR", str(Path(tempfile.gettempdir()) / "tongban-bench-hall"))
os.environ["DJANGO_SETTINGS_MODULE"] = "tongban.settings"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()  # connects to nothing yet: the database is made inside the cluster

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.postgres import in_cluster  # noqa: E402
from tongban.accounts.models import User  # noqa: E402
from tongban.accounts.services import make_staff  # noqa: E402
from tongban.audit.context import acting_as  # noqa: E402
from tongban.catalogue.loader import load_districts  # noqa: E402
from tongban.hall import counters, history, tickets, waits  # noqa: E402
from tongban.hall.content import load_halls  # noqa: E402
from tongban.hall.demo import generate_history  # noqa: E402
from tongban.hall.models import Counter, Hall, Ticket  # noqa: E402

DATA = ROOT / "data"
HISTORY_DAYS, CHECKED_DAYS, EVERY = 30, 5, 3
WAITED = 2  # minutes
COUNTERS = 17
SPEED = 120  # the replayed day runs this many times faster than the real one


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def calibration(hall: Hall, last: date) -> dict:
    """For every EVERY-th ticket of the last CHECKED_DAYS days: the range the status page
    would have shown at its arrival (the queue then, the counters busy then, the service
    times of the days before) against the wait it had."""
    desks = {c.number: tickets.desk(c) for c in hall.counters.prefetch_related("skills")}
    rules = tickets.policy(hall)
    inside = between = checked = 0
    widths: list[float] = []
    reals: list[float] = []
    waited: list[bool] = []  # within the range, for those who waited at least WAITED minutes
    for offset in range(CHECKED_DAYS - 1, -1, -1):
        day = last - timedelta(days=offset)
        earlier = Ticket.objects.filter(hall=hall, day__lt=day, day__gte=day - timedelta(days=28),
                                        state="done")  # fmt: skip
        service: dict[str, list[float]] = defaultdict(list)
        for queue, started, finished in earlier.values_list("queue__code", "started_at",
                                                            "finished_at")[:20000]:  # fmt: skip
            service[queue].append((finished - started).total_seconds() / 60)
        rows = list(Ticket.objects.filter(hall=hall, day=day).exclude(called_at=None)
                    .select_related("counter", "queue").order_by("arrived_at"))  # fmt: skip
        working = {row.counter.number for row in rows}
        for index, ticket in enumerate(rows):
            if index % EVERY:
                continue
            now = ticket.arrived_at
            queue = [
                waits.Waiting(r.pk, frozenset(r.groups), r.arrived_at, r.quick,
                              hall.priority_rank(r.priority) if r.priority else 0)
                for r in rows if r.arrived_at <= now < r.called_at or r.pk == ticket.pk
            ]  # fmt: skip
            open_ = []
            for number in sorted(working):
                busy = [r for r in rows if r.counter.number == number
                        and r.called_at <= now < r.finished_at]  # fmt: skip
                serving = None
                if busy:
                    serving = (busy[0].queue.code, (now - busy[0].called_at).total_seconds() / 60)
                open_.append(waits.Open(desks[number], serving))
            minutes = max(30.0, (now - rows[0].arrived_at).total_seconds() / 60)
            jumpers: dict[str, float] = defaultdict(float)
            for r in rows:
                if r.priority and r.arrived_at <= now:
                    jumpers[r.queue.code] += 1 / minutes
            found = waits.estimate(queue, open_, service, now, rules, jumpers).get(ticket.pk)
            if found is None:
                continue
            real = (ticket.called_at - ticket.arrived_at).total_seconds() / 60
            checked += 1
            inside += found.p10 - 0.5 <= real <= found.p90 + 0.5
            widths.append(found.p90 - found.p10)
            reals.append(real)
            if real >= WAITED:
                waited.append(found.p10 - 0.5 <= real <= found.p90 + 0.5)
            between += real <= found.p90 + 0.5
    return {"checked": checked, "p10_p90": inside / checked, "under_p90": between / checked,
            "width": statistics.median(widths), "wait": statistics.median(reals),
            "waited": len(waited), "waited_inside": sum(waited) / max(1, len(waited))}  # fmt: skip


def _sign_in(hall: Hall) -> list[Counter]:
    desks = []
    for number in range(1, COUNTERS + 1):  # the 15 general and 2 fast-track counters
        clerk, _ = User.objects.get_or_create(username=f"bench.clerk{number}")
        make_staff(clerk, ["clerk"], centre=hall.centre)
        Counter.objects.filter(hall=hall, number=number).update(clerk=None)
        desks.append(counters.sign_in(hall.counters.get(number=number), clerk))
    return desks


def _in_threads(desks: list[Counter], work) -> list[float]:
    """``work(desk)`` for every counter at once, each on its own connection."""
    found: list[float] = []
    lock = threading.Lock()

    def run(desk: Counter) -> None:
        try:
            mine = work(desk)
        finally:
            connection.close()
        with lock:
            found.extend(mine)

    threads = [threading.Thread(target=run, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return found


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    done = action()
    return (time.perf_counter() - started) * 1000, done


def replay(hall: Hall, peak: date) -> dict:
    """The generated peak day played again through the service layer, SPEED times faster:
    each visitor's ticket issued at their arrival, 17 counters calling when free, serving
    for the visit's own service time (a counter with nobody for it looks again a second of
    the day later)."""
    Ticket.objects.filter(hall=hall, generated=False).delete()
    day = list(Ticket.objects.filter(hall=hall, day=peak, generated=True)
               .order_by("arrived_at").prefetch_related("matters"))  # fmt: skip
    opened = day[0].arrived_at
    service: dict[int, float] = {}
    issue_ms: list[float] = []
    desks = _sign_in(hall)
    start = time.perf_counter()
    arriving = threading.Event()
    arriving.set()

    def at(moment) -> None:
        time.sleep(
            max(0.0, start + (moment - opened).total_seconds() / SPEED - time.perf_counter())
        )

    def arrivals() -> None:
        try:
            for visit in day:
                at(visit.arrived_at)
                ms, ticket = _timed(
                    lambda v=visit: tickets.issue(
                        hall, channel="kiosk", matters=list(v.matters.all()), queue=v.queue
                    )
                )
                issue_ms.append(ms)
                served = visit.finished_at - (
                    visit.started_at or visit.called_at or visit.finished_at
                )
                service[ticket.pk] = served.total_seconds() if visit.finished_at else 60.0
        finally:
            arriving.clear()
            connection.close()

    def counter(desk: Counter) -> list[float]:
        mine = []
        while True:
            ms, ticket = _timed(lambda: tickets.call_next(desk, desk.clerk))
            mine.append(ms)
            if ticket is None:
                if not arriving.is_set():
                    return mine
                time.sleep(60 / SPEED)
                continue
            tickets.start(ticket, desk.clerk)
            time.sleep(service.get(ticket.pk, 300.0) / SPEED)
            tickets.finish(ticket, desk.clerk, "advice")

    arriver = threading.Thread(target=arrivals)
    arriver.start()
    call_ms = _in_threads(desks, counter)
    arriver.join()
    seconds = time.perf_counter() - start
    left = Ticket.objects.filter(hall=hall, generated=False, state="waiting").count()
    return {"issue": issue_ms, "call": call_ms, "seconds": seconds, "left": left,
            "visitors": len(day)}  # fmt: skip


def back_to_back(hall: Hall) -> dict:
    """A stress beyond any hall: 1,788 tickets waiting, then 17 counters calling, serving
    and finishing back to back, with no service time, until none is left."""
    Ticket.objects.filter(hall=hall, generated=False).delete()
    mix = [q for q in tickets.served_queues(hall) if q.counter_kind]
    for i in range(history.PEAK_VISITORS):
        tickets.issue(hall, channel="kiosk", queue=mix[i % len(mix)])
    desks = _sign_in(hall)

    def work(desk: Counter) -> list[float]:
        mine = []
        while True:
            ms, ticket = _timed(lambda: tickets.call_next(desk, desk.clerk))
            mine.append(ms)
            if ticket is None:
                return mine
            tickets.finish(tickets.start(ticket, desk.clerk), desk.clerk, "advice")

    started = time.perf_counter()
    call_ms = _in_threads(desks, work)
    seconds = time.perf_counter() - started
    left = Ticket.objects.filter(hall=hall, generated=False).exclude(state="done").count()
    return {"call": call_ms, "seconds": seconds, "left": left}


def run(work: Path) -> None:
    call_command("migrate", verbosity=0)
    with acting_as(None):
        load_districts([DATA / "jingan", DATA / "baoshan"])
        load_halls(DATA / "jingan" / "hall.yaml")
        hall = Hall.objects.get(centre__code="jingan-pengpu-xincun-community")
        last = timezone.localdate() - timedelta(days=1)
        started = time.perf_counter()
        visits = generate_history(hall, days=HISTORY_DAYS, last=last)
        generated = time.perf_counter() - started
        calibrated = calibration(hall, last)
        history_days = Ticket.objects.filter(hall=hall, generated=True)
        peak = history_days.values("day").annotate(n=Count("id")).order_by("-n")[0]["day"]
        replayed = replay(hall, peak)
        stress = back_to_back(hall)
    engine = connection.vendor
    print(f"## Hall ({datetime.now(UTC):%Y-%m-%d})\n")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, {engine}.")  # fmt: skip
    print("Command: `.venv/bin/python bench/hall.py` (a throwaway PostgreSQL cluster).\n")
    print(f"- Generated history: {visits:,} visits over {HISTORY_DAYS} days in {generated:.1f} s.")
    print(f"- Wait ranges against the generated history ({calibrated['checked']} tickets of the "
          f"last {CHECKED_DAYS} days, the state at each arrival): real wait within P10–P90 "
          f"{calibrated['p10_p90']:.0%} (target at least 80 %), at most P90 "
          f"{calibrated['under_p90']:.0%} (half a minute of rounding allowed); the median "
          f"range is {calibrated['width']:.1f} minutes wide for a median real wait of "
          f"{calibrated['wait']:.1f} minutes. Of the {calibrated['waited']} who waited "
          f"{WAITED} minutes or more: {calibrated['waited_inside']:.0%} inside.")  # fmt: skip
    issue, call = replayed["issue"], replayed["call"]
    print(
        f"- The peak day ({replayed['visitors']:,} visitors) replayed {SPEED}x faster through "
        f"the service layer, {COUNTERS} counters calling when free, each on its own "
        f"connection ({replayed['seconds']:.0f} s, {replayed['left']} left waiting): ticket "
        f"issue p50 {statistics.median(issue):.1f} ms, p95 {percentile(issue, 95):.1f} ms; "
        f"call-next ({len(call):,}) p50 {statistics.median(call):.1f} ms, "
        f"p95 {percentile(call, 95):.1f} ms (target p95 under 20 ms for both)."
    )
    call = stress["call"]
    print(f"- Stress, beyond any hall: {history.PEAK_VISITORS:,} tickets waiting, {COUNTERS} "
          f"counters calling, serving and finishing back to back with no service time: "
          f"{len(call):,} call-next, p50 {statistics.median(call):.1f} ms, "
          f"p95 {percentile(call, 95):.1f} ms, all served in {stress['seconds']:.1f} s "
          f"({stress['left']} left).")  # fmt: skip


if __name__ == "__main__":
    sys.exit(in_cluster(str(Path(__file__).resolve()), run, "tongban-bench-hall-"))

"""Generated data for bench/applications.py: a million applications in SQL, and a 5 MB PDF.

Everything is deterministic (hashes of the row number, no random()), so two runs make the
same database. The shape:

- 100,000 applicants (natural persons, no resident ID), each with ~10 applications, plus
  one applicant with 200 (``bench.heavy``);
- 1,000,000 applications over five years: 80 % completed, the rest issued, decided, in
  review (3 %, the last 40 days), submitted, drafts, rejected, withdrawn, expired;
- 2 or 3 review tasks each (2.5 million), over the real departments and matters of the
  Jing'an catalogue; 5 applications in 6 have a market-regulation matter first, so the
  market department (``reviewer.market``) holds a third of all tasks. Tasks of decided
  applications are approved (4 % refused), of applications in review 70 % reviewing,
  15 % waiting for a supplement, 15 % approved; due dates around today, some overdue;
- one material line and one notification per application.
"""

import os
import random
import time
from datetime import date

from django.db import connection

# BENCH_APPLICATIONS makes a smaller run, to try the script quickly.
APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "1000000"))
APPLICANTS = APPLICATIONS // 10
HEAVY = 200  # applications of the one heavy applicant
MARKET = "jingan-market"
FIRST_MARKET_SHARE = 5  # in 6 applications, the first matter is a market-regulation one

# Application state by hash % 1000: (upper bound, state, age of the application in days).
STATES = [
    (800, "completed", (30, 1825)),
    (820, "issued", (10, 60)),
    (830, "decided", (5, 45)),
    (860, "in_review", (0, 40)),
    (875, "submitted", (0, 3)),
    (920, "draft", (0, 30)),
    (940, "rejected", (2, 1825)),
    (960, "withdrawn", (5, 1825)),
    (1000, "expired", (31, 1825)),
]


def _state_case() -> str:
    lines = [f"WHEN mod(h, 1000) < {bound} THEN '{state}'" for bound, state, _ in STATES]
    return "CASE " + " ".join(lines) + " END"


def _age_case() -> str:
    lines = [
        f"WHEN mod(h, 1000) < {bound} THEN {low * 86400} + mod(h2, {(high - low) * 86400 + 1})"
        for bound, _, (low, high) in STATES
    ]
    return "CASE " + " ".join(lines) + " END"


# Constant SQL (no user input): the tables are named here, the values are parameters.
_USERS = """
INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
    is_staff, is_active, date_joined, kind, full_name, id_number, enterprise_name, credit_code,
    phone, counter)
SELECT %(base)s + k, '!', false, 'bench.' || k, '', '', '', false, true,
    now() - make_interval(days => mod(k, 1800)), 'person', 'Applicant ' || k, NULL, '',
    NULL, '', ''
FROM generate_series(1, %(count)s) AS k
"""

_MATTERS = """
CREATE TEMP TABLE bench_matter AS
SELECT m.id, m.code, m.name_en, m.name_zh, m.counter, m.department_id,
    d.code = %(market)s AS market
FROM catalogue_matter m JOIN catalogue_department d ON d.id = m.department_id
WHERE m.version_id = %(version)s
"""

# The plan of each application: who, when, which state, which 2 or 3 matters.
_PLAN = f"""
CREATE TEMP TABLE bench_plan AS
WITH g AS (
    SELECT i::bigint AS i, abs(hashint8(i::bigint)::bigint) AS h,
        abs(hashint8(-i::bigint)::bigint) AS h2
    FROM generate_series(1, %(n)s) AS i
)
SELECT i, %(base)s::bigint + i AS id,
    CASE WHEN i <= %(heavy)s THEN %(heavy_user)s
         ELSE %(first_user)s + mod((i * 7919), %(users)s) END AS applicant_id,
    {_state_case()} AS state,
    %(now)s::timestamptz - make_interval(secs => {_age_case()}) AS created_at,
    2 + mod(i, 2) AS n_tasks,
    CASE WHEN mod(i, 6) < %(market_share)s
         THEN (%(market_matters)s::bigint[])[1 + mod(h, cardinality(%(market_matters)s::bigint[]))]
         ELSE (%(pool0)s::bigint[])[1 + mod(h, cardinality(%(pool0)s::bigint[]))]
    END AS m0,
    (%(pool1)s::bigint[])[1 + mod(h2, cardinality(%(pool1)s::bigint[]))] AS m1,
    (%(pool2)s::bigint[])[1 + mod(h2 / 7, cardinality(%(pool2)s::bigint[]))] AS m2,
    h
FROM g
"""  # noqa: S608 - built from the constants above, no input

_APPLICATIONS = """
INSERT INTO applications_application (id, number, counter, title_en, title_zh, scenario,
    answers, data, state, commitment_at, created_at, updated_at, expires_at, submitted_at,
    accepted_at, decided_at, issued_at, reason, delivery_method, delivery_address, rating,
    rating_comment, applicant_id, centre_id, version_id)
SELECT p.id,
    '310106' || to_char(p.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
        || lpad(p.i::text, 7, '0'),
    m.counter, m.name_en, m.name_zh, '', '{}',
    jsonb_build_object('contact', 'Applicant ' || p.applicant_id,
                       'phone', '1380' || lpad((mod(p.h, 10000000))::text, 7, '0'),
                       'address', 'No. ' || (mod(p.h, 900) + 1) || ' Bench Road, Jing''an'),
    p.state,
    CASE WHEN p.state <> 'draft' THEN p.created_at + interval '1 hour' END,
    p.created_at,
    p.created_at + CASE WHEN p.state IN ('completed', 'issued', 'decided', 'withdrawn')
                        THEN interval '20 days' ELSE interval '2 days' END,
    CASE WHEN p.state = 'draft' THEN p.created_at + interval '30 days' END,
    CASE WHEN p.state NOT IN ('draft', 'expired') THEN p.created_at + interval '1 hour' END,
    CASE WHEN p.state IN ('completed', 'issued', 'decided', 'in_review', 'withdrawn')
         THEN p.created_at + interval '1 day' END,
    CASE WHEN p.state IN ('completed', 'issued', 'decided')
         THEN p.created_at + interval '15 days' END,
    CASE WHEN p.state IN ('completed', 'issued') THEN p.created_at + interval '16 days' END,
    CASE WHEN p.state = 'rejected' THEN 'Incomplete materials.' ELSE '' END,
    CASE WHEN mod(p.h, 4) = 0 THEN 'post' ELSE 'pickup' END, '',
    CASE WHEN p.state = 'completed' AND mod(p.h, 3) = 0 THEN 4 + mod(p.h, 2) END, '',
    p.applicant_id, %(centre)s, %(version)s
FROM bench_plan p JOIN bench_matter m ON m.id = p.m0
"""

# One row per task; t.th decides the state of a task of an application in review.
_TASKS = """
INSERT INTO applications_applicationmatter ("order", state, started_on, due_on, due_confirmed,
    paused_on, paused_days, reminded_on, decided_at, reason, result, application_id,
    decided_by_id, department_id, matter_id)
SELECT t.o, t.state,
    t.started_on,
    CASE WHEN t.started_on IS NOT NULL
         THEN t.started_on + 7 + (mod(t.th, 35))::int END,
    true,
    CASE WHEN t.state = 'supplement' THEN %(today)s::date - (mod(t.th, 5))::int END,
    0, NULL,
    CASE WHEN t.state IN ('approved', 'refused', 'withdrawn')
         THEN least(t.created_at + make_interval(days => 2 + mod(t.th, 12)::int),
                    %(now)s::timestamptz) END,
    CASE WHEN t.state = 'refused' THEN 'The premises do not meet the conditions.'
         ELSE '' END,
    '{}', t.id, NULL, m.department_id, m.id
FROM (
    SELECT x.*,
        CASE WHEN x.app_state IN ('completed', 'issued', 'decided') THEN
                 CASE WHEN mod(x.th, 100) < 4 THEN 'refused' ELSE 'approved' END
             WHEN x.app_state = 'in_review' THEN
                 CASE WHEN mod(x.th, 100) < 70 THEN 'reviewing'
                      WHEN mod(x.th, 100) < 85 THEN 'supplement'
                      ELSE 'approved' END
             WHEN x.app_state = 'withdrawn' THEN 'withdrawn'
             ELSE 'reviewing' END AS state,
        CASE WHEN x.app_state IN ('completed', 'issued', 'decided', 'in_review', 'withdrawn')
             THEN (x.created_at AT TIME ZONE 'Asia/Shanghai')::date + 1 END AS started_on
    FROM (
        SELECT p.id, p.created_at, p.state AS app_state, o,
            CASE o WHEN 0 THEN p.m0 WHEN 1 THEN p.m1 ELSE p.m2 END AS matter_id,
            abs(hashint8(p.id * 3 + o)::bigint) AS th
        FROM bench_plan p CROSS JOIN LATERAL generate_series(0, p.n_tasks - 1) AS o
    ) x
) t JOIN bench_matter m ON m.id = t.matter_id
"""

_MATERIALS = """
INSERT INTO applications_applicationmaterial (key, evidence, name_en, name_zh, principal,
    matter_codes, originals, copies, reused, status, due_on, supplied_at, application_id,
    document_id)
SELECT 'bench:application-form', '', 'Application form', '申请表', true,
    jsonb_build_array(m.code), 1, 0, false,
    CASE WHEN p.state = 'draft' THEN 'missing' ELSE 'provided' END, NULL, NULL, p.id, NULL
FROM bench_plan p JOIN bench_matter m ON m.id = p.m0
"""

_NOTIFICATIONS = """
INSERT INTO applications_notification (text_en, text_zh, created_at, read_at, application_id,
    user_id)
SELECT 'Your application has changed: ' || p.state, '您的申请状态已更新', p.created_at,
    CASE WHEN p.created_at < %(now)s::timestamptz - interval '30 days'
         THEN p.created_at + interval '1 day' END,
    p.id, p.applicant_id
FROM bench_plan p WHERE p.state <> 'draft'
"""

_TABLES = [
    "accounts_user",
    "applications_application",
    "applications_applicationmatter",
    "applications_applicationmaterial",
    "applications_notification",
]


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 - constant
    return cursor.fetchone()[0]


def _reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT max(id) FROM {table}))",  # noqa: S608
        [table],
    )


def generate(version_id: int, centre_id: int, now, today: date) -> dict:
    """Fill the database; return the timings (seconds) and counts of what was made."""
    timings: dict[str, float] = {}

    def step(name: str, sql: str, params: dict | None = None) -> int:
        start = time.perf_counter()
        cursor.execute(sql, params or {})
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
        return cursor.rowcount

    with connection.cursor() as cursor:
        # Load-only session settings; reset (and the connection closed) below.
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        first_user = _next_id(cursor, "accounts_user")
        users = step("applicants", _USERS, {"base": first_user, "count": APPLICANTS + 1})
        heavy_user = first_user + APPLICANTS + 1
        cursor.execute(
            "UPDATE accounts_user SET username = 'bench.heavy' WHERE id = %s", [heavy_user]
        )
        step("plan", _MATTERS, {"market": MARKET, "version": version_id})
        cursor.execute("ALTER TABLE bench_matter ADD PRIMARY KEY (id)")
        cursor.execute("SELECT id, market FROM bench_matter ORDER BY id")
        matters = cursor.fetchall()
        others = [pk for pk, market in matters if not market]
        step(
            "plan",
            _PLAN,
            {
                "n": APPLICATIONS,
                "base": _next_id(cursor, "applications_application"),
                "heavy": HEAVY,
                "heavy_user": heavy_user,
                "first_user": first_user + 1,
                "users": APPLICANTS,
                "now": now,
                "market_share": FIRST_MARKET_SHARE,
                # The first matter: a market one, or one of the other departments' in three
                # separate pools, so the 2 or 3 matters of an application are never the same.
                "market_matters": [pk for pk, market in matters if market],
                "pool0": others[0::3],
                "pool1": others[1::3],
                "pool2": others[2::3],
            },
        )
        step("plan", "ANALYZE bench_matter")
        step("plan", "ANALYZE bench_plan")
        # Generated rows are consistent by construction: skip the foreign-key triggers.
        cursor.execute("SET session_replication_role = replica")
        applications = step(
            "applications", _APPLICATIONS, {"centre": centre_id, "version": version_id}
        )
        tasks = step("review tasks", _TASKS, {"today": today, "now": now})
        materials = step("material lines", _MATERIALS)
        notifications = step("notifications", _NOTIFICATIONS, {"now": now})
        for table in _TABLES:
            _reset_sequence(cursor, table)
        cursor.execute("DROP TABLE bench_plan, bench_matter")
        cursor.execute("RESET ALL")  # session_replication_role too
        for table in _TABLES:
            step("vacuum analyze", f"VACUUM (ANALYZE) {table}")
    connection.close()
    return {
        "timings": timings,
        "applicants": users,
        "applications": applications,
        "tasks": tasks,
        "materials": materials,
        "notifications": notifications,
        "first_user": first_user,
        "heavy_user": heavy_user,
    }


# --- a 5 MB scanned page ---------------------------------------------------------------

PDF_WIDTH = 1024


def make_pdf(size: int) -> tuple[bytes, int]:
    """A one-page PDF of about ``size`` bytes: an uncompressed RGB image, as a scan is.

    Returns the file and the offset of the image data, where a few bytes can be changed to
    make another file of the same size that is still valid.
    """
    height = size // (PDF_WIDTH * 3)
    pixels = random.Random(5).randbytes(PDF_WIDTH * height * 3)
    image = (
        f"<< /Type /XObject /Subtype /Image /Width {PDF_WIDTH} /Height {height} "
        f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n"
    ).encode()
    content = b"q 595 0 0 842 0 0 cm /Im0 Do Q"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
        image + pixels + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    data_offset = 0
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        header = b"%d 0 obj\n" % number
        if number == 4:
            data_offset = len(out) + len(header) + len(image)
        out += header + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out), data_offset


def variant(pdf: bytes, data_offset: int, number: int) -> bytes:
    """The same PDF with a few pixels changed: another file for content addressing."""
    changed = bytearray(pdf)
    changed[data_offset : data_offset + 8] = number.to_bytes(8, "big")
    return bytes(changed)

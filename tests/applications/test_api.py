"""The applications API: the supermarket chain through HTTP alone, and who may do what."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tongban.applications import services
from tongban.applications.models import Application, IssuedDocument
from tongban.applications.services import clocks
from tongban.audit.models import AuditEntry
from tongban.guidance.services import sheet_token

from .cases import SUPERMARKET, fill_and_upload, pdf_file, start_food_licence

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM = "application/problem+json"
REVIEWERS = {"jingan-market": "reviewer.market", "jingan-fire-rescue": "reviewer.fire",
             "jingan-greening": "reviewer.green"}  # fmt: skip


@pytest.fixture
def act(client, demo_catalogue):
    """Act as a demo account (None: signed out) through the one test client."""

    def as_(username: str | None) -> Client:
        client.logout()
        if username:
            user = demo_catalogue[username]
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return as_


def ok(response, status: int = 200) -> dict | list:
    assert response.status_code == status, response.content.decode()[:2000]
    return response.json()


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content.decode()[:2000]
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["detail"]
    return body


def start_and_fill(client, *, leave_out_tolerable: bool = True) -> tuple[str, dict]:
    """As the applicant: start from a sheet, give the contact data, upload the materials."""
    token = sheet_token("supermarket-small", SUPERMARKET)
    case = ok(client.post(f"{API}/applications", {"sheet": token},
                          content_type="application/json"), 201)  # fmt: skip
    number = case["number"]
    data = {**case["data"], "address": "1 Gonghe Road", "phone": "13800138000",
            "full_name": "Liu Yang"}  # fmt: skip
    ok(client.put(f"{API}/applications/{number}/data", data, content_type="application/json"))
    optional = [m["key"] for m in case["materials"] if not m["principal"]]
    left_out = optional[0] if leave_out_tolerable else None
    for line in case["materials"]:
        if line["key"] != left_out:
            upload(client, number, line["key"])
    return number, {"left_out": left_out, "case": case}


def upload(client, number: str, key: str, name: str = "scan.pdf") -> dict:
    url = f"{API}/applications/{number}/materials"
    return ok(client.post(url, {"material": key, "file": pdf_file(name)}), 201)


def post(client, url: str, body: dict | None = None):
    return client.post(f"{API}{url}", body or {}, content_type="application/json")


def test_the_supermarket_chain_through_the_api(act, settings):
    client = act("jingan.fresh")
    number, started = start_and_fill(client)
    left_out, case = started["left_out"], started["case"]
    assert case["state"] == "draft" and "edit" in case["actions"] and "submit" in case["actions"]
    assert {m["department"]["code"] for m in case["matters"]} >= set(REVIEWERS)
    assert all(f["label"]["en"] and f["label"]["zh"] for f in case["fields"])

    # Invalid data is named but kept.
    wrong = client.put(f"{API}/applications/{number}/data",
                       {**case["data"], "address": "1 Gonghe Road", "phone": "13800138000",
                        "full_name": "Liu Yang", "floor_area": "huge"},
                       content_type="application/json")  # fmt: skip
    problem = is_problem(wrong, 422)
    assert [e["field"] for e in problem["errors"]] == ["floor_area"]
    assert problem["data"]["floor_area"] == "huge"
    assert ok(client.get(f"{API}/applications/{number}"))["data"]["floor_area"] == "huge"
    findings = ok(client.get(f"{API}/applications/{number}/precheck"))
    assert {f["field"] for f in findings if f["level"] == "error"} == {"floor_area"}
    blocked = is_problem(post(client, f"/applications/{number}/submit", {"commitment": True}), 409)
    assert any(f["field"] == "floor_area" for f in blocked["findings"])
    data = {**problem["data"], "floor_area": "120"}
    ok(client.put(f"{API}/applications/{number}/data", data, content_type="application/json"))

    # The left-out material may follow (容缺) once the commitment is signed.
    findings = ok(client.get(f"{API}/applications/{number}/precheck"))
    assert [(f["level"], f["material"]) for f in findings] == [("tolerable", left_out)]
    unsigned = is_problem(post(client, f"/applications/{number}/submit"), 422)
    assert unsigned["field"] == "commitment"
    submitted = ok(post(client, f"/applications/{number}/submit", {"commitment": True}))
    assert submitted["state"] == "submitted"
    edit = client.put(f"{API}/applications/{number}/data", data, content_type="application/json")
    assert "field" not in is_problem(edit, 409)  # no longer editable: a conflict, no field

    # One window accepts.
    client = act("clerk")
    queue = ok(client.get(f"{API}/acceptance"))
    assert number in [a["number"] for a in queue["items"]]
    case = ok(client.get(f"{API}/applications/{number}"))
    assert {"accept", "reject"} <= set(case["actions"])
    accepted = ok(post(client, f"/applications/{number}/accept"))
    assert accepted["state"] == "in_review"
    assert number not in [a["number"] for a in ok(client.get(f"{API}/acceptance"))["items"]]
    # The kitchen waste declaration is an instant matter: the clerk decided it on accepting.
    kitchen = next(m for m in accepted["matters"] if m["kind"] == "instant")
    assert kitchen["department"]["code"] == "jingan-greening" and kitchen["state"] == "approved"
    inbox = ok(act("reviewer.green").get(f"{API}/reviews?state=reviewing"))["items"]
    assert number not in [t["application"] for t in inbox]

    # The other two departments review in parallel; fire asks for a clearer scan.
    tasks = {}
    for department, reviewer in REVIEWERS.items():
        if reviewer == "reviewer.green":
            continue
        inbox = ok(act(reviewer).get(f"{API}/reviews"))
        found = [t for t in inbox["items"] if t["application"] == number]
        assert found and all(t["department"] == department for t in found)
        assert all(t["clock"]["started"] and t["clock"]["left"] >= 0 for t in found)
        tasks[reviewer] = [t["id"] for t in found]
    client = act("reviewer.fire")
    fire = tasks["reviewer.fire"][0]
    task = ok(client.get(f"{API}/reviews/{fire}"))
    assert task["case"]["number"] == number and task["overdue_tolerated"] == []
    principal = next(m["key"] for m in task["case"]["materials"] if m["principal"])
    wanted = {"materials": [principal, left_out], "reason": "Unreadable scan", "days": 5}
    asked = ok(post(client, f"/reviews/{fire}/supplement", wanted), 201)
    assert ok(client.get(f"{API}/reviews?state=supplement"))["items"][0]["id"] == fire
    ok(post(client, f"/reviews/{fire}/inspection", {"body": "Site visited: exits clear"}), 201)
    market = tasks["reviewer.market"][0]
    ok(post(act("reviewer.market"), f"/reviews/{market}/comment", {"body": "Fire first"}), 201)
    ok(post(act("clerk"), f"/applications/{number}/messages", {"body": "Please check"}), 201)

    client = act("jingan.fresh")
    case = ok(client.get(f"{API}/applications/{number}"))
    assert [m["kind"] for m in case["messages"]] == ["message"]  # not the staff's notes
    assert next(m for m in case["materials"] if m["key"] == principal)["requested"]
    early = post(client, f"/applications/{number}/supplements/{asked['id']}/answer")
    assert is_problem(early, 422)["field"] == "file"  # the missing one is not there yet
    upload(client, number, principal, "clear.pdf")
    upload(client, number, left_out, "late.pdf")
    answered = ok(post(client, f"/applications/{number}/supplements/{asked['id']}/answer",
                       {"answer": "Clear scan attached"}))  # fmt: skip
    assert answered["answered_at"]
    ok(post(client, f"/applications/{number}/messages", {"body": "Done"}), 201)
    staff_view = ok(act("reviewer.green").get(f"{API}/applications/{number}"))
    assert {m["kind"] for m in staff_view["messages"]} == {"message", "comment", "inspection"}

    # Every matter approved: the application is decided, then issued together.
    for reviewer, ids in tasks.items():
        for task_id in ids:
            approved = ok(post(act(reviewer), f"/reviews/{task_id}/approve", {"scope": "Retail"}))
            assert approved["state"] == "approved"
    client = act("jingan.fresh")
    assert ok(client.get(f"{API}/applications/{number}"))["state"] == "decided"
    assert ok(client.put(f"{API}/applications/{number}/delivery", {"method": "pickup"},
                         content_type="application/json"))["method"] == "pickup"  # fmt: skip
    issued = ok(post(act("manager"), f"/applications/{number}/issue"))
    # Every matter but the kitchen-waste declaration, which has no result document.
    assert {d["matter"] for d in issued} == {m["code"] for m in case["matters"]} - {
        "green-kitchen-waste-declaration"
    }
    assert {d["kind"] for d in issued} == {"certificate"}

    # Anyone verifies a certificate, by serial or by file.
    public = act(None)
    check = ok(public.get(f"{API}/verify/{issued[0]['serial']}"))
    assert check["genuine"] and check["valid"] and check["holder"]
    is_problem(public.get(f"{API}/verify/C000000000000000000000"), 404)
    # Read from the store: GET .../issued/{serial} answers 404 for now, because
    # uploads.open_stored refuses the "issued/..." paths that issuing._store writes.
    found = IssuedDocument.objects.get(serial=issued[0]["serial"])
    content = (settings.TONGBAN_UPLOAD_DIR / found.path).read_bytes()
    checked = ok(public.post(f"{API}/verify", {"file": _named(content, "certificate.pdf")}))
    assert checked["genuine"] and checked["serial"] == issued[0]["serial"]
    tampered = ok(public.post(f"{API}/verify", {"file": _named(content + b"%x", "c.pdf")}))
    assert not tampered["genuine"]
    is_problem(public.post(f"{API}/verify", {"file": _named(content, "c.pdf"), "x": "1"}), 422)

    # Collected at the counter against the pickup code, which only the applicant sees.
    code = ok(act("jingan.fresh").get(f"{API}/applications/{number}"))["delivery"]["pickup_code"]
    client = act("clerk")
    assert ok(client.get(f"{API}/applications/{number}"))["delivery"]["pickup_code"] is None
    wrong = is_problem(post(client, f"/applications/{number}/collect", {"code": "nope"}), 422)
    assert wrong["field"] == "code"
    collected = ok(post(client, f"/applications/{number}/collect", {"code": code}))
    assert collected["state"] == "collected"

    client = act("jingan.fresh")
    rated = ok(post(client, f"/applications/{number}/rating", {"grade": "very_satisfied"}))
    assert rated["grade"]["zh"] == "非常满意" and not rated["bad"]
    case = ok(client.get(f"{API}/applications/{number}"))
    assert case["state"] == "completed" and case["rating"]["grade"]["code"] == "very_satisfied"
    assert [m["action"] for m in case["timeline"]][:2] == ["submit", "accept"]
    vault = ok(client.get(f"{API}/vault"))
    assert len([d for d in vault if d["origin"] == "issued"]) == len(issued)
    notices = ok(client.get(f"{API}/notifications"))
    assert notices["unread"] == notices["count"] > 0
    assert ok(post(client, "/notifications/read"))["read"] == notices["count"]
    assert ok(client.get(f"{API}/notifications"))["unread"] == 0


def _named(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_draft_by_matter_with_vault_reuse_removal_delivery_and_withdrawal(act, settings):
    client = act("jingan.fresh")
    first, _ = start_and_fill(client, leave_out_tolerable=False)
    token = sheet_token("supermarket-small", SUPERMARKET)
    second = ok(post(client, "/applications", {"sheet": token}), 201)
    line = next(m for m in second["materials"] if m["offers"])
    url = f"/applications/{second['number']}"
    reused = ok(post(client, f"{url}/reuse", {"material": line["key"],
                                               "document": line["offers"][0]}))  # fmt: skip
    assert reused["status"] == "provided" and reused["reused"]
    download = client.get(f"{API}/documents/{reused['document']}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    removed = ok(client.delete(f"{API}{url}/materials?{urlencode({'material': line['key']})}"))
    assert removed["status"] == "missing" and removed["document"] is None
    unknown = is_problem(post(client, f"{url}/reuse", {"material": "nope", "document": 1}), 422)
    assert unknown["field"] == "material"
    post_box = client.put(f"{API}{url}/delivery", {"method": "post", "address": "x"},
                          content_type="application/json")  # fmt: skip
    assert is_problem(post_box, 422)["field"] == "address"
    not_pdf = {"material": line["key"], "file": _named(b"MZ not a pdf", "a.pdf")}
    bad_file = client.post(f"{API}{url}/materials", not_pdf)
    assert is_problem(bad_file, 422)["field"] == "file"
    settings.TONGBAN_UPLOAD_MAX_BYTES = 100
    big = client.post(f"{API}{url}/materials", {"material": line["key"], "file": pdf_file()})
    assert is_problem(big, 413)["field"] == "file"
    is_problem(act(None).post(f"{API}/verify", {"file": pdf_file()}), 413)
    is_problem(act(None).post(f"{API}/verify", {}), 422)
    client = act("jingan.fresh")

    # One matter from the catalogue.
    matter = "market-food-business-licence"
    single = ok(post(client, "/applications", {"matter": matter}), 201)
    assert [m["code"] for m in single["matters"]] == [matter]
    is_problem(post(client, "/applications", {"matter": "no-such-matter"}), 422)
    is_problem(post(client, "/applications", {}), 422)
    expired = is_problem(post(client, "/applications", {"sheet": "forged"}), 422)
    assert expired["field"] == "sheet"

    listed = ok(client.get(f"{API}/applications?per_page=2"))
    assert listed["count"] == 3 and len(listed["items"]) == 2
    assert listed["items"][0]["number"] == single["number"]  # newest first
    assert ok(client.get(f"{API}/applications?per_page=2&page=2"))["items"][0]["number"] == first
    is_problem(client.get(f"{API}/applications?per_page=51"), 422)

    ok(post(client, f"/applications/{first}/submit", {"commitment": True}))
    withdrawn = ok(post(client, f"/applications/{first}/withdraw", {"reason": "Moved"}))
    assert withdrawn["state"] == "withdrawn" and withdrawn["actions"] == []
    is_problem(post(client, f"/applications/{first}/withdraw"), 409)
    is_problem(post(client, f"/applications/{first}/rating", {"grade": "satisfied"}), 409)


def test_staff_cannot_start_applications_and_rejection_needs_a_reason(act):
    number, _ = start_and_fill(act("jingan.fresh"))
    ok(post(act("jingan.fresh"), f"/applications/{number}/submit", {"commitment": True}))
    client = act("clerk")
    matter = ok(client.get(f"{API}/matters?limit=1"))["items"][0]["code"]
    is_problem(post(client, "/applications", {"matter": matter}), 403)
    assert is_problem(post(client, f"/applications/{number}/reject"), 422)["field"] == "reason"
    rejected = ok(post(client, f"/applications/{number}/reject", {"reason": "Wrong district"}))
    assert rejected["state"] == "rejected" and rejected["reason"] == "Wrong district"
    is_problem(post(client, f"/applications/{number}/accept"), 409)


def test_the_inbox_filters_by_due_date(act, monkeypatch):
    number, _ = start_and_fill(act("jingan.fresh"))
    ok(post(act("jingan.fresh"), f"/applications/{number}/submit", {"commitment": True}))
    ok(post(act("clerk"), f"/applications/{number}/accept"))
    client = act("reviewer.market")
    inbox = ok(client.get(f"{API}/reviews"))["items"]
    assert inbox and ok(client.get(f"{API}/reviews?due=overdue"))["count"] == 0
    dues = [t["due_on"] for t in inbox]
    assert dues == sorted(dues)
    task = Application.objects.get(number=number).matters.filter(
        department__code="jingan-market").first()  # fmt: skip
    later = task.due_on + timedelta(days=1)
    monkeypatch.setattr(clocks, "today", lambda: later)
    overdue = ok(client.get(f"{API}/reviews?due=overdue"))["items"]
    assert task.pk in [t["id"] for t in overdue] and all(t["clock"]["overdue"] for t in overdue)
    assert all(t["clock"]["soon"] for t in ok(client.get(f"{API}/reviews?due=soon"))["items"])
    is_problem(client.get(f"{API}/reviews?due=whenever"), 422)
    refused = ok(post(client, f"/reviews/{task.pk}/refuse", {"reason": "Art. 12"}))
    assert refused["state"] == "refused"
    assert ok(client.get(f"{API}/reviews?due=overdue"))["count"] == len(overdue) - 1


def test_results_by_post_are_tracked_by_the_centre(act, demo_catalogue):
    applicant = demo_catalogue["jingan.fresh"]
    application = start_food_licence(applicant)
    fill_and_upload(application, applicant)
    services.submit(application, applicant, commitment=True)
    services.accept(application, demo_catalogue["clerk"])
    for task in application.matters.select_related("department"):
        services.approve(task, demo_catalogue[REVIEWERS[task.department.code]])
    url = f"/applications/{application.number}"
    client = act("jingan.fresh")
    address = {"method": "post", "address": "1 Gonghe Road, Jing'an, Shanghai"}
    ok(client.put(f"{API}{url}/delivery", address, content_type="application/json"))
    is_problem(post(client, f"{url}/track"), 403)
    is_problem(post(act("clerk"), f"{url}/track"), 409)  # nothing issued yet
    ok(post(act("clerk"), f"{url}/issue"))
    is_problem(post(act("clerk"), f"{url}/issue"), 409)  # issued once
    parcel = ok(post(act("clerk"), f"{url}/track"))
    assert parcel["state"] == "in_transit" and parcel["tracking_number"].startswith("EM")
    assert ok(post(act("manager"), f"{url}/track"))["state"] == "delivered"
    client = act("jingan.fresh")
    assert ok(client.get(f"{API}{url}"))["state"] == "completed"
    assert is_problem(post(client, f"{url}/rating", {"grade": "9"}), 422)["field"] == "grade"


# --- who may do what ------------------------------------------------------------------


@pytest.fixture
def case(act):
    """An accepted supermarket case of jingan.fresh: its number, a document, a market task."""
    client = act("jingan.fresh")
    number, started = start_and_fill(client)
    ok(post(client, f"/applications/{number}/submit", {"commitment": True}))
    ok(post(act("clerk"), f"/applications/{number}/accept"))
    application = Application.objects.get(number=number)
    task = application.matters.get(department__code="jingan-market")
    document = application.materials.exclude(document=None).first().document_id
    key = application.materials.exclude(document=None).first().key
    return {"number": number, "document": document, "task": task.pk, "key": key,
            "state": application.state, "snapshot": snapshot(application)}  # fmt: skip


def snapshot(application: Application) -> tuple:
    lines = application.materials.order_by("key").values_list("key", "document_id", "status")
    return application.state, application.data, list(lines), application.delivery_method


def applicant_endpoints(c: dict) -> list[tuple[str, str, dict]]:
    n, key = c["number"], c["key"]
    return [
        ("get", f"/applications/{n}", {}),
        ("put", f"/applications/{n}/data", {"json": {"phone": "1"}}),
        ("post", f"/applications/{n}/materials", {"form": {"material": key,
                                                           "file": pdf_file()}}),
        ("post", f"/applications/{n}/reuse", {"json": {"material": key, "document": 1}}),
        ("delete", f"/applications/{n}/materials?{urlencode({'material': key})}", {}),
        ("put", f"/applications/{n}/delivery", {"json": {"method": "pickup"}}),
        ("get", f"/applications/{n}/precheck", {}),
        ("post", f"/applications/{n}/submit", {"json": {"commitment": True}}),
        ("post", f"/applications/{n}/withdraw", {"json": {}}),
        ("post", f"/applications/{n}/supplements/1/answer", {"json": {"answer": "x"}}),
        ("post", f"/applications/{n}/messages", {"json": {"body": "hello"}}),
        ("post", f"/applications/{n}/rating", {"json": {"grade": "satisfied"}}),
        ("get", f"/applications/{n}/issued/C1", {}),
        ("get", f"/documents/{c['document']}", {}),
    ]  # fmt: skip


def staff_endpoints(c: dict) -> list[tuple[str, str, dict]]:
    n, t = c["number"], c["task"]
    return [
        ("post", f"/applications/{n}/accept", {"json": {}}),
        ("post", f"/applications/{n}/reject", {"json": {"reason": "No"}}),
        ("get", f"/reviews/{t}", {}),
        ("post", f"/reviews/{t}/approve", {"json": {}}),
        ("post", f"/reviews/{t}/refuse", {"json": {"reason": "No"}}),
        ("post", f"/reviews/{t}/supplement", {"json": {"materials": [], "reason": "x"}}),
        ("post", f"/reviews/{t}/comment", {"json": {"body": "x"}}),
        ("post", f"/reviews/{t}/inspection", {"json": {"body": "x"}}),
        ("post", f"/applications/{n}/issue", {"json": {}}),
        ("post", f"/applications/{n}/collect", {"json": {"code": "123456"}}),
        ("post", f"/applications/{n}/track", {"json": {}}),
    ]  # fmt: skip


LISTS = [("get", "/applications"), ("get", "/vault"), ("get", "/notifications"),
         ("post", "/notifications/read"), ("get", "/acceptance"), ("get", "/reviews")]  # fmt: skip


def call(client, method: str, url: str, options: dict):
    if "form" in options:
        return client.post(f"{API}{url}", options["form"])
    if "json" in options:
        return getattr(client, method)(f"{API}{url}", options["json"],
                                       content_type="application/json")  # fmt: skip
    return getattr(client, method)(f"{API}{url}")


def statuses(client, endpoints) -> dict[str, int]:
    """The status of each call; every refusal is a problem detail."""
    found = {}
    for method, url, options in endpoints:
        response = call(client, method, url, options)
        assert response.status_code < 400 or response["Content-Type"] == PROBLEM, url
        found[f"{method.upper()} {url}"] = response.status_code
    return found


def unchanged(c: dict) -> None:
    application = Application.objects.get(number=c["number"])
    assert c["state"] == "in_review" and snapshot(application) == c["snapshot"]
    assert not application.notes.exists() and not application.matters.filter(
        supplements__isnull=False).exists()  # fmt: skip
    # Only the instant kitchen waste declaration was decided, by the clerk on accepting.
    assert {t.matter.kind for t in application.matters.exclude(state="reviewing")} == {"instant"}


def test_another_applicant_finds_nothing(act, case):
    # Staff actions on a case li.ming cannot see are not found either.
    found = statuses(act("li.ming"), applicant_endpoints(case) + staff_endpoints(case))
    assert {k: v for k, v in found.items() if v != 404} == {}
    listed = ok(act("li.ming").get(f"{API}/applications"))
    assert listed["count"] == 0
    assert ok(act("li.ming").get(f"{API}/vault")) == []
    unchanged(case)


def test_signed_out_is_401_everywhere_but_verify(act, case):
    client = act(None)
    everything = applicant_endpoints(case) + staff_endpoints(case)
    everything += [(m, u, {"json": {}} if m == "post" else {}) for m, u in LISTS]
    for method, url, options in everything:
        is_problem(call(client, method, url, options), 401)
    is_problem(client.get(f"{API}/verify/nothing"), 404)
    unchanged(case)


def test_the_applicant_cannot_act_as_staff(act, case):
    found = statuses(act("jingan.fresh"), staff_endpoints(case))
    assert set(found.values()) <= {403, 404}, found
    assert found[f"POST /applications/{case['number']}/accept"] == 403
    assert found[f"GET /reviews/{case['task']}"] == 404
    client = act("jingan.fresh")
    is_problem(client.get(f"{API}/acceptance"), 403)
    is_problem(client.get(f"{API}/reviews"), 403)
    unchanged(case)


def test_a_clerk_of_another_centre_finds_nothing(act, case):
    client = act("clerk.pengpu")
    found = statuses(client, staff_endpoints(case) + applicant_endpoints(case))
    assert {k: v for k, v in found.items() if v != 404} == {}
    assert ok(client.get(f"{API}/acceptance"))["count"] == 0
    assert ok(client.get(f"{API}/applications"))["count"] == 0
    is_problem(client.get(f"{API}/reviews"), 403)
    unchanged(case)


def test_a_reviewer_without_a_task_on_the_case_finds_nothing(act, case):
    client = act("reviewer.health")
    found = statuses(client, staff_endpoints(case) + applicant_endpoints(case))
    assert {k: v for k, v in found.items() if v != 404} == {}
    assert ok(client.get(f"{API}/reviews"))["count"] == 0
    assert ok(client.get(f"{API}/applications"))["count"] == 0
    unchanged(case)


def test_a_reviewer_of_another_department_on_the_case_cannot_decide_its_task(act, case):
    client = act("reviewer.fire")
    assert ok(client.get(f"{API}/applications/{case['number']}"))["number"] == case["number"]
    for method, url, options in staff_endpoints(case):
        response = call(client, method, url, options)
        assert response.status_code in (403, 404), (url, response.status_code)
        if "/reviews/" in url:
            assert response.status_code == 404, url
    unchanged(case)


def test_staff_reads_of_personal_data_are_audited(act, case):
    reads = AuditEntry.objects.filter(action="read")
    before = reads.count()
    client = act("reviewer.market")
    ok(client.get(f"{API}/applications/{case['number']}"))
    download = client.get(f"{API}/documents/{case['document']}")
    assert download.status_code == 200
    assert reads.count() == before + 2
    ok(act("jingan.fresh").get(f"{API}/applications/{case['number']}"))
    assert reads.count() == before + 2  # the applicant's own reads are not


def test_unsafe_methods_need_the_csrf_token(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo["jingan.fresh"],
                       backend="django.contrib.auth.backends.ModelBackend")  # fmt: skip
    body = {"matter": "no-such-matter"}
    refused = client.post(f"{API}/applications", body, content_type="application/json")
    assert is_problem(refused, 403)["detail"] == "CSRF check Failed"
    assert not Application.objects.exists()
    assert client.get(f"{API}/applications").status_code == 200  # safe methods need none
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    allowed = client.post(f"{API}/applications", body, content_type="application/json",
                          headers={"X-CSRFToken": secret})  # fmt: skip
    assert is_problem(allowed, 422)["field"] == "matter"  # past CSRF, refused by the rules

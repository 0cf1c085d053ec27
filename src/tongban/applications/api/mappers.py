"""Cases as the API shows them: plain dicts in the shape of the schemas (``schemas``)."""

from tongban.core.bilingual import pair
from tongban.core.identity import mask_resident_id
from tongban.notifications.models import Notification
from tongban.notifications.services import both
from tongban.ratings.schemas import rating_out

from .. import access, selectors, services, states
from ..models import (
    Application,
    ApplicationMatter,
    IssuedDocument,
    Note,
    Payment,
    SupplementRequest,
)
from ..services import clocks, supplements


def text(obj) -> dict:
    return {"en": obj.name_en, "zh": obj.name_zh}


def summary(a: Application) -> dict:
    return {"number": a.number, "state": a.state, "title": {"en": a.title_en, "zh": a.title_zh},
            "created_at": a.created_at, "submitted_at": a.submitted_at,
            "updated_at": a.updated_at}  # fmt: skip


def detail(application: Application, user) -> dict:
    mine = application.applicant_id == user.pk
    data = selectors.shared_data(user, application)
    tasks = list(application.matters.select_related("matter", "department",
                                                    "beneficiary_district"))  # fmt: skip
    return {
        **summary(application),
        **{k: getattr(application, k) for k in ("scenario", "counter", "expires_at",
           "commitment_at", "accepted_at", "decided_at", "issued_at", "reason")},
        "data": data,
        "centre": text(application.centre),
        "centre_code": application.centre.code,
        "fields": fields(application),
        "materials": materials(application, mine),
        "optional_materials": [optional(o) for o in services.addable_materials(application)],
        "matters": [matter(task) for task in tasks],
        "supplements": [supplement(s) for s in selectors.supplements_of(application)],
        "overdue_supplements": [overdue(owed) for owed in services.overdue_of(application)],
        "messages": notes(application, user),
        "delivery": delivery(application, mine),
        "fees": fees(selectors.payment_of(application)),
        "issued": [issued(d) for d in selectors.issued_of(application)],
        "rating": rating(application),
        "timeline": [{**m, "matter": m["matter"] and m["matter"].code}
                     for m in selectors.timeline(application)],
        "actions": actions(application, user),
    }  # fmt: skip


def fields(application: Application) -> list[dict]:
    return [
        {"key": f.key, "label": dict(zip(("en", "zh"), both(f.label), strict=True)),
         "required": f.required, "value": str(application.data.get(f.key, ""))}
        for f in services.fields_for(application)
    ]  # fmt: skip


def materials(application: Application, mine: bool) -> list[dict]:
    draft = application.state in states.EDITABLE
    offers = services.vault_offers(application) if mine and draft else {}
    requested = {
        k for s in selectors.supplements_of(application).filter(answered_at__isnull=True)
        for k in s.material_keys
    }  # fmt: skip
    return [
        {"key": m.key, "name": text(m), "evidence": m.evidence, "principal": m.principal,
         "optional": m.optional, "matters": m.matter_codes, "originals": m.originals,
         "copies": m.copies, "status": m.status, "from_matter": m.from_matter,
         "due_on": m.due_on, "document": m.document_id,
         "reused": m.reused, "supplied_at": m.supplied_at, "requested": m.key in requested,
         "offers": [d.pk for d in offers.get(m.key, [])]}
        for m in application.materials.all()
    ]  # fmt: skip


def optional(offer: services.OptionalMaterial) -> dict:
    material = offer.material
    return {"key": offer.key, "name": text(material),
            "evidence": material.evidence.code if material.evidence else "",
            "note": pair(material, "note"), "matters": list(offer.matters),
            "originals": material.originals, "copies": material.copies}  # fmt: skip


def matter(task: ApplicationMatter) -> dict:
    return {
        "task": task.pk, "code": task.matter.code, "name": text(task.matter),
        "kind": task.matter.kind,
        "city_wide": task.matter.city_wide, "beneficiary": beneficiary(task),
        "department": {"code": task.department.code, "name": text(task.department)},
        "lead": task.lead, "after": task.after, "state": task.state, "started_on": task.started_on,
        "due_on": task.due_on,
        "clock": clocks.clock(task), "reason": task.reason, "result": task.result,
    }  # fmt: skip


def beneficiary(task: ApplicationMatter) -> dict:
    district = task.beneficiary_district
    return {"relation": task.beneficiary_relation, "name": task.beneficiary_name,
            "id_number": mask_resident_id(task.beneficiary_id_number),
            "district": district and district.code}  # fmt: skip


def centres(application: Application) -> dict:
    def centre(c) -> dict:
        return {"code": c.code, "name": text(c), "kind": c.kind}

    return {"centre": centre(application.centre),
            "choices": [centre(c) for c in services.centres_to_choose(application)]}  # fmt: skip


def supplement(s: SupplementRequest) -> dict:
    return {"id": s.pk, "task": s.task_id, "matter": s.task.matter.code,
            "materials": s.material_keys, "reason": s.reason, "due_on": s.due_on,
            "requested_at": s.requested_at, "answered_at": s.answered_at,
            "answer": s.answer}  # fmt: skip


def overdue(owed: supplements.Owed) -> dict:
    return {"kind": owed.kind, "material": owed.row.key if owed.kind == supplements.MATERIAL
            else None, "request": owed.row.pk if owed.kind == supplements.REQUEST else None,
            "matters": list(owed.matters), "due_on": owed.due_on,
            "consequence": supplements.policy(), "ends_after": owed.ends_after,
            "escalated_at": owed.escalated_at}  # fmt: skip


def notes(application: Application, user) -> list[dict]:
    notes = application.notes.select_related("author", "application")
    if not access.may_see_staff_notes(user, application):
        notes = notes.filter(kind=Note.Kind.MESSAGE)
    return [note(n) for n in notes]


def note(n: Note) -> dict:
    return {"id": n.pk, "kind": n.kind, "task": n.task_id, "author": n.author.display_name,
            "from_applicant": n.author_id == n.application.applicant_id, "body": n.body,
            "created_at": n.created_at}  # fmt: skip


def delivery(application: Application, mine: bool) -> dict:
    parcel = selectors.delivery_of(application)
    offered = services.post_offered(application)
    if parcel is None:
        return {"method": application.delivery_method, "address": application.delivery_address,
                "state": None, "pickup_code": None, "carrier": "", "tracking_number": "",
                "events": [], "post_offered": offered}  # fmt: skip
    return {"method": parcel.method, "address": parcel.address, "state": parcel.state,
            "pickup_code": parcel.pickup_code if mine else None, "carrier": parcel.carrier,
            "tracking_number": parcel.tracking_number, "events": parcel.events,
            "post_offered": offered}  # fmt: skip


def issued(d: IssuedDocument) -> dict:
    return {"serial": d.serial, "kind": d.kind, "title": d.title, "matter": d.task.matter.code,
            "valid_from": d.valid_from, "valid_until": d.valid_until, "issued_at": d.issued_at,
            "revoked": d.revoked_at is not None, "revoked_at": d.revoked_at,
            "ready": d.ready}  # fmt: skip


def fees(payment: Payment | None) -> dict | None:
    if payment is None:
        return None
    return {"amount": payment.amount, "state": payment.state,
            "lines": [{"matter": x["matter"], "name": x["name"],
                       "amount": x["amount"]} for x in payment.lines],
            "receipt": payment.receipt, "reference": payment.reference,
            "paid_at": payment.paid_at}  # fmt: skip


def rating(application: Application) -> dict | None:
    found = services.rating_of(application)
    return rating_out(found) if found else None


# Who takes each move of the application machine; the moves themselves come from ``states``.
_ACTORS = {"submit": "applicant", "withdraw": "applicant", "accept": "counter",
           "reject": "counter", "issue": "issuer"}  # fmt: skip


def actions(application: Application, user) -> list[str]:
    roles = {
        "applicant": application.applicant_id == user.pk,
        "counter": services.may_accept(user, application),
        "issuer": access.is_centre_staff(user, application),
    }
    found = ["edit"] if roles["applicant"] and application.state in states.EDITABLE else []
    payment = selectors.payment_of(application)
    if roles["applicant"] and payment and payment.state == states.PAYMENT.initial:
        found.append("pay")
    moves = states.APPLICATION.allowed(application.state)
    return found + [m for m in moves if roles.get(_ACTORS.get(m, ""), False)]


def review(task: ApplicationMatter) -> dict:
    a = task.application
    late = supplements.overdue_tasks([task], clocks.today())
    return {"id": task.pk, "application": a.number, "title": {"en": a.title_en, "zh": a.title_zh},
            "matter": task.matter.code, "matter_name": text(task.matter),
            "department": task.department.code, "state": task.state,
            "started_on": task.started_on, "due_on": task.due_on,
            "clock": clocks.clock(task), "supplement_overdue": task.pk in late}  # fmt: skip


def review_detail(task: ApplicationMatter, user) -> dict:
    task = ApplicationMatter.objects.select_related("application", "matter", "department").get(
        pk=task.pk
    )
    return {**review(task), "reason": task.reason, "result": task.result,
            "overdue_tolerated": [m.key for m in services.overdue_tolerated(task)],
            "case": detail(task.application, user)}  # fmt: skip


def findings(found) -> list[dict]:
    return [{"level": f.level, "message": f.message, "field": f.field, "material": f.material,
             "matters": list(f.matters)} for f in found]  # fmt: skip


def line(application: Application, key: str) -> dict:
    """One material line of the applicant's own application."""
    return next(m for m in materials(application, True) if m["key"] == key)


def notification(n: Notification) -> dict:
    return {"id": n.pk, "application": n.application and n.application.number,
            "text": {"en": n.text_en, "zh": n.text_zh}, "created_at": n.created_at,
            "read_at": n.read_at}  # fmt: skip

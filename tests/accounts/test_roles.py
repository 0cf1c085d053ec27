import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tongban.accounts.models import User
from tongban.accounts.services import make_staff
from tongban.audit.models import AuditEntry

STAFF_PAGES = {
    "staff": reverse("accounts:staff"),
    "applicants": reverse("accounts:applicant_search"),
    "audit": reverse("audit_log"),
    "admin": reverse("admin:index"),
    "catalogue_admin": reverse("admin:catalogue_department_changelist"),
    "user_admin": reverse("admin:accounts_user_changelist"),
}

# What each account may open; everything else is refused.
ALLOWED = {
    "li.ming": set(),
    "jingan.fresh": set(),
    "clerk": {"staff", "applicants"},
    "reviewer.market": {"staff"},
    "manager": {"staff", "applicants", "audit"},
    "editor": {"staff", "audit", "admin", "catalogue_admin"},
    "admin": set(STAFF_PAGES),
}


@pytest.mark.parametrize("username", sorted(ALLOWED))
def test_each_role_opens_only_what_it_may(login, username):
    client = login(username)
    for page, url in STAFF_PAGES.items():
        status = client.get(url).status_code
        if page in ALLOWED[username]:
            assert status == 200, (username, page, status)
        else:
            assert status in (302, 403), (username, page, status)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_clerk_needs_a_centre_and_a_reviewer_a_department(demo):
    user = User.objects.create_user("new.clerk", password="x")
    with pytest.raises(ValidationError) as error:
        make_staff(user, ["clerk"])
    assert "centre" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_staff(user, ["reviewer"])
    assert "department" in error.value.message_dict


def test_the_admin_refuses_a_clerk_without_a_centre(login, demo):
    client = login("admin")
    clerk = demo["clerk"]
    url = reverse("admin:accounts_user_change", args=[clerk.pk])
    data = {
        "username": clerk.username,
        "kind": "staff",
        "full_name": clerk.full_name,
        "email": clerk.email,
        "phone": "",
        "centre": "",
        "department": "",
        "groups": [g.pk for g in clerk.groups.all()],
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "works at a service centre" in response.content.decode()
    clerk.refresh_from_db()
    assert clerk.centre is not None


def test_staff_see_a_masked_id_and_the_look_up_is_audited(login, demo):
    client = login("clerk")
    applicant = demo["li.ming"]
    page = client.get(reverse("accounts:applicant_detail", args=[applicant.pk])).content.decode()
    assert applicant.id_number not in page
    assert applicant.masked_id_number in page
    entry = AuditEntry.objects.filter(action="read").first()
    assert (entry.actor_label, entry.object_id) == ("clerk", str(applicant.pk))


def test_the_admin_shows_a_masked_id_and_audits_the_read(login, demo):
    client = login("admin")
    applicant = demo["li.ming"]
    page = client.get(reverse("admin:accounts_user_change", args=[applicant.pk])).content.decode()
    assert applicant.id_number not in page
    assert AuditEntry.objects.filter(action="read", actor_label="admin").exists()


def test_search_finds_applicants_not_staff(login):
    client = login("clerk")
    page = client.get(reverse("accounts:applicant_search"), {"q": "Li Ming"}).content.decode()
    assert "Li Ming" in page
    page = client.get(reverse("accounts:applicant_search"), {"q": "Clerk"}).content.decode()
    assert "Nobody matches" in page

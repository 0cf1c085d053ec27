"""The household registration district (户籍所在地): data of the person, set and changed by
them on the pages and the API, audited; never guessed from the resident ID."""

import pytest
from django.urls import reverse

from tongban.accounts.models import User
from tongban.audit.models import AuditEntry
from tongban.catalogue.models import Region

from .test_accounts import PERSON


def _changes(user: User) -> list[tuple]:
    entries = AuditEntry.objects.filter(
        object_type="accounts.user", object_id=str(user.pk), action="update"
    )
    return [
        (e.before.get("registration_district"), e.after.get("registration_district"))
        for e in entries
        if "registration_district" in (e.after or {})
    ]


def test_the_demo_residents_are_registered_where_the_article_puts_them(demo):
    assert demo["chen.jing"].registration_district.code == "310113"
    assert demo["li.ming"].registration_district.code == "310106"
    assert demo["jingan.fresh"].registration_district is None


@pytest.mark.django_db
def test_a_resident_gives_the_district_at_sign_up_not_the_id_prefix(client, demo):
    baoshan = Region.objects.get(code="310113")
    # Wang Fang's ID was first issued in Jing'an (310106) but her household is in Baoshan.
    data = {**PERSON, "registration_district": baoshan.pk}
    assert client.post(reverse("accounts:signup") + "?kind=person", data).status_code == 302
    user = User.objects.get(username="wang.fang")
    assert user.registration_district == baoshan
    assert "Baoshan District" in client.get(reverse("accounts:home")).content.decode()


def test_the_profile_page_changes_it_and_the_change_is_audited(login, demo):
    client = login("li.ming")
    form = client.get(reverse("accounts:profile")).content.decode()
    assert 'name="registration_district"' in form and "Baoshan District" in form
    baoshan = Region.objects.get(code="310113")
    response = client.post(
        reverse("accounts:profile"),
        {"email": "li@example.com", "phone": "", "registration_district": baoshan.pk},
    )
    assert response.status_code == 302
    user = User.objects.get(username="li.ming")
    assert user.registration_district == baoshan
    assert _changes(user)[-1] == (Region.objects.get(code="310106").pk, baoshan.pk)


def test_only_a_district_will_do(login, demo):
    client = login("li.ming")
    subdistrict = Region.objects.get(code="310106020000")
    response = client.post(
        reverse("accounts:profile"),
        {"email": "li@example.com", "registration_district": subdistrict.pk},
    )
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert User.objects.get(username="li.ming").registration_district.code == "310106"


def test_an_enterprise_has_no_household_registration_to_give(login, demo):
    form = login("jingan.fresh").get(reverse("accounts:profile")).content.decode()
    assert 'name="registration_district"' not in form


def test_the_api_shows_and_changes_it(login, demo):
    client = login("chen.jing")
    me = client.get("/api/v1/me").json()
    assert me["registration_district"]["code"] == "310113"
    changed = client.patch("/api/v1/me", {"registration_district": "310106"},
                           content_type="application/json")  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["registration_district"]["name_zh"] == "静安区"
    user = User.objects.get(username="chen.jing")
    assert _changes(user)[-1][1] == Region.objects.get(code="310106").pk
    cleared = client.patch("/api/v1/me", {"registration_district": None},
                           content_type="application/json")  # fmt: skip
    assert cleared.json()["registration_district"] is None


@pytest.mark.parametrize("code", ["310106020000", "999999", "310000"])
def test_the_api_refuses_what_is_not_a_district(login, demo, code):
    response = login("chen.jing").patch("/api/v1/me", {"registration_district": code},
                                        content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "registration_district"


def test_the_api_refuses_an_enterprise_and_a_visitor(client, login, demo):
    assert client.get("/api/v1/me").status_code == 401
    response = login("jingan.fresh").patch("/api/v1/me", {"registration_district": "310106"},
                                           content_type="application/json")  # fmt: skip
    assert response.status_code == 422

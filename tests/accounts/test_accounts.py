import re

import pytest
from django.core import mail
from django.urls import reverse

from tongban.accounts.demo import DEMO_PASSWORD
from tongban.accounts.models import User

PERSON = {
    "username": "wang.fang",
    "full_name": "Wang Fang",
    "id_number": "310106199001010030",
    "email": "wang.fang@example.com",
    "phone": "13800000000",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}
ENTERPRISE = {
    "username": "fresh.market",
    "enterprise_name": "Fresh Market Co., Ltd.",
    "credit_code": "91310106MA1FP3XQ0W",
    "full_name": "Zhao Lei",
    "email": "contact@fresh.example.com",
    "password1": "a-long-unusual-passphrase-42",
    "password2": "a-long-unusual-passphrase-42",
}


@pytest.mark.django_db
def test_a_resident_signs_up_and_sees_their_own_full_id(client):
    response = client.post(reverse("accounts:signup") + "?kind=person", PERSON)
    assert response.status_code == 302
    user = User.objects.get(username="wang.fang")
    assert user.kind == User.Kind.PERSON
    assert user.id_number == PERSON["id_number"]
    page = client.get(reverse("accounts:home")).content.decode()
    assert PERSON["id_number"] in page


@pytest.mark.django_db
def test_a_bad_id_number_is_a_form_error_and_creates_nobody(client):
    response = client.post(
        reverse("accounts:signup") + "?kind=person", {**PERSON, "id_number": "310106199001010031"}
    )
    assert response.status_code == 200
    assert "check digit is wrong" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not User.objects.filter(username="wang.fang").exists()


@pytest.mark.django_db
def test_an_enterprise_signs_up_with_its_credit_code(client):
    response = client.post(reverse("accounts:signup") + "?kind=enterprise", ENTERPRISE)
    assert response.status_code == 302
    user = User.objects.get(username="fresh.market")
    assert (user.kind, user.credit_code) == (User.Kind.ENTERPRISE, ENTERPRISE["credit_code"])
    assert str(user) == "Fresh Market Co., Ltd."


@pytest.mark.django_db
def test_a_bad_credit_code_is_a_form_error(client):
    response = client.post(
        reverse("accounts:signup") + "?kind=enterprise",
        {**ENTERPRISE, "credit_code": "91310106MA1FP3XQ0X"},
    )
    assert response.status_code == 200
    assert "check character is wrong" in response.content.decode()
    assert not User.objects.filter(username="fresh.market").exists()


def test_one_id_number_signs_up_once(client, demo):
    taken = demo["li.ming"].id_number
    response = client.post(
        reverse("accounts:signup") + "?kind=person", {**PERSON, "id_number": taken}
    )
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


@pytest.mark.django_db
def test_unknown_signup_kind_is_not_found(client):
    assert client.get(reverse("accounts:signup") + "?kind=robot").status_code == 404


def test_login_and_logout(client, demo):
    response = client.post(reverse("login"), {"username": "li.ming", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("accounts:home")).status_code == 302


def test_guessing_passwords_locks_the_account_out(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "li.ming", "password": "guess"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "li.ming", "password": "guess"})
    assert response.status_code == 429
    response = client.post(reverse("login"), {"username": "li.ming", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert client.get(reverse("accounts:home")).status_code == 302


def test_password_reset_by_email(client, demo):
    client.post(reverse("password_reset"), {"email": "li.ming@demo.tongban.invalid"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    new = "another-long-passphrase-77"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    response = client.post(reverse("login"), {"username": "li.ming", "password": new})
    assert response.status_code == 302


def test_contact_details_can_be_changed(login):
    client = login("li.ming")
    response = client.post(reverse("accounts:profile"), {"email": "li@example.com", "phone": "1"})
    assert response.status_code == 302
    assert User.objects.get(username="li.ming").email == "li@example.com"

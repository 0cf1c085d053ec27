import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from tongban.accounts.models import User
from tongban.audit import chain
from tongban.audit.models import AppendOnly, AuditEntry
from tongban.audit.services import record, verify


def _write(n: int) -> None:
    for i in range(n):
        record("update", object_type="test.thing", object_id=i, after={"n": i, "名": "值"})


def _sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=AuditEntry._meta.db_table), params)


def test_a_state_change_records_who_before_and_after(login, demo):
    client = login("li.ming")
    district = demo["li.ming"].registration_district_id  # the form sends it back unchanged
    form = {"email": "new@example.com", "phone": "139", "registration_district": district}
    client.post("/accounts/profile/", form)
    entry = AuditEntry.objects.filter(action="update", object_type="accounts.user").first()
    assert entry.actor_label == "li.ming"
    assert entry.before == {"email": "li.ming@demo.tongban.invalid", "phone": ""}
    assert entry.after == {"email": "new@example.com", "phone": "139"}


def test_personal_data_and_secrets_never_enter_the_log(demo):
    created = AuditEntry.objects.get(
        action="create", object_id=str(demo["li.ming"].pk), object_type="accounts.user"
    )
    assert created.after["id_number"] == demo["li.ming"].masked_id_number
    assert created.after["password"] == "***"


@pytest.mark.django_db
def test_an_intact_chain_verifies():
    _write(5)
    assert verify() == (5, None)
    call_command("audit", "verify")


@pytest.mark.django_db
def test_an_edited_row_is_found():
    _write(5)
    _sql("UPDATE {table} SET object_label = %s WHERE seq = 3", "forged")
    count, broken = verify()
    assert broken is not None and broken.seq == 3
    with pytest.raises(CommandError, match="broken at entry 3"):
        call_command("audit", "verify")


@pytest.mark.django_db
def test_an_edited_value_in_json_is_found():
    _write(4)
    _sql("UPDATE {table} SET after = %s WHERE seq = 2", '{"n": 99, "名": "值"}')
    assert verify()[1].seq == 2


@pytest.mark.django_db
def test_a_deleted_row_is_found():
    _write(5)
    _sql("DELETE FROM {table} WHERE seq = 2")
    broken = verify()[1]
    assert broken.seq == 2 and "missing" in broken.reason


@pytest.mark.django_db
def test_a_deleted_last_row_is_found():
    _write(5)
    _sql("DELETE FROM {table} WHERE seq = 5")
    assert verify()[1].seq == 5


@pytest.mark.django_db
def test_the_orm_refuses_to_change_or_remove_entries():
    _write(2)
    entry = AuditEntry.objects.get(seq=1)
    entry.object_label = "x"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.update(object_label="x")


@pytest.mark.django_db
def test_deleting_a_user_keeps_the_log_whole():
    user = User.objects.create_user("temp", password="x", id_number=None)
    user.delete()
    assert verify()[1] is None
    assert AuditEntry.objects.filter(action="delete", object_type="accounts.user").exists()


def _links(values: list[str]) -> list[chain.Link]:
    links, prev = [], chain.GENESIS
    for seq, value in enumerate(values, start=1):
        fields = {"seq": seq, "value": value}
        digest = chain.digest(prev, fields)
        links.append(chain.Link(seq, prev, digest, fields))
        prev = digest
    return links


@given(st.lists(st.text(max_size=5), min_size=1, max_size=30), st.data())
def test_any_single_edit_or_removal_is_found_where_it_happened(values, data):
    links = _links(values)
    head = (links[-1].seq, links[-1].hash)
    assert chain.first_break(links, *head) is None
    at = data.draw(st.integers(0, len(links) - 1))
    if data.draw(st.booleans()):
        original = links[at]
        forged = {**original.fields, "value": original.fields["value"] + "!"}
        links[at] = chain.Link(original.seq, original.prev_hash, original.hash, forged)
    else:
        del links[at]
    broken = chain.first_break(links, *head)
    assert broken is not None and broken.seq == at + 1

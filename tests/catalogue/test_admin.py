import pytest
from django.urls import reverse

from tongban.audit.models import AuditEntry
from tongban.catalogue.loader import load_districts
from tongban.catalogue.models import CatalogueVersion
from tongban.catalogue.queries import public_version
from tongban.core.yamlfile import ContentErrors

from .sample import sample_folder


def admin_form_data(response) -> dict:
    """The POST data of an admin change form as it was shown, inlines included."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for form in formset.forms:
            add(form)
    return data


def edit_in_draft(client, code: str = "test-food-licence") -> tuple[str, dict]:
    """Open a draft as the signed-in editor: the matter's change URL and its form data."""
    client.post(reverse("admin:catalogue_draft"))
    matter = CatalogueVersion.objects.get(published_at__isnull=True).matters.get(code=code)
    url = reverse("admin:catalogue_matter_change", args=[matter.pk])
    return url, admin_form_data(client.get(url))


@pytest.fixture
def catalogue(demo, tmp_path):
    load_districts([sample_folder(tmp_path)])


def test_an_editor_edits_a_draft_and_publishes_it_as_a_new_version(login, catalogue):
    client = login("editor")
    versions = reverse("admin:catalogue_catalogueversion_changelist")
    assert "Start a draft" in client.get(versions).content.decode()
    served = public_version().number
    url, data = edit_in_draft(client)
    data["name_en"] = "Food business licence"
    data["conditions_en"] += "\nA food safety manager"
    data["conditions_zh"] += "\n配备食品安全管理人员"
    data["materials-2-principal"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    # The public still reads the served version until the draft is published.
    assert public_version().number == served
    assert (
        "Test food licence"
        in client.get(reverse("matter", args=["test-food-licence"])).content.decode()
    )
    entry = AuditEntry.objects.filter(object_type="catalogue.matter").latest("seq")
    assert entry.actor_label == "editor" and entry.action == "update"
    assert entry.before["name"]["en"] == "Test food licence"
    assert entry.after["name"]["en"] == "Food business licence"
    assert entry.after["materials"][2]["principal"] is True

    client.post(reverse("admin:catalogue_publish"))
    current = public_version()
    assert current.number == served + 1 and current.published_by == "editor"
    page = client.get(reverse("matter", args=["test-food-licence"])).content.decode()
    assert "Food business licence" in page and "A food safety manager" in page
    assert (
        public_version(served).matters.get(code="test-food-licence").name_en == "Test food licence"
    )
    # The new version is searchable under its new name.
    assert (
        "1 matter found" in client.get(reverse("services"), {"q": "food business"}).content.decode()
    )


def test_an_inconsistent_edit_is_a_form_error(login, catalogue):
    url, data = edit_in_draft(login("editor"))
    data["steps_zh"] = "只有一行"
    data["basic_code"] = "12"
    response = login("editor").post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "steps_zh" in errors and "basic_code" in errors


def test_loading_files_refuses_to_overwrite_an_edited_draft(login, catalogue, tmp_path):
    client = login("editor")
    url, data = edit_in_draft(client)
    data["promised_days"] = "4"
    assert client.post(url, data).status_code == 302
    folder = sample_folder(tmp_path / "again")
    with pytest.raises(ContentErrors, match="unpublished changes"):
        load_districts([folder])
    assert CatalogueVersion.objects.filter(published_at__isnull=True).exists()
    load_districts([folder], discard_draft=True)
    assert not CatalogueVersion.objects.filter(published_at__isnull=True).exists()


def test_only_editors_publish(login, catalogue):
    client = login("clerk")
    assert client.post(reverse("admin:catalogue_draft")).status_code in (302, 403)
    assert not CatalogueVersion.objects.filter(published_at__isnull=True).exists()

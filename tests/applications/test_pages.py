"""The applicant's pages: start from a sheet, fill once, upload, submit, follow, verify."""

import pytest
from django.conf import settings
from django.urls import reverse

from tongban.applications import issuing
from tongban.applications.models import Application
from tongban.guidance.services import sheet_token

from .cases import SUPERMARKET, decided, fill_and_upload, pdf_file, start_supermarket, tolerable_key

pytestmark = pytest.mark.django_db


def test_apply_from_the_sheet_fill_upload_and_submit(client, login, demo_catalogue):
    client = login("jingan.fresh")
    token = sheet_token("supermarket-small", SUPERMARKET)
    page = client.get(reverse("guidance:sheet", args=[token]))
    assert b"Apply online" in page.content
    response = client.post(reverse("applications:start"), {"sheet": token})
    application = Application.objects.get(applicant__username="jingan.fresh")
    assert response.status_code == 302 and application.number in response["Location"]
    detail = reverse("applications:detail", args=[application.number])
    page = client.get(detail)
    assert page.status_code == 200
    # The profile filled the shared fields once; the enterprise name shows on the page.
    assert "Jing&#x27;an Fresh Market Co., Ltd." in page.content.decode()

    bad = client.post(reverse("applications:data", args=[application.number]),
                      {"enterprise_name": "X", "credit_code": "91310106MA1FL0A2K9",
                       "full_name": "Liu Yang", "phone": "1", "address": "Road"})  # fmt: skip
    assert bad.status_code == 422 and b"check character" in bad.content
    application.refresh_from_db()
    assert application.data["address"] == "Road"  # kept although another field was wrong

    data = {"enterprise_name": "Jing'an Fresh", "credit_code": "91310106MA1FL0A2K8",
            "full_name": "Liu Yang", "phone": "13800138000", "address": "Road"}  # fmt: skip
    good = client.post(reverse("applications:data", args=[application.number]), data)
    assert good.status_code == 302

    key = application.materials.first().key
    text = client.post(reverse("applications:upload", args=[application.number]),
                       {"material": key, "file": pdf_file_named_txt()}, follow=True)  # fmt: skip
    assert b"not a PDF, JPEG or PNG" in text.content
    ok = client.post(reverse("applications:upload", args=[application.number]),
                     {"material": key, "file": pdf_file("licence.pdf")}, follow=True)  # fmt: skip
    assert b"Uploaded: licence.pdf" in ok.content

    application.refresh_from_db()
    fill_and_upload(application, demo_catalogue["jingan.fresh"],
                    leave_out=tolerable_key(application))  # fmt: skip
    without = client.post(reverse("applications:submit", args=[application.number]), follow=True)
    assert b"sign the commitment" in without.content
    done = client.post(reverse("applications:submit", args=[application.number]),
                       {"commitment": "yes"}, follow=True)  # fmt: skip
    assert b"Submitted" in done.content
    application.refresh_from_db()
    assert application.state == "submitted" and application.commitment_at is not None


def pdf_file_named_txt():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("fake.pdf", b"just some text, not a pdf", "application/pdf")


def test_other_people_get_404(client, login, demo_catalogue):
    application = start_supermarket(demo_catalogue["jingan.fresh"])
    fill_and_upload(application, demo_catalogue["jingan.fresh"])
    document = application.materials.exclude(document=None).first().document
    client = login("li.ming")
    assert client.get(reverse("applications:detail", args=[application.number])).status_code == 404
    assert client.get(reverse("applications:document", args=[document.pk])).status_code == 404
    for name in ("data", "upload", "reuse", "remove", "delivery", "submit", "withdraw",
                 "message", "rate"):  # fmt: skip
        url = reverse(f"applications:{name}", args=[application.number])
        assert client.post(url, {"material": "x"}).status_code == 404, name
    application.refresh_from_db()
    assert application.state == "draft"


def test_start_never_redirects_off_site(client, login, demo_catalogue):
    client = login("jingan.fresh")
    response = client.post(reverse("applications:start"),
                           {"sheet": "bad", "back": "https://evil.example/"})  # fmt: skip
    assert response.status_code == 302 and "evil" not in response["Location"]


def test_verify_by_serial_and_by_file(client, demo_catalogue):
    application = decided(demo_catalogue)
    certificate = issuing.issue(application, demo_catalogue["manager"])[0]
    page = client.get(reverse("verify", args=[certificate.serial]))
    assert page.status_code == 200 and b"Genuine and valid" in page.content
    assert client.get(reverse("verify", args=["C0000000"])).status_code == 404
    pdf = (settings.TONGBAN_UPLOAD_DIR / certificate.path).read_bytes()
    good = client.post(reverse("verify_form"), {"file": pdf_file_from(pdf)})
    assert b"genuine and unchanged" in good.content
    middle = len(pdf) // 3  # inside the signed original, before the signature
    tampered = pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]
    bad = client.post(reverse("verify_form"), {"file": pdf_file_from(tampered)})
    assert b"NOT genuine" in bad.content
    assert client.get(reverse("verify_key")).content.startswith(b"-----BEGIN CERTIFICATE")


def pdf_file_from(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("certificate.pdf", data, "application/pdf")

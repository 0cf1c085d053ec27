"""Signed certificates: genuine ones verify offline; changed, re-signed or unsigned ones do not."""

import asyncio
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
import weasyprint
from cryptography import x509
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from tongban.applications import signing

TEXT = "<p>Food business licence 食品经营许可证 JY13101060000001</p>"


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return weasyprint.HTML(string=TEXT).write_pdf()


@pytest.fixture
def signing_dir(settings, tmp_path):
    settings.TONGBAN_SIGNING_DIR = tmp_path / "signing"
    return settings.TONGBAN_SIGNING_DIR


@pytest.fixture
def signed(pdf, signing_dir) -> bytes:
    return signing.sign_pdf(
        pdf, reason="Licence issued", location="Jing'an service centre", name="Jing'an district"
    )


def byte_range(signed: bytes) -> list[int]:
    (embedded,) = PdfFileReader(BytesIO(signed)).embedded_regular_signatures
    return [int(n) for n in embedded.byte_range]


def test_key_and_certificate_are_made_on_first_use(signing_dir, settings):
    pem = signing.issuing_certificate_pem()
    assert (signing_dir / "key.pem").stat().st_mode & 0o777 == 0o600
    assert (signing_dir / "certificate.pem").read_bytes() == pem
    certificate = x509.load_pem_x509_certificate(pem)
    subject = certificate.subject.rfc4514_string()
    assert f"district {settings.TONGBAN_DISTRICT}" in subject and "O=tongban" in subject
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    validity = certificate.not_valid_after_utc - certificate.not_valid_before_utc
    assert validity.days >= 3650
    assert signing.issuing_certificate_pem() == pem  # loaded once, not made again


def test_a_signed_pdf_is_genuine(pdf, signed):
    assert signed.startswith(pdf)  # an incremental update: the issued PDF is untouched
    check = signing.verify_pdf(signed)
    assert check.signed and check.intact and check.trusted and check.covers_whole_file
    assert check.genuine and check.problem == ""
    assert check.signer.startswith("tongban certificate issuing, district ")
    assert check.signed_at is not None


def test_a_changed_byte_in_the_signed_content_is_detected(signed):
    start, first_length, _, _ = byte_range(signed)
    # A byte in the first compressed stream (the page content or a font): the file still parses.
    position = signed.index(b"stream", start) + 20
    assert position < first_length
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    check = signing.verify_pdf(bytes(tampered))
    assert check.signed and not check.intact and not check.trusted and not check.genuine
    assert "changed" in check.problem


def test_an_update_appended_after_signing_is_detected(signed):
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    forged = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 720 Td (Licence revoked) Tj ET")
    page["/Contents"] = writer.add_object(forged)
    writer.update_container(page)
    output = BytesIO()
    writer.write(output)
    changed = output.getvalue()
    assert changed.startswith(signed) and len(changed) > len(signed)

    check = signing.verify_pdf(changed)
    assert check.signed and check.intact and check.trusted  # the signed revision is fine...
    assert not check.covers_whole_file and not check.genuine  # ...but this file is not it
    assert "added" in check.problem


def test_a_pdf_signed_with_another_key_is_not_trusted(pdf, signed, settings, tmp_path):
    ours = settings.TONGBAN_SIGNING_DIR
    settings.TONGBAN_SIGNING_DIR = tmp_path / "elsewhere"
    other = signing.sign_pdf(pdf, reason="Licence issued", location="nowhere", name="a forger")
    assert signing.verify_pdf(other).genuine  # genuine against its own key...
    settings.TONGBAN_SIGNING_DIR = ours
    check = signing.verify_pdf(other)
    assert check.signed and check.intact and not check.trusted and not check.genuine
    assert "not made with tongban's issuing key" in check.problem
    assert signing.verify_pdf(signed).genuine


def test_signing_and_checking_work_inside_a_running_event_loop(pdf, signing_dir):
    """pyHanko calls asyncio.run itself; an async caller must not make that fail."""

    async def inside():
        signed = signing.sign_pdf(pdf, reason="r", location="l", name="n")
        return signing.verify_pdf(signed)

    assert asyncio.run(inside()).genuine


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda pdf, signed: pdf, "no digital signature"),
        (lambda pdf, signed: os.urandom(5000), "not a PDF"),
        (lambda pdf, signed: b"", "not a PDF"),
        (lambda pdf, signed: signed[: len(signed) // 2], "damaged"),
        (lambda pdf, signed: signed[:-40], "damaged"),
        (lambda pdf, signed: b"%PDF-1.7\n" + os.urandom(5000), "damaged"),
    ],
    ids=["unsigned", "random", "empty", "half", "truncated-end", "pdf-header-garbage"],
)
def test_unsigned_or_broken_input_is_reported_not_raised(pdf, signed, make, problem):
    check = signing.verify_pdf(make(pdf, signed))
    assert not check.signed and not check.intact and not check.trusted and not check.genuine
    assert problem in check.problem


def test_a_damaged_signature_value_is_not_intact(signed):
    start, first_length, second_start, _ = byte_range(signed)
    contents = bytearray(signed)
    # Inside the hex string <...>: change one hex digit of the signature near its start.
    position = first_length + 1 + 200
    contents[position : position + 1] = b"0" if contents[position : position + 1] != b"0" else b"1"
    check = signing.verify_pdf(bytes(contents))
    assert not check.genuine and not check.trusted


def test_the_key_is_made_once_when_many_start_at_once(tmp_path):
    """Workers start together on an empty directory: one key wins and all of them use it."""
    directory = tmp_path / "race"
    barrier = threading.Barrier(8)

    def start():
        barrier.wait()
        return signing._load(directory)  # uncached, as in separate processes

    with ThreadPoolExecutor(max_workers=8) as pool:
        issuers = list(pool.map(lambda _: start(), range(8)))
    assert {issuer.certificate_pem for issuer in issuers} == {
        (directory / "certificate.pem").read_bytes()
    }
    assert sorted(p.name for p in directory.iterdir()) == ["certificate.pem", "key.pem"]


def test_a_key_without_its_certificate_gets_one(signing_dir):
    """A process that died between writing the key and the certificate: the key is kept."""
    signing._load(signing_dir)
    key = (signing_dir / "key.pem").read_bytes()
    (signing_dir / "certificate.pem").unlink()
    issuer = signing._load(signing_dir)
    assert (signing_dir / "key.pem").read_bytes() == key
    assert issuer.certificate_pem == (signing_dir / "certificate.pem").read_bytes()


def test_the_command_verifies_files(signed, tmp_path, capsys):
    good = tmp_path / "licence.pdf"
    good.write_bytes(signed)
    call_command("certificates", "verify", str(good))
    out = capsys.readouterr().out
    assert out.startswith(f"{good}: genuine, signed by tongban certificate issuing, district ")

    bad = tmp_path / "changed.pdf"
    start, first_length, _, _ = byte_range(signed)
    tampered = bytearray(signed)
    tampered[signed.index(b"stream", start) + 20] ^= 0x01
    bad.write_bytes(bytes(tampered))
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("certificates", "verify", str(good), str(bad))
    out = capsys.readouterr().out
    assert f"{good}: genuine" in out and f"{bad}: NOT GENUINE: " in out


def test_the_command_prints_the_public_key(signing_dir, capsys):
    call_command("certificates", "public-key")
    assert capsys.readouterr().out.encode() == signing.issuing_certificate_pem()

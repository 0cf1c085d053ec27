"""Digital signatures on issued certificates (licences), checkable offline.

Every PDF certificate tongban issues carries a PAdES signature made with the district's
issuing key. Anyone holding the issuing certificate (published by `issuing_certificate_pem`)
can later tell whether a PDF is the one tongban issued: signed by that key, unchanged since,
and with nothing added after the signature.

The key and its self-signed certificate live in ``settings.TONGBAN_SIGNING_DIR`` as
``key.pem`` (mode 0600) and ``certificate.pem``; they are made on first use. Nothing here
touches the network: no timestamp server, no revocation fetching.
"""

import asyncio
import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from tongban.core.files import publish

KEY_FILE = "key.pem"
CERTIFICATE_FILE = "certificate.pem"
FIELD_NAME = "tongban-issuer"
VALIDITY = dt.timedelta(days=3653)  # ten years


# --- the issuing key --------------------------------------------------------------------


@dataclass(frozen=True)
class _Issuer:
    signer: signers.SimpleSigner
    certificate_pem: bytes

    @property
    def certificate(self):  # asn1crypto.x509.Certificate
        return self.signer.signing_cert

    def validation_context(self) -> ValidationContext:
        """A fresh context (they keep state) that trusts our certificate and nothing else."""
        return ValidationContext(
            trust_roots=[self.certificate], allow_fetching=False, revocation_mode="soft-fail"
        )


_issuers: dict[Path, _Issuer] = {}
_issuers_lock = threading.Lock()


def _issuer() -> _Issuer:
    """The issuing key of the configured directory, made on first use, loaded once."""
    directory = Path(settings.TONGBAN_SIGNING_DIR).resolve()
    issuer = _issuers.get(directory)
    if issuer is None:
        with _issuers_lock:
            issuer = _issuers.get(directory)
            if issuer is None:
                issuer = _issuers[directory] = _load(directory)
    return issuer


def _load(directory: Path) -> _Issuer:
    key_path, certificate_path = directory / KEY_FILE, directory / CERTIFICATE_FILE
    if not key_path.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        publish(key_path, pem, mode=0o600)
    # Whoever won the race, everyone reads the key that was published.
    key_pem = key_path.read_bytes()
    key = serialization.load_pem_private_key(key_pem, password=None)
    if not certificate_path.exists():
        # Also reached when a process died between publishing the key and the certificate.
        publish(certificate_path, _self_signed(key), mode=0o644)
    certificate_pem = certificate_path.read_bytes()
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    if certificate.public_key() != key.public_key():
        raise RuntimeError(f"{certificate_path} does not belong to the key in {key_path}")
    signer = signers.SimpleSigner(
        signing_cert=load_cert_from_pemder(certificate_path),
        signing_key=load_private_key_from_pemder_data(key_pem, passphrase=None),
        cert_registry=SimpleCertificateStore(),
    )
    return _Issuer(signer=signer, certificate_pem=certificate_pem)


def _self_signed(key: ec.EllipticCurvePrivateKey) -> bytes:
    name = x509.Name(
        [
            x509.NameAttribute(
                NameOID.COMMON_NAME,
                f"tongban certificate issuing, district {settings.TONGBAN_DISTRICT}",
            ),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "tongban"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))  # a little slack for clock skew
        .not_valid_after(now + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def issuing_certificate_pem() -> bytes:
    """The issuing certificate, PEM-encoded, for anyone to check certificates offline."""
    return _issuer().certificate_pem


# --- signing ----------------------------------------------------------------------------


def _outside_event_loop(function, /, *args, **kwargs):
    """pyHanko runs its own event loop (asyncio.run): never inside a running one."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def sign_pdf(pdf: bytes, *, reason: str, location: str, name: str) -> bytes:
    """The PDF with tongban's signature over the whole document added (an incremental update).

    It is a certification signature that permits no later change. Raises on input that is
    not a PDF pyHanko can read.
    """
    issuer = _issuer()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
        reason=reason,
        location=location,
        name=name,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    signer = signers.PdfSigner(metadata, signer=issuer.signer)
    output = _outside_event_loop(signer.sign_pdf, writer)
    return output.getvalue()


# --- checking ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the file carries a PDF signature at all
    intact: bool  # the signed bytes are unchanged and the signature over them is valid
    trusted: bool  # made with tongban's issuing key
    covers_whole_file: bool  # nothing was added after signing
    signer: str  # the signing certificate's common name, when there is one
    signed_at: dt.datetime | None  # the time the signer claims (no timestamp authority)
    problem: str  # empty when genuine; otherwise what is wrong, in plain English

    @property
    def genuine(self) -> bool:
        return self.signed and self.intact and self.trusted and self.covers_whole_file


def _not_signed(problem: str) -> SignatureCheck:
    return SignatureCheck(
        signed=False,
        intact=False,
        trusted=False,
        covers_whole_file=False,
        signer="",
        signed_at=None,
        problem=problem,
    )


def verify_pdf(pdf: bytes) -> SignatureCheck:
    """Whether the PDF is a certificate tongban issued, unchanged. Never raises."""
    try:
        issuer = _issuer()
    except Exception as error:
        return _not_signed(f"the issuing certificate could not be loaded ({error})")
    if b"%PDF-" not in bytes(pdf[:1024]):
        return _not_signed("the file is not a PDF")
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_regular_signatures
    except Exception as error:
        return _not_signed(f"the file is damaged or not a PDF that can be read ({error})")
    if not signatures:
        return _not_signed("the PDF carries no digital signature")
    # The first signature is the issuer's: any later one would itself be an addition.
    embedded = signatures[0]
    try:
        status = _outside_event_loop(
            validate_pdf_signature,
            embedded,
            signer_validation_context=issuer.validation_context(),
            skip_diff=True,  # anything after the signature fails the whole-file check anyway
        )
    except Exception as error:
        return SignatureCheck(
            signed=True,
            intact=False,
            trusted=False,
            covers_whole_file=False,
            signer=_common_name(embedded),
            signed_at=None,
            problem=f"the signature could not be checked ({error})",
        )
    intact = bool(status.intact and status.valid)
    trusted = bool(intact and status.trusted)
    whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    signer = _common_name(embedded)
    if not intact:
        problem = "the signed content was changed after signing, or the signature is corrupt"
    elif not trusted:
        problem = (
            f"the signature was not made with tongban's issuing key (signed by {signer!r})"
            if issuer.certificate.dump() != status.signing_cert.dump()
            else "tongban's issuing certificate is not valid at this time"
        )
    elif not whole:
        problem = "something was added to the file after it was signed (an incremental update)"
    else:
        problem = ""
    return SignatureCheck(
        signed=True,
        intact=intact,
        trusted=trusted,
        covers_whole_file=whole,
        signer=signer,
        signed_at=status.signer_reported_dt,
        problem=problem,
    )


def _common_name(embedded) -> str:
    try:
        subject = embedded.signer_cert.subject.native
    except Exception:
        return "an unknown signer"
    return str(subject.get("common_name") or embedded.signer_cert.subject.human_friendly)

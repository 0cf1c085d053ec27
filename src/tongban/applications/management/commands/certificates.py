from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tongban.applications.signing import issuing_certificate_pem, verify_pdf


class Command(BaseCommand):
    help = "Issued certificates: check signed PDFs offline, print the issuing certificate."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check that PDFs are genuine, unchanged")
        verify.add_argument("files", nargs="+", type=Path, metavar="FILE")
        sub.add_parser("public-key", help="print the issuing certificate (PEM) for offline checks")

    def handle(self, *args, action: str, **options):
        if action == "public-key":
            self.stdout.write(issuing_certificate_pem().decode("ascii"), ending="")
            return
        failures = 0
        for path in options["files"]:
            try:
                pdf = path.read_bytes()
            except OSError as error:
                failures += 1
                self.stdout.write(f"{path}: NOT GENUINE: cannot be read ({error.strerror})")
                continue
            check = verify_pdf(pdf)
            if check.genuine:
                when = (
                    timezone.localtime(check.signed_at).isoformat(sep=" ", timespec="seconds")
                    if check.signed_at
                    else "an unknown date"
                )
                self.stdout.write(f"{path}: genuine, signed by {check.signer} on {when}")
            else:
                failures += 1
                self.stdout.write(f"{path}: NOT GENUINE: {check.problem}")
        if failures:
            raise CommandError(f"{failures} of {len(options['files'])} file(s) not genuine")

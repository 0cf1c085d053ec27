from django.core.management.base import BaseCommand, CommandError

from tongban.audit.services import verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exits non-zero at the first broken link."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute every link of the chain")

    def handle(self, *args, action: str, **options):
        count, broken = verify()
        if broken is not None:
            raise CommandError(f"audit chain broken at entry {broken.seq}: {broken.reason}")
        self.stdout.write(f"audit chain intact: {count} entries")

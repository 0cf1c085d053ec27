from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from tongban.applications.demo import create_demo_cases
from tongban.audit.context import acting_as
from tongban.catalogue.loader import load_districts
from tongban.core.yamlfile import ContentErrors
from tongban.hall.content import load_halls
from tongban.hall.demo import demo_devices, generate_history
from tongban.hall.models import Hall

DEMO_DISTRICTS = ("jingan", "baoshan")


class Command(BaseCommand):
    help = "Load the demo organisations and accounts (idempotent) and list the accounts."

    def add_arguments(self, parser):
        parser.add_argument("--data", type=Path, default=settings.PROJECT_DIR / "data")

    def handle(self, *args, data: Path, **options):
        with acting_as(None):
            try:
                counts = load_districts(data / name for name in DEMO_DISTRICTS)
                counts.update(load_halls(data / "jingan" / "hall.yaml"))
            except ContentErrors as errors:
                raise CommandError(str(errors)) from None
            accounts = create_demo_accounts()
            cases = create_demo_cases()
            pengpu = Hall.objects.get(centre__code="jingan-pengpu-xincun-community")
            counts["generated hall visits (60 days, Pengpu Xincun)"] = generate_history(pengpu)
            pages = demo_devices(pengpu)
        catalogue = counts.pop("catalogue")
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))
        self.stdout.write(f"catalogue: {catalogue}")
        if cases:
            numbers = ", ".join(f"{c.number} ({c.state})" for c in cases)
            self.stdout.write(f"demo applications of jingan.fresh: {numbers}")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for account, user in accounts:
            where = user.centre or user.department or ""
            self.stdout.write(f"  {account.username:<18} {account.role:<11} {where}")
        self.stdout.write(
            "\nPengpu Xincun's demo kiosk and display board (open once; new keys each run):"
        )
        for role, page in pages:
            self.stdout.write(f"  {role:<6} http://127.0.0.1:8000{page}")

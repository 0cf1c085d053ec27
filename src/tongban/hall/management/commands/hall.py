from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.audit.context import acting_as
from tongban.core.yamlfile import ContentErrors
from tongban.hall.content import load_halls
from tongban.hall.demo import generate_history
from tongban.hall.models import Hall

PENGPU = "jingan-pengpu-xincun-community"


class Command(BaseCommand):
    help = "Service halls: load their queues, settings and counters from a hall file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load data/<district>/hall.yaml (idempotent)")
        load.add_argument("file", type=Path)
        made = sub.add_parser("history", help="replace a hall's generated demo history")
        made.add_argument("--centre", default=PENGPU)
        made.add_argument("--days", type=int, default=60)
        made.add_argument("--seed", type=int, default=1)

    def handle(self, *args, action: str, **options):
        with acting_as(None):
            if action == "load":
                try:
                    counts = load_halls(options["file"])
                except ContentErrors as errors:
                    raise CommandError(str(errors)) from None
                self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))
                return
            hall = Hall.objects.filter(centre__code=options["centre"]).first()
            if hall is None:
                raise CommandError(f"no hall at {options['centre']}")
            visits = generate_history(hall, options["days"], options["seed"])
        self.stdout.write(f"{visits} generated visits over {options['days']} days")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.audit.context import acting_as
from tongban.core.yamlfile import ContentErrors
from tongban.hall.content import load_halls


class Command(BaseCommand):
    help = "Service halls: load their queues, settings and counters from a hall file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load data/<district>/hall.yaml (idempotent)")
        load.add_argument("file", type=Path)

    def handle(self, *args, action: str, file: Path, **options):
        with acting_as(None):
            try:
                counts = load_halls(file)
            except ContentErrors as errors:
                raise CommandError(str(errors)) from None
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.catalogue.loader import load_districts
from tongban.catalogue.yamlfile import ContentErrors


class Command(BaseCommand):
    help = "Work with the catalogue content: load district folders of YAML."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load district folders in one transaction")
        load.add_argument("folders", nargs="+", type=Path)

    def handle(self, *args, action: str, **options):
        if action == "load":
            try:
                counts = load_districts(options["folders"])
            except ContentErrors as errors:
                for error in errors.errors:
                    self.stderr.write(str(error))
                raise CommandError(f"{len(errors.errors)} error(s); nothing was loaded") from None
            self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.catalogue import export
from tongban.catalogue.loader import load_districts
from tongban.catalogue.models import Region
from tongban.catalogue.queries import current
from tongban.catalogue.stats import catalogue_stats
from tongban.core.yamlfile import ContentErrors


class Command(BaseCommand):
    help = "Work with the catalogue: load or check district folders, print stats, export."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load district folders in one transaction")
        load.add_argument("folders", nargs="+", type=Path)
        load.add_argument(
            "--discard-draft", action="store_true", help="drop an editor's unpublished draft"
        )
        check = sub.add_parser("check", help="check district folders without loading them")
        check.add_argument("folders", nargs="+", type=Path)
        for name, text in (("stats", "print the current version's counts"), ("export", "")):
            command = sub.add_parser(name, help=text or "write the current version")
            command.add_argument(
                "--district", default=settings.TONGBAN_DISTRICT, help="administrative code"
            )
            if name == "stats":
                command.add_argument("--json", action="store_true", help="print JSON")
            else:
                command.add_argument("--format", choices=["cpsv-ap", "yaml"], required=True)
                command.add_argument(
                    "--output", type=Path, help="file (cpsv-ap) or folder (yaml); default stdout"
                )
                command.add_argument(
                    "--base", default="", help="IRI base of the exported resources (cpsv-ap)"
                )

    def handle(self, *args, action: str, **options):
        if action in ("load", "check"):
            self._load(action, options)
            return
        district = Region.objects.filter(code=options["district"], kind="district").first()
        version = current(district) if district else None
        if version is None:
            raise CommandError(f"district {options['district']} has no published catalogue")
        if action == "stats":
            stats = catalogue_stats(version)
            if options["json"]:
                self.stdout.write(json.dumps(stats, ensure_ascii=False, indent=2))
            else:
                for key, value in stats.items():
                    self.stdout.write(f"{key}: {value}")
        elif options["format"] == "cpsv-ap":
            document = export.cpsv_ap(version, base=options["base"])
            text = json.dumps(document, ensure_ascii=False, indent=1)
            if options["output"]:
                options["output"].write_text(text, encoding="utf-8")
            else:
                self.stdout.write(text)
        else:
            if not options["output"]:
                raise CommandError("--format yaml writes a folder: give --output")
            files = export.yaml_folder(version, options["output"])
            self.stdout.write(f"wrote {len(files)} files to {options['output']}")

    def _load(self, action: str, options) -> None:
        try:
            counts = load_districts(
                options["folders"],
                dry_run=action == "check",
                discard_draft=options.get("discard_draft", False),
            )
        except ContentErrors as errors:
            for error in errors.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(errors.errors)} error(s); nothing was loaded") from None
        catalogue = counts.pop("catalogue")
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))
        self.stdout.write(
            f"catalogue: {catalogue}" + (" (checked, not loaded)" if action == "check" else "")
        )

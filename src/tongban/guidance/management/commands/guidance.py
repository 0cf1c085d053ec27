import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.catalogue.queries import public_version
from tongban.core.yamlfile import ContentErrors
from tongban.guidance.checks import check
from tongban.guidance.graph import dot, mermaid, svg
from tongban.guidance.services import compile_guide, guidance_folder, stats


class Command(BaseCommand):
    help = "Smart guidance: check every answer path, print stats."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        actions = {
            "check": "walk every answer path; fail on any problem",
            "stats": "count licences, activities, scenarios, questions, paths",
            "graph": "an activity's funnel as a graph",
        }
        for name, text in actions.items():
            command = sub.add_parser(name, help=text)
            command.add_argument("--folder", type=Path, help="default: the site's")
            if name == "stats":
                command.add_argument("--json", action="store_true")
            if name == "graph":
                command.add_argument("activity")
                command.add_argument(
                    "--format", choices=["mermaid", "dot", "svg"], default="mermaid"
                )
                command.add_argument("--lang", choices=["en", "zh"], default="en")

    def handle(self, *args, action: str, folder: Path | None = None, **options):
        version = public_version()
        if version is None:
            raise CommandError("no published catalogue: run `tongban catalogue load` first")
        try:
            guide = compile_guide(version, folder or guidance_folder())
        except ContentErrors as errors:
            for error in errors.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(errors.errors)} error(s) in the guidance files") from None
        if action == "graph":
            self._graph(guide, options)
            return
        report = check(guide)
        if action == "check":
            for error in report.errors:
                self.stderr.write(str(error))
            if report.errors:
                raise CommandError(f"{len(report.errors)} problem(s) in {report.paths:,} paths")
            self.stdout.write(f"{report.paths:,} answer paths of "
                              f"{len(guide.scenarios)} scenarios: no dead end")  # fmt: skip
            return
        figures = stats(guide, report.paths)
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2))
        else:
            for key, value in figures.items():
                self.stdout.write(f"{key}: {value}")

    def _graph(self, guide, options) -> None:
        activity = guide.activities.get(options["activity"])
        if activity is None:
            raise CommandError(f"no activity {options['activity']!r}")
        if options["format"] == "mermaid":
            self.stdout.write(mermaid(activity, options["lang"]))
            return
        if options["format"] == "dot":
            self.stdout.write(dot(activity, options["lang"]))
            return
        drawn = svg(activity, options["lang"])
        if drawn is None:
            raise CommandError("--format svg needs Graphviz's dot (Debian package graphviz)")
        self.stdout.write(drawn)

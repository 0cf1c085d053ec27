from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tongban.audit.context import acting_as
from tongban.core.moves import CaseError
from tongban.core.yamlfile import ContentErrors
from tongban.hall import devices
from tongban.hall.content import load_halls
from tongban.hall.demo import generate_history
from tongban.hall.models import Device, Hall

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
        device = sub.add_parser(
            "device", help="create a kiosk, board or rating tablet key (shown once)"
        )
        device.add_argument("role", choices=["kiosk", "board", "rater"])
        device.add_argument("name")
        device.add_argument("--counter", type=int, help="a rating tablet's counter number")
        device.add_argument("--centre", default=PENGPU)
        revoke = sub.add_parser(
            "revoke", help="revoke a device by the first 12 characters of its key"
        )
        revoke.add_argument("prefix")

    def handle(self, *args, action: str, **options):
        with acting_as(None):
            if action == "load":
                try:
                    counts = load_halls(options["file"])
                except ContentErrors as errors:
                    raise CommandError(str(errors)) from None
                self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))
                return
            if action == "revoke":
                found = Device.objects.filter(key_prefix=options["prefix"]).first()
                if found is None:
                    raise CommandError("no device has this key prefix")
                devices.revoke(found)
                self.stdout.write(f"revoked: {found}")
                return
            hall = Hall.objects.filter(centre__code=options["centre"]).first()
            if hall is None:
                raise CommandError(f"no hall at {options['centre']}")
            if action == "device":
                counter = hall.counters.filter(number=options["counter"]).first()
                try:
                    _, key = devices.create(hall, options["role"], options["name"], counter)
                except CaseError as error:
                    raise CommandError(str(error.message)) from None
                page = f"/hall/{hall.centre.code}/{options['role']}/?key={key}"
                self.stdout.write(f"key (shown once): {key}\nopen once on the device: {page}")
                return
            visits = generate_history(hall, options["days"], options["seed"])
        self.stdout.write(f"{visits} generated visits over {options['days']} days")

from django.core.management.base import BaseCommand

from tongban.applications.delivery import track_all
from tongban.applications.issuing import requeue_unprepared
from tongban.applications.services import (
    act_on_overdue,
    expire_drafts,
    remind_applicants,
    remind_reviewers,
)
from tongban.audit.context import acting_as


class Command(BaseCommand):
    help = "Applications: the periodic work (run `tick` every few minutes, e.g. from cron)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "tick",
            help="warn and expire drafts, remind reviewers, remind applicants of supplements "
            "due soon and act on overdue ones, track parcels, queue again the issued PDFs a "
            "worker left unprepared",
        )

    def handle(self, *args, action: str, **options):
        with acting_as(None):
            warned, expired = expire_drafts()
            reminded = remind_reviewers()
            owed = remind_applicants()
            escalated, lapsed = act_on_overdue()
            moved = track_all()
            requeued = requeue_unprepared()
        self.stdout.write(
            f"drafts warned {warned}, expired {expired}; review tasks reminded {reminded}; "
            f"supplements reminded {owed}, escalated {escalated}, lapsed {lapsed}; "
            f"parcels moved {moved}; issued PDFs queued again {requeued}"
        )

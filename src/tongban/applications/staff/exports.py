"""The centre's list of applications as a CSV file for Excel."""

import csv
from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Application


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """Text a spreadsheet shows as text: no formula may be smuggled in through a name."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def centre_csv(found: QuerySet[Application], centre_code: str, day: date) -> StreamingHttpResponse:
    """The list as CSV for Excel: UTF-8 with a BOM, no resident ID numbers."""
    header = [
        _("Case number"),
        _("Title (English)"),
        _("Title (Chinese)"),
        _("State"),
        _("Applicant"),
        _("Submitted"),
        _("Accepted"),
        _("Decided"),
        _("Issued"),
        _("Matters"),
        _("Overdue"),
    ]
    yes, no = _("yes"), _("no")
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for a in found.iterator(chunk_size=1000):
            yield writer.writerow(
                [
                    _cell(v)
                    for v in (
                        a.number,
                        a.title_en,
                        a.title_zh,
                        a.state,
                        a.applicant.display_name,
                        _when(a.submitted_at),
                        _when(a.accepted_at),
                        _when(a.decided_at),
                        _when(a.issued_at),
                        " ".join(t.matter.code for t in a.matters.all()),
                        yes if a.overdue else no,
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    name = f"applications-{centre_code}-{day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response

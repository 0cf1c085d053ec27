"""Opening hours become data (core.opening) instead of two free texts.

The texts loaded so far follow the two patterns of data/*/centres.yaml ("Monday to Friday
8:30–16:30 ...; weekends and public holidays 8:30–11:30"); they are read into the new
field, anything else is left for the next `tongban catalogue load`.
"""

import re

from django.db import migrations, models

PERIOD = r"(\d{1,2}):(\d{2})[–-](\d{1,2}):(\d{2})"


def _periods(text: str, label: str) -> list[dict[str, str]]:
    found = re.search(label + " " + PERIOD, text)
    if found is None:
        return []
    h1, m1, h2, m2 = found.groups()
    return [{"opens": f"{int(h1):02d}:{m1}", "closes": f"{int(h2):02d}:{m2}"}]


def hours_as_data(apps, schema_editor):
    ServiceCentre = apps.get_model("catalogue", "ServiceCentre")
    for centre in ServiceCentre.objects.exclude(hours_en=""):
        working_days = _periods(centre.hours_en, "Monday to Friday")
        if not working_days:
            continue
        rest = _periods(centre.hours_en, "weekends and public holidays")
        centre.hours = {"working_days": working_days, "weekends": rest, "holidays": rest}
        centre.save(update_fields=["hours"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0004_department_function"),
    ]

    operations = [
        migrations.AddField(
            model_name="servicecentre",
            name="hours",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text='The periods open on working days, weekends and public holidays, e.g. {"working_days": [{"opens": "08:30", "closes": "16:30"}], "weekends": [], "holidays": []}; empty when not recorded.',
                verbose_name="opening hours",
            ),
        ),
        migrations.RunPython(hours_as_data, migrations.RunPython.noop),
        migrations.RemoveField(model_name="servicecentre", name="hours_en"),
        migrations.RemoveField(model_name="servicecentre", name="hours_zh"),
    ]

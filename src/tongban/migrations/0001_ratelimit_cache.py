"""The database table of the "ratelimit" cache (settings.CACHES), shared by the app servers."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def create_table(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_table(apps, schema_editor) -> None:
    table = settings.CACHES["ratelimit"]["LOCATION"]
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(table)}")


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [migrations.RunPython(create_table, drop_table)]

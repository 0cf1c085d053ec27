# Material lines "if it applies": added by the applicant or asked for by a reviewer.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0006_supplement_overdue'),
    ]

    operations = [
        migrations.AddField(
            model_name='applicationmaterial',
            name='optional',
            field=models.BooleanField(default=False),
        ),
    ]

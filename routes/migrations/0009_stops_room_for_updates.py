# A stop and its packages are updated when the driver records the outcome (and again on undo): room on their pages
# for HOT updates (core.dbtuning.fillfactor).

from django.db import migrations

from core.dbtuning import fillfactor


class Migration(migrations.Migration):

    dependencies = [
        ("routes", "0008_roster_waves_breaks"),
    ]

    operations = [
        fillfactor("routes_routestop", 80),
        fillfactor("routes_package", 80),
    ]

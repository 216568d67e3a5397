# Fewer index writes a package: a manifest writes thousands at once (the station's index is covered by (station,
# day); returned and hub packages are the exception). A stop and its packages are updated when the driver records
# the outcome: room on their pages for HOT updates (core.dbtuning.fillfactor).

import django.db.models.deletion
from django.db import migrations, models

from core.dbtuning import fillfactor


class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0008_parcel_room_for_updates'),
        ('routes', '0008_roster_waves_breaks'),
    ]

    operations = [
        migrations.AlterField(
            model_name='package',
            name='hub',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='hubs.hub'),
        ),
        migrations.AlterField(
            model_name='package',
            name='returned_from',
            field=models.ForeignKey(blank=True, db_index=False, help_text='The package returned the day before (a new attempt).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='routes.package'),
        ),
        migrations.AlterField(
            model_name='package',
            name='station',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='packages', to='routes.station'),
        ),
        migrations.AddIndex(
            model_name='package',
            index=models.Index(condition=models.Q(('returned_from__isnull', False)), fields=['returned_from'], name='routes_package_returned_from'),
        ),
        migrations.AddIndex(
            model_name='package',
            index=models.Index(condition=models.Q(('hub__isnull', False)), fields=['hub'], name='routes_package_hub'),
        ),
        fillfactor("routes_routestop", 80),
        fillfactor("routes_package", 80),
    ]

# A stop's packages indexed with their ordering, (stop, service_date, tracking_id), and only once on a stop: the
# route list's ?expand=stops reads each stop's tracking ids from the index alone, and a manifest's new packages (on
# no stop yet) write nothing to it. It replaces the foreign key's own index.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0008_parcel_room_for_updates'),
        ('routes', '0009_fewer_index_writes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='package',
            name='stop',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='packages', to='routes.routestop'),
        ),
        migrations.AddIndex(
            model_name='package',
            index=models.Index(condition=models.Q(('stop__isnull', False)), fields=['stop', 'service_date', 'tracking_id'], name='routes_package_stop'),
        ),
    ]

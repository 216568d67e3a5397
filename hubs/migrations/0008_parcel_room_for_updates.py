# Parcels are updated a few times a day each (received, out, delivered): room on their pages for HOT updates.
# The events' hub index goes: the unique (hub, client_id) leads with the hub.

import django.db.models.deletion
from django.db import migrations, models

from core.dbtuning import fillfactor


class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0007_attempt_reason_other'),
    ]

    operations = [
        migrations.AlterField(
            model_name='parcelevent',
            name='hub',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='hubs.hub'),
        ),
        fillfactor("hubs_parcel", 80),
    ]

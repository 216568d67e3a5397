# An outbox event's partner rows are found through the unique (event, partner) index: the foreign key's own
# index was a write more a row for nothing.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_outbox_fewer_index_writes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='outboxeventpartner',
            name='event',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='audience_partners', to='core.outboxevent'),
        ),
    ]

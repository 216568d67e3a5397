# Every batch of outcomes writes an outbox row per outcome, and each index is a write more (see core.models).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_offline_receipt'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='outboxevent',
            name='outbox_subject_idx',
        ),
        migrations.AlterField(
            model_name='outboxevent',
            name='audience_applicant_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='outboxevent',
            name='audience_hub_id',
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='outboxevent',
            name='type',
            field=models.CharField(max_length=64),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(fields=['type'], name='outbox_type_idx'),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('audience_hub_id__isnull', False)), fields=['audience_hub_id'], name='outbox_audience_hub_idx'),
        ),
        migrations.AddIndex(
            model_name='outboxevent',
            index=models.Index(condition=models.Q(('audience_applicant_id__isnull', False)), fields=['audience_applicant_id'], name='outbox_audience_applicant_idx'),
        ),
    ]

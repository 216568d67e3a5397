# The admin's program calendar moves from hubs to core (hubs' closed days and onboarding's business days both
# read it); hubs 0006 copies the rows over and drops its table.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_outbox_audience'),
    ]

    operations = [
        migrations.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(unique=True)),
                ('kind', models.CharField(choices=[('closed', 'Extra closed day'), ('open', 'Holiday removed (open)')], max_length=8)),
                ('note', models.CharField(blank=True, max_length=200)),
            ],
            options={
                'ordering': ['date'],
            },
        ),
    ]

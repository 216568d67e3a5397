"""Outcome client ids are unique per hub, not across every hub: copy the hub onto each event, then swap the
global unique index for (hub, client_id)."""

import uuid

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_hub_from_parcel(apps, schema_editor):
    ParcelEvent = apps.get_model("hubs", "ParcelEvent")
    Parcel = apps.get_model("hubs", "Parcel")
    ParcelEvent.objects.filter(hub__isnull=True).update(
        hub_id=Subquery(Parcel.objects.filter(pk=OuterRef("parcel_id")).values("hub_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("hubs", "0003_statement_transfer"),
    ]

    operations = [
        migrations.AddField(
            model_name="parcelevent",
            name="hub",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                                    to="hubs.hub"),
        ),
        migrations.RunPython(copy_hub_from_parcel, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="parcelevent",
            name="hub",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="hubs.hub"),
        ),
        migrations.AlterField(
            model_name="parcelevent",
            name="client_id",
            field=models.UUIDField(default=uuid.uuid4),
        ),
        migrations.AddConstraint(
            model_name="parcelevent",
            constraint=models.UniqueConstraint(fields=("hub", "client_id"),
                                               name="hubs_parcelevent_hub_client_id_unique",
                                               violation_error_message="This outcome was already recorded for this hub."),
        ),
    ]

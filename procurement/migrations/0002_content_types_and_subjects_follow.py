"""Rows that name a procurement model by its app label follow the move from `fleet` to `procurement`.

- Content types (and so permissions and admin log entries) are renamed in place, keeping their ids. On a fresh
  database there are none yet (post_migrate creates them later), so this does nothing.
- Outbox events and jobs store `app_label.model` as text (`subject_type`): 'fleet.order' becomes
  'procurement.order', so an order's history reads as one subject before and after the move.
"""

from django.db import migrations

MODELS = ("vendor", "catalogitem", "fleetsizetier", "promotion", "procurementsettings", "order", "orderevent",
          "orderline")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
    for name in ("OutboxEvent", "Job"):
        rows = apps.get_model("core", name).objects
        for model in MODELS:
            rows.filter(subject_type=f"{old}.{model}").update(subject_type=f"{new}.{model}")


def forwards(apps, schema_editor):
    _relabel(apps, "fleet", "procurement")


def backwards(apps, schema_editor):
    _relabel(apps, "procurement", "fleet")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0004_outbox_audience"),
        ("procurement", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

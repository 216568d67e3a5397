"""Seed a few regions and the settings row so a new installation can take applications at once.

Admins edit both afterwards (Django admin); nothing in code depends on these particular rows."""

from django.db import migrations

REGIONS = [
    ("Atlanta Metro", "GA"),
    ("Dallas–Fort Worth", "TX"),
    ("Phoenix Valley", "AZ"),
    ("Columbus", "OH"),
    ("Inland Empire", "CA"),
    ("Charlotte", "NC"),
]


def seed(apps, schema_editor):
    Region = apps.get_model("onboarding", "Region")
    OnboardingSettings = apps.get_model("onboarding", "OnboardingSettings")
    for name, state in REGIONS:
        Region.objects.get_or_create(name=name, defaults={"state": state})
    OnboardingSettings.objects.get_or_create(singleton=True)


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

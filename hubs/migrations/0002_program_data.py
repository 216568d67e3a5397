"""The states and cities the hub program launched in, and the default settings row."""

from django.db import migrations

STATES = {
    "AL": "Alabama", "AK": "Alaska", "AR": "Arkansas", "CA": "California", "FL": "Florida", "IA": "Iowa",
    "IN": "Indiana", "IL": "Illinois", "MA": "Massachusetts", "MN": "Minnesota", "NC": "North Carolina",
    "ND": "North Dakota", "NJ": "New Jersey", "NY": "New York", "OH": "Ohio", "SD": "South Dakota",
    "WA": "Washington",
}
CITIES = [
    ("Boston", "MA"), ("Cambridge", "MA"), ("New York", "NY"), ("Brooklyn", "NY"), ("Buffalo", "NY"),
    ("Los Angeles", "CA"), ("San Francisco", "CA"), ("San Diego", "CA"), ("Seattle", "WA"), ("Tacoma", "WA"),
    ("Chicago", "IL"), ("Miami", "FL"), ("Orlando", "FL"), ("Minneapolis", "MN"), ("Charlotte", "NC"),
    ("Columbus", "OH"), ("Cleveland", "OH"), ("Newark", "NJ"), ("Indianapolis", "IN"), ("Des Moines", "IA"),
    ("Birmingham", "AL"), ("Anchorage", "AK"), ("Little Rock", "AR"), ("Fargo", "ND"), ("Sioux Falls", "SD"),
]


def seed(apps, schema_editor):
    EligibleState = apps.get_model("hubs", "EligibleState")
    TargetCity = apps.get_model("hubs", "TargetCity")
    HubSettings = apps.get_model("hubs", "HubSettings")
    for code, name in STATES.items():
        EligibleState.objects.get_or_create(code=code, defaults={"name": name})
    for name, state in CITIES:
        TargetCity.objects.get_or_create(name=name, state=state)
    HubSettings.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("hubs", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

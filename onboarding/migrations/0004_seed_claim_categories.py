from django.db import migrations

CATEGORIES = [
    ("business_formation", "Business formation and licensing", "State filing fees, business licences, permits.", True),
    ("legal_accounting", "Legal and accounting", "Attorney and accountant fees for setting up the company.", True),
    ("recruiting_hiring", "Recruiting and hiring", "Job ads, background checks and drug tests for new hires.", True),
    ("training_travel", "Training travel", "Travel and lodging for the program's owner training.", True),
    ("uniforms_equipment", "Uniforms and equipment", "Driver uniforms, hand trucks, phones and mounts.", True),
    ("insurance_deposits", "Insurance deposits", "Down payments on the company's insurance policies.", True),
    ("office_technology", "Office and technology", "Office rent deposit, computers and software.", True),
    ("vans", "Vans", "Van purchases and leases are not reimbursable by default.", False),
]


def seed(apps, schema_editor):
    ClaimCategory = apps.get_model("onboarding", "ClaimCategory")
    for position, (code, name, description, eligible) in enumerate(CATEGORIES):
        ClaimCategory.objects.get_or_create(code=code, defaults={"name": name, "description": description,
                                                                 "eligible": eligible, "position": position})


class Migration(migrations.Migration):
    dependencies = [("onboarding", "0003_claims")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

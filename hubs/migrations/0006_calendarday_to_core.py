# The program calendar now lives in core (core 0005): copy its rows there, then drop hubs' table.

from django.db import migrations


def copy_to_core(apps, schema_editor):
    old = apps.get_model('hubs', 'CalendarDay')
    new = apps.get_model('core', 'CalendarDay')
    new.objects.bulk_create([new(date=row.date, kind=row.kind, note=row.note) for row in old.objects.all()],
                            ignore_conflicts=True)


def copy_back(apps, schema_editor):
    old = apps.get_model('hubs', 'CalendarDay')
    new = apps.get_model('core', 'CalendarDay')
    old.objects.bulk_create([old(date=row.date, kind=row.kind, note=row.note) for row in new.objects.all()],
                            ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ('hubs', '0005_constraint_messages'),
        ('core', '0005_calendarday'),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name='CalendarDay'),
    ]

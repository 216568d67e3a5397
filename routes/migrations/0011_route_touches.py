# routes.RouteTouch: a route's stop list versioned by the database (its triggers are 0012's).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('routes', '0010_package_stop_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='RouteTouch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('route_id', models.BigIntegerField()),
                ('tx', models.BigIntegerField()),
                ('mark', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('route_id', 'tx'), name='routes_touch_once_a_transaction')],
            },
        ),
    ]

import pytest
from django.core.management import call_command

from routes.models import PlanStatus, Route, Station

pytestmark = pytest.mark.django_db


def test_the_demo_driver_has_a_published_route_today():
    call_command("seed_demo")
    station = Station.objects.get(code="sea1")
    route = Route.objects.get(driver__user__email="driver@demo.dspportal.example",
                              service_date=station.local_today())
    assert route.plan.status == PlanStatus.PUBLISHED and route.stops.exists()

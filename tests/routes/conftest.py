import pytest

from routes.services import manifest_import, manifest_rows_from_csv
from tests.routes.factories import StationFactory, partner_with_fleet

SAMPLE = __import__("pathlib").Path(__file__).resolve().parents[2] / "routes" / "fixtures" / "seattle-sample.csv"


@pytest.fixture
def station(db):
    return StationFactory()


@pytest.fixture
def sample_rows():
    return manifest_rows_from_csv(SAMPLE.read_bytes())


@pytest.fixture
def day():
    from datetime import date

    return date(2026, 12, 1)  # a Tuesday, not a holiday


@pytest.fixture
def fleet(station, day):
    return partner_with_fleet(station=station, routes=3, vans=3, drivers=3, on=day)


@pytest.fixture
def imported(station, day, sample_rows):
    def run(n=120):
        return manifest_import(station=station, service_date=day, rows=sample_rows[:n])
    return run


@pytest.fixture
def published(published_ready):
    """A published plan for `day` whose first route is driven by a driver with a login, who has started it (loaded
    the van and left), so its stops can be marked."""
    from routes.services import route_start

    route_start(route=published_ready["route"], by=published_ready["driver_user"])
    published_ready["route"].refresh_from_db()
    return published_ready


@pytest.fixture
def published_ready(station, fleet, day, imported, make_user):
    """A published plan for `day` whose first route is driven by a driver with a login (not started yet)."""
    from accounts.models import Role
    from routes.services import plan_build, plan_publish, route_assign, routes_auto_assign

    partner, owner, vans, drivers = fleet
    driver_user = make_user(role=Role.DRIVER)
    drivers[0].user = driver_user
    drivers[0].save(update_fields=["user"])
    imported(90)
    plan = plan_build(station=station, service_date=day, seconds=0.5)
    route = plan.routes.order_by("sequence").first()
    route_assign(route=route, driver=drivers[0], vehicle=vans[0])
    routes_auto_assign(partner=partner, service_date=day)
    plan = plan_publish(plan=plan)
    route.refresh_from_db()
    return {"plan": plan, "route": route, "driver_user": driver_user, "owner": owner, "partner": partner}

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

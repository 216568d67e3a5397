"""The night as people and operators see it: the live page, the API, and /metrics."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import Role
from core.models import OutboxEmail
from routes.models import PlanningNight, PlanningRun
from tests.routes.factories import StationFactory

pytestmark = pytest.mark.django_db
R = PlanningRun.Result


@pytest.fixture
def a_night():
    """Three stations: one saved after 2 minutes, one solving, one failed with its reason."""
    start = timezone.now() - timedelta(minutes=10)
    night = PlanningNight.objects.create(night_of=date(2026, 11, 30), started_at=start, stations=3)
    saved, solving, failed = (StationFactory(code=c) for c in ("aaa", "bbb", "ccc"))
    PlanningRun.objects.create(night=night, station=saved, service_date=date(2026, 12, 1), result=R.PLANNED,
                               started_at=start, finished_at=start + timedelta(minutes=2), attempts=1, routes=4,
                               worker="solver@host-1 pid 7")
    PlanningRun.objects.create(night=night, station=solving, service_date=date(2026, 12, 1), result=R.RUNNING,
                               started_at=start, attempts=1, worker="solver@host-2 pid 9")
    PlanningRun.objects.create(night=night, station=failed, service_date=date(2026, 12, 1), result=R.FAILED,
                               started_at=start, finished_at=start + timedelta(minutes=5), attempts=3,
                               detail="No packages to plan for this day.")
    return night


def test_the_runs_page_shows_each_station_state_worker_and_the_chart(client, make_user, a_night):
    client.force_login(make_user(role=Role.PROGRAM_ADMIN))

    page = client.get("/routes/runs/").content.decode()

    assert 'id="night-chart"' in page and "Stations done over time: 2 of 3" in page
    assert "solver@host-1 pid 7" in page and "No packages to plan for this day." in page
    assert 'hx-trigger="every 5s"' in page  # live while the night runs
    fragment = client.get(f"/routes/runs/{a_night.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert fragment.startswith('<section id="night"') and "<html" not in fragment


def test_a_partner_cannot_see_the_night(client, make_user, a_night):
    client.force_login(make_user(role=Role.PARTNER_OWNER))
    assert client.get("/routes/runs/").status_code in (403, 404)
    assert client.get(f"/api/v1/routes/nights/{a_night.pk}/").status_code in (403, 404)


def test_the_api_gives_the_night_its_counts_and_stations_done_over_time(token_client, make_user, a_night):
    api = token_client(make_user(role=Role.PROGRAM_ADMIN))

    night = api.get(f"/api/v1/routes/nights/{a_night.pk}/").json()
    stations = api.get(f"/api/v1/routes/nights/{a_night.pk}/stations/").json()

    assert night["counts"]["planned"] == 1 and night["counts"]["failed"] == 1 and night["counts"]["running"] == 1
    assert night["counts"]["done"] == 2 and night["done_over_time"] == [[120.0, 1], [300.0, 2]]
    by_code = {r["station"]: r for r in stations["results"]}
    assert by_code["ccc"]["state"] == "failed" and by_code["ccc"]["attempts"] == 3
    assert by_code["aaa"]["worker"] == "solver@host-1 pid 7"
    assert api.get("/api/v1/routes/nights/987654/").status_code == 404
    assert [n["id"] for n in api.get("/api/v1/routes/nights/").json()["results"]] == [a_night.pk]


def test_metrics_need_the_token_and_report_the_night_and_the_outbox(client, settings, a_night):
    settings.METRICS_TOKEN = "s3cret-token"
    OutboxEmail.objects.create(to=["a@example.com"], subject="x", body="y")

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})

    text = answer.content.decode()
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/plain")
    assert 'dsp_night_stations{state="failed"} 1.0' in text and 'dsp_night_stations{state="running"} 1.0' in text
    assert 'dsp_night_station_seconds_bucket{le="120"} 1.0' in text
    assert 'dsp_outbox_backlog{kind="email"} 1.0' in text
    assert 'dsp_celery_queue_length{queue="solver"}' in text and "dsp_celery_broker_up 1.0" in text

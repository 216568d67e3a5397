"""A worker killed mid-plan loses nothing: real `celery worker` processes on the solver queue over Redis, the first
one killed (SIGKILL, its pool process with it) while it solves a station of the night; the broker hands the
unacknowledged message to a second worker, which takes the run over and plans the station, once.

The workers are processes of their own (a thread cannot be killed), reading the test database the test wrote to
(committed: transactional test). The broker's visibility timeout and the plan job's lease are seconds here so the
hand-over happens in seconds; production keeps them above the longest task (dsp_portal/settings.py)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.db import connection

from dsp_portal.celery import app
from routes.models import PlanEvent, PlanningRun, PlanStatus, RouteStop
from routes.services import manifest_import
from routes.services.nightly import night_start
from tests.routes.factories import partner_with_fleet

pytestmark = [pytest.mark.serial, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(name: str, solver_seconds: float, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "dsp_portal.settings", "DATABASE_URL": _database_url(),
           "REDIS_URL": app.conf.broker_url, "CELERY_BROKER_URL": app.conf.broker_url,
           "CELERY_RESULT_BACKEND": str(app.conf.result_backend), "CELERY_TASK_ALWAYS_EAGER": "false",
           "ROUTES_SOLVER_SECONDS": str(solver_seconds), "JOBS_LEASE_SECONDS": "4", "JOBS_PROGRESS_EVERY": "0.5",
           "CELERY_VISIBILITY_TIMEOUT": "3", "CELERY_UNACKED_RESTORE_INTERVAL": "1", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "celery", "-A", "dsp_portal", "worker", "-Q", "solver", "--pool", "prefork",
               "--concurrency", "1", "--prefetch-multiplier", "1", "-n", f"{name}@%h", "-l", "WARNING",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own process group: killed with its pool process


def _stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def _until(check, what: str, timeout: float, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in logs if p.exists())
    raise AssertionError(f"timed out waiting for {what}\n{tails}")


@pytest.fixture
def broker():
    """The test's Redis database, with no message left over from another run."""
    client = redis.Redis.from_url(app.conf.broker_url)
    client.delete("solver", "short", "unacked", "unacked_index", "unacked_mutex")
    yield client
    client.delete("solver", "short", "unacked", "unacked_index", "unacked_mutex")


def test_a_station_whose_worker_is_killed_mid_plan_is_planned_once_by_another(broker, station, sample_rows, tmp_path):
    tomorrow = station.local_today() + timedelta(days=1)  # real time: the workers' clocks cannot be frozen
    partner_with_fleet(station=station, routes=3, vans=3, drivers=3, on=tomorrow)
    manifest_import(station=station, service_date=tomorrow, rows=sample_rows[:120])
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False  # the night's task goes through the broker
    try:
        night_start()
    finally:
        app.conf.task_always_eager = eager
    run = PlanningRun.objects.get()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]

    first = _worker("first", solver_seconds=120, log=logs[0])  # would solve for minutes
    try:
        _until(lambda: PlanningRun.objects.filter(pk=run.pk, result="running", worker__startswith="first@").exists()
               and broker.hlen("unacked"), "the first worker to claim the run", 120, logs)
        plan = PlanningRun.objects.get(pk=run.pk).plan
        _until(lambda: plan.__class__.objects.filter(pk=plan.pk, status=PlanStatus.OPTIMIZING).exists(),
               "the first worker to start solving", 60, logs)
        _stop(first, signal.SIGKILL)  # mid-plan: no ack, no goodbye
    finally:
        _stop(first, signal.SIGKILL)

    second = _worker("second", solver_seconds=1, log=logs[1])
    try:
        _until(lambda: PlanningRun.objects.filter(pk=run.pk).exclude(result__in=PlanningRun.ACTIVE).exists(),
               "the second worker to finish the run", 180, logs)
    finally:
        _stop(second)

    run.refresh_from_db()
    assert run.result == PlanningRun.Result.PLANNED, run.detail
    assert run.worker.startswith("second@") and run.attempts == 2
    plan.refresh_from_db()
    assert plan.status == PlanStatus.READY and plan.routes.count() == run.routes > 0
    assert PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.READY).count() == 1  # saved once
    stops = RouteStop.objects.filter(route__plan=plan)
    assert sum(stops.values_list("package_count", flat=True)) + plan.unassigned.count() == 120  # each package once
    assert run.night.status == "finished"

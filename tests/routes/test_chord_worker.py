"""The sector chord on a real Celery worker: messages through the Redis broker, sector results and the
chord's join in the Redis result backend, the stitch as the callback (the rest of the suite runs tasks
eagerly, which skips all of that)."""

from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker

from dsp_portal.celery import app
from routes.solver import Solution, synthetic
from routes.tasks import solve_in_chord
from tests.routes.evaluator import violations


@pytest.fixture
def worker():
    assert app.conf.broker_url.startswith("redis://") and str(app.conf.result_backend).startswith("redis://")
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from another run reaches this worker
    try:
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, loglevel="WARNING",
                          shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager


def test_sectors_solved_by_a_worker_over_redis_stitch_into_one_valid_plan(worker):
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(700, seed=4) if not p.hub])
    problem = synthetic.station_problem(stops)

    result = solve_in_chord(problem, seconds=3, seed=0, vans_per_sector=1)
    solution = Solution.from_dict(result.get(timeout=180))

    assert app.backend.get_task_meta(result.id)["status"] == "SUCCESS"  # stored by the worker, not run eagerly
    assert solution.sectors > 1
    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))

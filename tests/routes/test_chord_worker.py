"""The sector chord on a real Celery worker: messages through the Redis broker, sector results and the
chord's join in the Redis result backend, the stitch as the callback (the rest of the suite runs tasks
eagerly, which skips all of that)."""

from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker

from dsp_portal.celery import app
from routes.services.chords import solve_in_chord
from routes.solver import Solution, synthetic
from tests.routes.evaluator import violations

# Run alone, in `make test`'s serial pass: a Celery worker thread inside the test process solving for a fixed time
# budget. Beside another xdist worker, one run of three lost a chord (the result never came; the test timed out).
pytestmark = pytest.mark.serial


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


received_plans: list = []


@app.task(name="tests.routes.receive_plan")
def receive_plan(solution: dict) -> dict:
    """Stands in for `plan_solution_save`: what follows the chord receives the final plan."""
    received_plans.append(solution)
    return solution


@pytest.fixture
def merges():
    """How many border-repair rounds finished (the round chord's callback ran)."""
    from celery.signals import task_postrun

    from routes.tasks import border_round_merge

    seen = []

    def count(sender=None, **kwargs):
        if sender is border_round_merge or getattr(sender, "name", "") == border_round_merge.name:
            seen.append(kwargs.get("state"))

    task_postrun.connect(count, weak=False)
    yield seen
    task_postrun.disconnect(count)


def _too_big_for_one_search(settings, n=1200):
    settings.ROUTES_POLISH_WHOLE_UPTO = 0  # as on a day too big for one search: borders are repaired in chords
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(n, seed=4) if not p.hub])
    return synthetic.station_problem(stops)


def test_border_repairs_run_as_chords_of_route_groups_on_a_real_worker(worker, settings, merges):
    problem = _too_big_for_one_search(settings)

    received_plans.clear()
    result = solve_in_chord(problem, seconds=8, seed=0, vans_per_sector=2, then=receive_plan.s())
    solution = Solution.from_dict(result.get(timeout=300))

    assert merges and set(merges) == {"SUCCESS"}
    assert received_plans == [solution.to_dict()]  # the repaired plan reached the next step, once
    assert solution.sectors > 2
    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))


def test_border_repair_chords_also_run_eagerly(settings, merges):
    problem = _too_big_for_one_search(settings)

    solution = Solution.from_dict(solve_in_chord(problem, seconds=8, seed=0, vans_per_sector=2).get())

    assert merges
    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))

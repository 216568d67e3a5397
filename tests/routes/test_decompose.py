"""Big station-days: sectors sized to whole routes, stitched into one plan covering every stop once."""

from collections import Counter

import pytest

from routes.services.chords import solve_in_chord
from routes.solver import Limits, Solution, synthetic
from routes.solver.decompose import solve_decomposed, split
from tests.routes.evaluator import violations


def _station_day(n, seed=4):
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(n, seed=seed) if not p.hub])
    return synthetic.station_problem(stops)


def test_sectors_partition_the_stops_and_share_the_fleet():
    problem = _station_day(1500)

    sectors = split(problem, vans_per_sector=2)

    assert len(sectors) > 2
    assert sorted(i for s in sectors for i in s.stops) == list(range(len(problem.stops)))
    assert sum(v.count for s in sectors for v in s.problem.vehicles) <= sum(v.count for v in problem.vehicles)


def test_the_stitched_plan_covers_every_stop_exactly_once_within_the_rules():
    problem = _station_day(1200)

    solution = solve_decomposed(problem, seconds=4, seed=1, vans_per_sector=2)

    assert solution.sectors > 2
    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))


def test_the_sector_chord_runs_in_process_with_eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    problem = _station_day(700)

    result = solve_in_chord(problem, seconds=3, seed=0, vans_per_sector=1)

    solution = Solution.from_dict(result.get())
    assert solution.sectors > 1
    assert violations(problem, solution) == []


def test_sectors_solved_side_by_side_in_processes_stitch_into_one_valid_plan():
    from routes.solver.portfolio import process_runner

    problem = _station_day(1200)

    solution = solve_decomposed(problem, seconds=4, seed=1, vans_per_sector=2, workers=2, runner=process_runner(2))

    assert solution.sectors > 2
    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))


def test_border_repairs_in_parallel_never_lengthen_the_plan_nor_use_a_van_twice():
    import time

    limits = Limits(polish_whole_upto=0)  # a day too big for one whole search: borders are repaired instead

    from routes.solver.decompose import run_in_process, stitch
    from routes.solver.portfolio import process_runner

    problem = _station_day(1200)
    sectors = split(problem, vans_per_sector=2)
    parts = run_in_process([(s.problem, 1.0, k) for k, s in enumerate(sectors)])
    args = (problem, [s.stops for s in sectors], [s.types for s in sectors], parts)

    as_stitched = stitch(*args, deadline=time.monotonic(), limits=limits)
    repaired = stitch(*args, deadline=time.monotonic() + 4, runner=process_runner(2), workers=2, limits=limits)

    assert repaired.distance < as_stitched.distance
    assert violations(problem, repaired) == []
    assert Counter(i for r in repaired.routes for i in r.stops) == Counter(range(len(problem.stops)))
    used = Counter(r.vehicle_type for r in repaired.routes)
    assert all(used[k] <= v.count for k, v in enumerate(problem.vehicles))


def test_a_group_of_routes_on_two_van_sizes_re_solves_from_its_own_routes():
    from dataclasses import replace

    from routes.solver.decompose import _group_job, run_in_process, run_job

    problem = _station_day(1200)
    sectors = split(problem, vans_per_sector=2)
    parts = run_in_process([(s.problem, 0.5, k) for k, s in enumerate(sectors)])
    routes = [replace(r, stops=[s.stops[i] for i in r.stops], vehicle_type=s.types[r.vehicle_type])
              for s, sol in zip(sectors, parts, strict=True) for r in sol.routes]
    light = sorted(routes, key=lambda r: sum(problem.stops[i].demand for i in r.stops))[:4]
    group = [replace(r, vehicle_type=k % 2) for k, r in enumerate(light)]  # two 300s, two 250s
    assert all(sum(problem.stops[i].demand for i in r.stops) <= 250 for r in group)

    stops, kinds, job = _group_job(problem, group, 1.0, 0)
    solution = run_job(job)

    assert kinds == [0, 1] and [v.count for v in job[0].vehicles] == [2, 2]
    assert solution.unassigned == [] and violations(job[0], solution) == []
    assert sorted(i for r in solution.routes for i in r.stops) == list(range(len(stops)))


def test_a_day_that_fits_one_search_is_polished_whole_from_the_stitched_plan():
    import time

    from routes.solver.decompose import polishes_whole, run_in_process, stitch

    problem = _station_day(1200)
    sectors = split(problem, vans_per_sector=2)
    parts = run_in_process([(s.problem, 1.0, k) for k, s in enumerate(sectors)])
    args = (problem, [s.stops for s in sectors], [s.types for s in sectors], parts)
    limits = Limits(polish_whole_upto=len(problem.stops))
    assert polishes_whole(problem, limits)

    as_stitched = stitch(*args, deadline=time.monotonic(), limits=limits)
    polished = stitch(*args, deadline=time.monotonic() + 4, limits=limits)

    assert polished.distance < as_stitched.distance and polished.sectors == len(sectors)
    assert violations(problem, polished) == []
    assert Counter(i for r in polished.routes for i in r.stops) == Counter(range(len(problem.stops)))
    used = Counter(r.vehicle_type for r in polished.routes)
    assert all(used[k] <= v.count for k, v in enumerate(problem.vehicles))


@pytest.mark.parametrize(("workers", "expected_share"), [(0, 1.0), (2, None)])
def test_sector_tasks_share_the_budget_among_the_chord_workers(settings, workers, expected_share):
    from routes.services.chords import sector_chord
    from routes.solver.decompose import improve_share

    settings.ROUTES_CHORD_WORKERS = workers
    problem = _station_day(1200)

    sig = sector_chord(problem, seconds=60, vans_per_sector=1)

    sectors = len(sig.tasks)
    assert sectors > 2
    sector_part = 60 * (1 - improve_share(problem))
    share = expected_share if expected_share is not None else workers / sectors
    assert [t.args[1] for t in sig.tasks] == pytest.approx([sector_part * share] * sectors)


def test_sectors_together_never_hold_more_vans_of_a_type_than_the_fleet_has():
    from routes.solver import VehicleType

    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(1500, seed=4) if not p.hub])
    fleet = [VehicleType(count=5, capacity=300, shift_start=synthetic.DISPATCH, shift_end=synthetic.RETURN_BY),
             VehicleType(count=40, capacity=250, shift_start=synthetic.DISPATCH, shift_end=synthetic.RETURN_BY)]
    problem = synthetic.station_problem(stops, vehicles=fleet)

    sectors = split(problem, vans_per_sector=2)

    assert len(sectors) > 2
    held = Counter()
    for s in sectors:
        for v, k in zip(s.problem.vehicles, s.types, strict=True):
            held[k] += v.count
    assert held[0] <= 5 and held[1] <= 40
    assert all(s.problem.vehicles for s in sectors)


def test_a_decomposed_day_on_a_mixed_fleet_uses_no_van_twice():
    from routes.solver import VehicleType

    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(1500, seed=4) if not p.hub])
    fleet = [VehicleType(count=5, capacity=300, shift_start=synthetic.DISPATCH, shift_end=synthetic.RETURN_BY),
             VehicleType(count=40, capacity=250, shift_start=synthetic.DISPATCH, shift_end=synthetic.RETURN_BY)]
    problem = synthetic.station_problem(stops, vehicles=fleet)

    solution = solve_decomposed(problem, seconds=4, seed=1, vans_per_sector=2)

    assert violations(problem, solution) == []
    assert Counter(i for r in solution.routes for i in r.stops) == Counter(range(len(problem.stops)))


@pytest.mark.parametrize("count", [7, 20, 31, 45, 50, 51, 58, 60, 75])
@pytest.mark.parametrize("workers", [2, 3])
def test_a_rounds_route_groups_fill_whole_waves_of_the_workers(count, workers):
    """51 routes in groups of 10 would be 5 groups: on two workers the third wave would run one group while the
    other worker idles. Every round's groups come in a multiple of the workers, each route in one group."""
    from routes.solver.decompose import next_round
    from routes.solver.types import Route

    limits = Limits(polish_whole_upto=0)
    problem = _station_day(1200)
    routes = [Route(vehicle_type=0, stops=list(range(k, len(problem.stops), count))) for k in range(count)]
    plan = Solution(routes=routes, unassigned=[])

    for round_ in range(3):
        step = next_round(problem, plan, round_, 60.0, seed=1, workers=workers, limits=limits)

        sizes = sorted(len(group) for group in step.groups)
        assert len(step.groups) % workers == 0 and sizes[0] > 1 and sizes[-1] - sizes[0] <= 1
        assert sorted(k for group in step.groups for k in group) == list(range(count))

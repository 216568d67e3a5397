"""The solver interface: optimum on small instances, hard constraints, reasons for what it leaves out."""

import itertools
import random

import numpy as np
import pytest

from routes.solver import NO_LIMIT, Point, Problem, Stop, VehicleType, solve, solve_single, synthetic
from tests.routes.evaluator import route_distance, violations


def _matrix(points):
    return np.array([[round(10 * np.hypot(a[0] - b[0], a[1] - b[1])) for b in points] for a in points])


def _brute_force_cvrp(matrix, demand, capacity):
    """Exact optimum: the best tour of every feasible subset, then the best partition into subsets."""
    n = len(demand)
    tour = {}
    for size in range(1, n + 1):
        for subset in itertools.combinations(range(1, n + 1), size):
            if sum(demand[i - 1] for i in subset) <= capacity:
                tour[frozenset(subset)] = min(
                    sum(matrix[a][b] for a, b in zip((0, *perm), (*perm, 0), strict=False))
                    for perm in itertools.permutations(subset)
                )
    best = {frozenset(): 0}
    for mask in range(1, 2**n):
        members = frozenset(i + 1 for i in range(n) if mask >> i & 1)
        first = min(members)
        options = [
            tour[part] + best[members - part]
            for part in tour
            if first in part and part <= members and (members - part) in best
        ]
        if options:
            best[members] = min(options)
    return best[frozenset(range(1, n + 1))]


def test_finds_the_proven_optimum_of_a_small_cvrp():
    rng = random.Random(7)
    points = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(7)]
    demand = [rng.randint(1, 5) for _ in range(7)]
    matrix = _matrix(points)
    problem = Problem(
        depot=Point(*points[0]), stops=[Stop(Point(*p), demand=d) for p, d in zip(points[1:], demand, strict=False)],
        vehicles=[VehicleType(count=7, capacity=10)], distance=matrix, duration=matrix, allow_unassigned=False,
    )

    solution = solve_single(problem, seconds=1, seed=1)

    assert violations(problem, solution) == []
    assert solution.distance == _brute_force_cvrp(matrix, demand, 10)
    assert solution.distance == sum(route_distance(problem, r.stops) for r in solution.routes)


def _windowed_problem(seed=3, n=40, vans=6, shift_end=4000):
    rng = random.Random(seed)
    points = [(50, 50)] + [(rng.randint(0, 100), rng.randint(0, 100)) for _ in range(n)]
    matrix = _matrix(points)
    stops = []
    for k, p in enumerate(points[1:], start=1):
        early = rng.randint(0, 2500) if k % 3 == 0 else 0
        stops.append(Stop(Point(*p), demand=rng.randint(1, 9), service=60, early=early,
                          late=early + 600 if k % 3 == 0 else NO_LIMIT))
    return Problem(depot=Point(*points[0]), stops=stops, distance=matrix, duration=matrix,
                   vehicles=[VehicleType(count=vans, capacity=40, shift_start=0, shift_end=shift_end)])


def test_capacity_windows_and_shift_are_never_violated():
    problem = _windowed_problem()

    solution = solve_single(problem, seconds=1, seed=2)

    assert violations(problem, solution) == []
    assert sum(len(r.stops) for r in solution.routes) > 0


def test_a_station_day_respects_capacity_and_shift_with_real_geography():
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(300, seed=5) if not p.hub])
    problem = synthetic.station_problem(stops)

    solution = solve(problem, seconds=2, seed=0)

    assert violations(problem, solution) == []
    assert solution.unassigned == []


def test_too_small_a_fleet_leaves_stops_unassigned_with_a_reason():
    problem = _windowed_problem(vans=1, shift_end=2500)

    solution = solve_single(problem, seconds=1, seed=0)

    assert violations(problem, solution) == []
    assert solution.unassigned
    assert {u.reason for u in solution.unassigned} <= {"no_room", "window_unreachable", "shift_too_short"}


def test_impossible_stops_are_reported_not_dropped():
    matrix = np.array([[0, 100, 100, 100], [100, 0, 50, 50], [100, 50, 0, 50], [100, 50, 50, 0]])
    problem = Problem(
        depot=Point(0, 0),
        stops=[
            Stop(Point(1, 0), demand=2, early=0, late=50),  # the window closes before anyone can get there
            Stop(Point(0, 1), demand=99),  # bigger than any van
            Stop(Point(1, 1), demand=1, service=900),  # does not fit in the shift
        ],
        vehicles=[VehicleType(count=2, capacity=10, shift_start=0, shift_end=1000)],
        distance=matrix, duration=matrix,
    )

    solution = solve_single(problem, seconds=0.2)

    assert solution.routes == []
    assert [(u.stop, u.reason) for u in solution.unassigned] == [
        (0, "window_unreachable"), (1, "over_capacity"), (2, "shift_too_short"),
    ]
    assert not solution.feasible


def test_problems_and_solutions_survive_json():
    stops, _ = synthetic.merge_stops(synthetic.packages(40, seed=2))
    problem = synthetic.station_problem(stops)
    solution = solve_single(problem, seconds=0.3)

    assert problem.from_dict(problem.to_dict()).to_dict() == problem.to_dict()
    assert type(solution).from_dict(solution.to_dict()) == solution


@pytest.mark.parametrize("seed", [11])
def test_explicit_matrices_refuse_serialisation(seed):
    problem = _windowed_problem(seed=seed, n=3)
    with pytest.raises(ValueError):
        problem.to_dict()

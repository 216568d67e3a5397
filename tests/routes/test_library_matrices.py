"""While the library searches, the adapter holds no matrix of its own: it hands its copies over in the library's
stop order, frees them, and checks the library's routes on the library's own matrices (read-only views), mapping
them back to the problem's stop indices (routes.solver.pyvrp_adapter._library_matrices, _routes)."""

import tracemalloc

import pyvrp

from routes.solver import Point, Problem, Stop, VehicleType, synthetic
from routes.solver.checks import precheck
from routes.solver.pyvrp_adapter import _by_locality, _problem_data, _routes, solve
from tests.routes.evaluator import violations


def test_no_matrix_of_the_adapters_own_is_alive_while_the_library_searches():
    stops, _ = synthetic.merge_stops(synthetic.packages(1500, seed=8))
    problem = synthetic.station_problem(stops)
    one_matrix = 8 * (len(stops) + 1) ** 2  # int64
    during = []

    tracemalloc.start()  # numpy's arrays are traced; the library's own (C++) copies are not
    try:
        solution = solve(problem, seconds=1.5, seed=1,
                         progress=lambda **info: during.append(tracemalloc.get_traced_memory()[0]))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert during, "the search reported no progress"
    assert max(during) < one_matrix / 2  # before: our pair and the re-ordered pair, four matrices, stayed alive
    assert peak < 4.5 * one_matrix  # ours and the re-ordered pair at most (before: six, with a capped copy)
    assert not solution.unassigned and violations(problem, solution) == []


def test_the_librarys_routes_are_checked_repaired_and_read_back_in_the_problems_indices():
    stops = [Stop(Point(0.01 * (k % 5), 0.01 * (k // 5)), demand=1) for k in range(10)]
    problem = Problem(Point(0.0, 0.0), stops, [VehicleType(count=2, capacity=4)], name="readback")
    distance, duration = problem.matrices()
    kept, _ = precheck(problem, distance, duration)
    kept = _by_locality(problem, kept)
    assert kept != sorted(kept)  # the library's order is not the problem's
    data = _problem_data(problem, distance, duration, kept)
    # one route of six (over the van's 4) and one of four: the library's client k is stop kept[k]
    best = pyvrp.Solution(data, [pyvrp.Route(data, [0, 1, 2, 3, 4, 5], 0), pyvrp.Route(data, [6, 7, 8, 9], 0)])

    routes, dropped = _routes(problem, data, best, kept)

    assert len(dropped) == 2 and set(dropped) <= {kept[k] for k in range(6)}
    assert sorted([i for r in routes for i in r.stops] + dropped) == list(range(10))
    assert routes[1].stops == [kept[k] for k in (6, 7, 8, 9)]
    for route in routes:
        legs = [0, *(i + 1 for i in route.stops), 0]
        assert route.distance == sum(int(distance[a, b]) for a, b in zip(legs[:-1], legs[1:], strict=True))
        assert route.load <= 4

"""The search's trials of one route fewer (routes.solver.pyvrp_adapter._FewerRoutes): the fleet is capped at the
routes the best plan uses less the lightest one's van, every stop is placed again, and the answer reads back on
the whole fleet; no trial where the loads cannot fit."""

import pytest
import pyvrp
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams

from routes.solver import Point, Problem, Stop, VehicleType
from routes.solver.checks import precheck
from routes.solver.pyvrp_adapter import SearchParams, _FewerRoutes, _local_search, _problem_data


def _data(vehicles, demands):
    stops = [Stop(Point(float(k % 4), float(k // 4) + 1.0), demand=d) for k, d in enumerate(demands)]
    problem = Problem(Point(0.0, 0.0), stops, vehicles, name="fewer")
    problem.distance = problem.duration = None
    distance, duration = problem.matrices()
    kept, _ = precheck(problem, distance, duration)
    return _problem_data(problem, distance, duration, kept)


def _trials(data, tries=2):
    rng = pyvrp.RandomNumberGenerator(seed=1)
    params = PenaltyParams()
    return _FewerRoutes(data, lambda d: _local_search(d, rng, SearchParams()), tries), \
        PenaltyManager(params.midpoint_penalties(data), params)


def _served(solution):
    return sorted(int(a.idx) for r in solution.routes() for a in r if a.is_client())


def _plan(data, routes):  # clients by PyVRP's client index (0-based)
    return pyvrp.Solution(data, [pyvrp.Route(data, visits, kind) for kind, visits in routes])


def test_a_trial_drops_the_lightest_route_and_places_its_stops_on_the_others():
    data = _data([VehicleType(count=8, capacity=4)], [1] * 8)
    fewer, pm = _trials(data)
    best = _plan(data, [(0, [0, 1, 2]), (0, [3, 4, 5]), (0, [6, 7])])  # three routes where two hold all 8

    capped, _ls, start = fewer.trial(best, pm)

    assert capped.num_vehicles == 2
    assert start.is_complete() and start.num_routes() <= 2  # any overload is the search's to remove
    back = fewer.back(start)
    assert back.num_routes() == start.num_routes() and _served(back) == list(range(8))


def test_no_trial_when_the_loads_cannot_fit_one_route_fewer():
    data = _data([VehicleType(count=8, capacity=4)], [1] * 8)
    fewer, pm = _trials(data)

    assert fewer.trial(_plan(data, [(0, [0, 1, 2, 3]), (0, [4, 5, 6, 7])]), pm) is None


def test_failed_trials_at_one_route_count_end_them_there():
    data = _data([VehicleType(count=8, capacity=4)], [1] * 8)
    fewer, pm = _trials(data, tries=2)
    best = _plan(data, [(0, [0, 1, 2]), (0, [3, 4, 5]), (0, [6, 7])])

    fewer.record(best, improved=False)
    assert fewer.trial(best, pm) is not None
    fewer.record(best, improved=False)
    assert fewer.trial(best, pm) is None


@pytest.mark.parametrize("light_kind", [0, 1])
def test_a_trial_keeps_each_route_on_its_own_van_size_and_reads_back_onto_the_whole_fleet(light_kind):
    vehicles = [VehicleType(count=3, capacity=6), VehicleType(count=3, capacity=4)]
    data = _data(vehicles, [1] * 8)
    fewer, pm = _trials(data)
    other = 1 - light_kind
    best = _plan(data, [(other, [0, 1, 2, 3]), (light_kind, [4]), (other, [5, 6, 7])])

    capped, _ls, start = fewer.trial(best, pm)

    assert capped.num_vehicle_types == 1 and capped.num_vehicles == 2  # the light route's van size is gone
    assert capped.vehicle_type(0).capacity == [vehicles[other].capacity]
    back = fewer.back(start)
    assert {r.vehicle_type() for r in back.routes()} == {other}
    assert _served(back) == list(range(8))

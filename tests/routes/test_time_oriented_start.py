"""The windowed start (routes.solver.pyvrp_adapter._time_oriented_start): on instances where most clients have
a window of their own, the search starts from Solomon's time-oriented nearest-neighbour construction instead of a
random plan, which on tightly windowed instances (C1_4_1) never became a plan serving every client in 10 s."""

import pyvrp

from routes.solver import Point, Problem, Stop, VehicleType, solve_single, synthetic
from routes.solver.checks import precheck
from routes.solver.pyvrp_adapter import _problem_data, _time_oriented_start, _windowed
from tests.routes.evaluator import violations

H = 3600


def _clustered(vans=8):
    """Four neighbourhoods of twelve addresses, each address with a 15-minute window, the windows of a
    neighbourhood staggered through the day (a Solomon C1-like day)."""
    stops = []
    for c, (dx, dy) in enumerate([(0.02, 0.03), (-0.03, 0.02), (0.025, -0.02), (-0.02, -0.03)]):
        for j in range(12):
            early = 9 * H + c * 1800 + j * 900
            stops.append(Stop(Point(-122.323 + dx + 0.001 * (j % 4), 47.548 + dy + 0.001 * (j // 4)), demand=3,
                              service=240, early=early, late=early + 900))
    return Problem(Point(-122.323, 47.548), stops, [VehicleType(count=vans, capacity=20, shift_start=8 * H,
                                                                shift_end=19 * H)], name="clustered")


def _data(problem):
    distance, duration = problem.matrices()
    kept, _ = precheck(problem, distance, duration)
    return _problem_data(problem, distance, duration, kept)


def test_the_start_keeps_every_window_load_and_shift_and_visits_each_client_once():
    data = _data(_clustered())

    start = _time_oriented_start(data)

    assert _windowed(data)
    visits = [int(a.idx) for r in start.routes() for a in r if a.is_client()]
    assert sorted(visits) == list(range(data.num_clients))  # the fleet has room: every client is on a route
    assert start.is_feasible() and start.num_routes() <= 8


def test_clients_no_van_can_reach_are_left_for_the_search_to_insert():
    data = _data(_clustered(vans=2))

    start = _time_oriented_start(data)

    visits = [int(a.idx) for r in start.routes() for a in r if a.is_client()]
    assert len(visits) == len(set(visits)) < data.num_clients
    assert start.num_routes() == 2
    routed = pyvrp.Solution(data, [pyvrp.Route(data, [int(a.idx) for a in r if a.is_client()], r.vehicle_type())
                                   for r in start.routes()])
    assert routed.time_warp() == 0 and routed.excess_load() == [0]


def test_a_station_day_with_some_windows_keeps_the_random_start():
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(300, seed=3) if not p.hub])

    assert not _windowed(_data(synthetic.station_problem(stops)))


def test_a_windowed_day_is_solved_from_it_within_every_rule():
    problem = _clustered()

    solution = solve_single(problem, seconds=1.0, seed=0)

    assert solution.unassigned == [] and violations(problem, solution) == []
    assert sorted(i for r in solution.routes for i in r.stops) == list(range(len(problem.stops)))

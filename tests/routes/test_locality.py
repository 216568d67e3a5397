"""The adapter hands the library its stops in Hilbert-curve order (routes.solver.pyvrp_adapter._by_locality), so a
client's nearest clients sit near it in the library's matrices; plans still come back in the problem's own stop
indices."""

import numpy as np

from routes.solver import pyvrp_adapter, synthetic
from routes.solver.pyvrp_adapter import _by_locality, _hilbert_keys
from tests.routes.evaluator import violations


def test_consecutive_cells_of_the_curve_are_neighbours():
    side = 16
    cells = [(x, y) for x in range(side) for y in range(side)]
    order = np.random.default_rng(3).permutation(len(cells))
    xs = np.array([cells[k][0] for k in order], dtype=float)
    ys = np.array([cells[k][1] for k in order], dtype=float)

    keys = _hilbert_keys(xs, ys, order=4)
    path = np.argsort(keys)

    assert len(set(keys.tolist())) == side * side
    steps = np.abs(np.diff(xs[path])) + np.abs(np.diff(ys[path]))
    assert set(steps.tolist()) == {1.0}


def test_the_order_keeps_each_stop_once_and_puts_near_stops_near():
    stops, _ = synthetic.merge_stops(synthetic.packages(2000, seed=4))
    problem = synthetic.station_problem(stops)
    kept = list(range(len(stops)))

    ordered = _by_locality(problem, kept)

    assert sorted(ordered) == kept
    xs = np.array([stops[i].point.x for i in ordered])
    ys = np.array([stops[i].point.y for i in ordered])
    along = np.hypot(np.diff(xs), np.diff(ys)).mean()
    before = np.hypot(np.diff([s.point.x for s in stops]), np.diff([s.point.y for s in stops])).mean()
    assert along < before / 5


def test_plans_come_back_in_the_problems_stop_indices():
    stops, _ = synthetic.merge_stops(synthetic.packages(300, seed=6))
    problem = synthetic.station_problem(stops)

    solution = pyvrp_adapter.solve(problem, seconds=1.0, seed=2)

    served = sorted(i for r in solution.routes for i in r.stops)
    assert served == list(range(len(stops))) and not solution.unassigned
    assert violations(problem, solution) == []
    distance, _ = problem.matrices()
    for r in solution.routes:
        legs = [0, *(i + 1 for i in r.stops), 0]
        assert r.distance == sum(int(distance[a, b]) for a, b in zip(legs[:-1], legs[1:], strict=True))

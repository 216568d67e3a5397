"""The search's parameters by kind of search (routes.solver.pyvrp_adapter.params_for): a cold search looks at
each client's 30 nearest clients (measured better than PyVRP's 50 on the X, Solomon and Gehring-Homberger sets
at 10 and 60 s), a search warm-started from a plan (a big day's route groups) keeps 50 and runs PyVRP's own
acceptance: a history of 300, one epoch without restarts (measured better on 10,000-package days)."""

import pyvrp

from routes.solver import pyvrp_adapter, synthetic
from routes.solver.checks import precheck
from routes.solver.pyvrp_adapter import _local_search, _problem_data, params_for


def _data(n=120):
    stops, _ = synthetic.merge_stops([p for p in synthetic.packages(n, seed=5) if not p.hub])
    problem = synthetic.station_problem(stops)
    distance, duration = problem.matrices()
    kept, _ = precheck(problem, distance, duration)
    return problem, _problem_data(problem, distance, duration, kept)


def test_a_cold_search_looks_at_fewer_neighbours_than_a_warm_one():
    _, data = _data()
    rng = pyvrp.RandomNumberGenerator(seed=1)

    cold = _local_search(data, rng, params_for(data)).neighbours
    warm = _local_search(data, rng, params_for(data, warm=True)).neighbours

    assert len(cold) == len(warm) == data.num_clients > 50  # each client's neighbours (keyed by its visit)
    assert {len(near) for near in cold.values()} == {30}
    assert {len(near) for near in warm.values()} == {50}


def test_solve_picks_the_parameters_by_whether_it_starts_from_a_plan(monkeypatch):
    problem, _ = _data()
    seen = []
    real = pyvrp_adapter._local_search

    def recording(data, rng, sp):
        seen.append((sp.neighbours, sp.history_length, sp.epoch_share, sp.exhaustive_on_best))
        return real(data, rng, sp)

    monkeypatch.setattr(pyvrp_adapter, "_local_search", recording)
    cold = pyvrp_adapter.solve(problem, seconds=0.3, seed=1)
    seen_cold, seen[:] = list(seen), []
    pyvrp_adapter.solve(problem, seconds=0.3, seed=1, initial=[(r.vehicle_type, r.stops) for r in cold.routes])

    assert seen_cold and set(seen_cold) == {(30, 100, 0.1, False)}  # a station day: 15 % of stops windowed
    assert seen and set(seen) == {(50, 300, 1.0, True)}


def test_only_a_mostly_windowed_problem_searches_each_new_best_plan_whole():
    problem, data = _data()
    windowed = data.replace(clients=[
        pyvrp.Client(location=c.location, delivery=c.delivery, service_duration=c.service_duration,
                     tw_early=3600 * (9 + k % 6), tw_late=3600 * (11 + k % 6))
        for k, c in enumerate(data.clients())])

    assert params_for(data).exhaustive_on_best is False
    assert params_for(windowed).exhaustive_on_best is True
    assert params_for(data, warm=True).exhaustive_on_best is True


def test_a_warm_search_runs_one_epoch_without_restarting(monkeypatch):
    """One epoch: the iterated local search is built once for the whole budget, not every tenth of it."""
    problem, _ = _data()
    cold = pyvrp_adapter.solve(problem, seconds=0.3, seed=1)
    runs = []
    real = pyvrp_adapter.IteratedLocalSearch

    def counting(*args, **kwargs):
        runs.append(args[4].history_length)
        return real(*args, **kwargs)

    monkeypatch.setattr(pyvrp_adapter, "IteratedLocalSearch", counting)
    warm = pyvrp_adapter.solve(problem, seconds=1.5, seed=1, initial=[(r.vehicle_type, r.stops) for r in cold.routes])

    assert runs == [300]
    assert not warm.unassigned and warm.distance <= cold.distance

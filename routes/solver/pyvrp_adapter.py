"""The one adapter: solves a `Problem` with PyVRP 0.14 (MIT, iterated local search, hard time limit).

Swapping the library means writing another module with the same `solve` signature.
"""

from __future__ import annotations

import time

import numpy as np
import pyvrp
from pyvrp.stop import MaxRuntime

from routes.solver.checks import evaluate, precheck, repair
from routes.solver.distances import UNREACHABLE
from routes.solver.types import NO_LIMIT, Problem, Solution, Unassigned

_MAX = pyvrp.constants.MAX_VALUE


def solve(problem: Problem, *, seconds: float, seed: int = 0, initial: list[list[int]] | None = None) -> Solution:
    """Best plan found within `seconds`. `initial` (routes as stop indices) warm-starts the search."""
    started = time.monotonic()
    distance, duration = problem.matrices()
    kept, unassigned = precheck(problem, distance, duration)
    routes = []
    if kept:
        data = _problem_data(problem, distance, duration, kept)
        position = {stop: k for k, stop in enumerate(kept)}
        init = _initial_solution(data, problem, initial, position)
        remaining = max(0.05, seconds - (time.monotonic() - started))
        result = pyvrp.solve(data, stop=MaxRuntime(remaining), seed=seed, collect_stats=False, initial_solution=init)
        routes, dropped = _routes(problem, distance, duration, result.best, kept)
        unassigned += [Unassigned(i, "no_room") for i in dropped]
    unassigned.sort(key=lambda u: u.stop)
    return Solution(
        routes=routes,
        unassigned=unassigned,
        distance=sum(r.distance for r in routes),
        duration=sum(r.duration for r in routes),
        seconds=round(time.monotonic() - started, 3),
        feasible=not unassigned,
    )


def _problem_data(problem: Problem, distance, duration, kept: list[int]) -> pyvrp.ProblemData:
    index = np.array([0, *(i + 1 for i in kept)])
    dist = np.minimum(distance[np.ix_(index, index)], _MAX)
    dur = np.minimum(duration[np.ix_(index, index)], _MAX)
    # An optional stop carries a prize far above what serving it can cost, so the solver leaves
    # one out only when no vehicle has room for it.
    finite = dist[dist < UNREACHABLE]
    prize = int(min(_MAX // 4, 4 * int(finite.max(initial=1)) + 1000))
    points = problem.points
    locations = [pyvrp.Location(x=points[i].x, y=points[i].y) for i in index]
    clients = []
    for k, i in enumerate(kept, start=1):
        s = problem.stops[i]
        clients.append(
            pyvrp.Client(
                location=k,
                delivery=[s.demand],
                service_duration=s.service,
                tw_early=s.early,
                tw_late=min(s.late, _MAX),
                required=not problem.allow_unassigned,
                prize=prize if problem.allow_unassigned else 0,
            )
        )
    day_start = min(v.shift_start for v in problem.vehicles)
    day_end = min(max(v.shift_end for v in problem.vehicles), _MAX)
    depots = [pyvrp.Depot(location=0, tw_early=day_start, tw_late=day_end)]
    vehicle_types = [
        pyvrp.VehicleType(
            num_available=v.count,
            capacity=[v.capacity],
            tw_early=v.shift_start,
            tw_late=min(v.shift_end, _MAX),
            shift_duration=_MAX if v.shift_end >= NO_LIMIT else v.shift_end - v.shift_start,
            name=str(k),
        )
        for k, v in enumerate(problem.vehicles)
    ]
    return pyvrp.ProblemData(locations, clients, depots, vehicle_types, [dist], [dur])


def _initial_solution(data, problem: Problem, initial, position):
    if not initial:
        return None
    visits = [[position[i] for i in route if i in position] for route in initial]
    visits = [v for v in visits if v][: sum(v.count for v in problem.vehicles)]
    if problem.allow_unassigned:
        return pyvrp.Solution(data, visits)
    seen = {c for v in visits for c in v}
    missing = [c for c in range(len(position)) if c not in seen]
    return pyvrp.Solution(data, visits + [[c] for c in missing]) if not missing else pyvrp.Solution(data, visits)


def _routes(problem: Problem, distance, duration, best, kept: list[int]):
    """The library's routes in stop indices, each checked (and repaired) by our own evaluator."""
    routes, dropped, served = [], [], set()
    for r in best.routes():
        stops = [kept[a.idx] for a in r if a.is_client()]
        served.update(stops)
        route, violations = evaluate(problem, distance, duration, int(r.vehicle_type()), stops, int(r.start_time()))
        if violations:
            route, lost = repair(problem, distance, duration, route)
            dropped += lost
        if route.stops:
            routes.append(route)
    dropped += [i for i in kept if i not in served]
    return routes, dropped

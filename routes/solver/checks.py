"""Feasibility on the solver's side of the interface: which stops no vehicle can ever serve, and a
route evaluator used to check (and if need be repair) whatever the solver library returns, so that
a plan never leaves the engine over capacity, late or past the end of a shift."""

from __future__ import annotations

import numpy as np

from routes.solver.distances import UNREACHABLE
from routes.solver.types import Problem, Route, Unassigned


def precheck(problem: Problem, distance: np.ndarray, duration: np.ndarray) -> tuple[list[int], list[Unassigned]]:
    """Split the stops into those some vehicle could serve alone and those none can, with why."""
    n = len(problem.stops)
    idx = np.arange(1, n + 1)
    demand = np.array([s.demand for s in problem.stops], dtype=np.int64)
    service = np.array([s.service for s in problem.stops], dtype=np.int64)
    early = np.array([s.early for s in problem.stops], dtype=np.int64)
    late = np.array([s.late for s in problem.stops], dtype=np.int64)
    out, back = duration[0, idx], duration[idx, 0]
    unreachable = (distance[0, idx] >= UNREACHABLE) | (distance[idx, 0] >= UNREACHABLE)
    over = demand > max(v.capacity for v in problem.vehicles)
    window_ok = np.zeros(n, dtype=bool)
    shift_ok = np.zeros(n, dtype=bool)
    for v in problem.vehicles:
        arrive = v.shift_start + out
        fits_window = arrive <= late
        window_ok |= fits_window
        shift_ok |= fits_window & (np.maximum(arrive, early) + service + back <= v.shift_end)
    kept, unassigned = [], []
    for i in range(n):
        if unreachable[i]:
            unassigned.append(Unassigned(i, "unreachable"))
        elif over[i]:
            unassigned.append(Unassigned(i, "over_capacity", f"{int(demand[i])} packages"))
        elif not window_ok[i]:
            unassigned.append(Unassigned(i, "window_unreachable"))
        elif not shift_ok[i]:
            unassigned.append(Unassigned(i, "shift_too_short"))
        else:
            kept.append(i)
    return kept, unassigned


def evaluate(problem: Problem, distance, duration, vehicle_type: int, stops: list[int], depart: int | None = None):
    """Drive the route from `depart` (default: shift start), waiting for windows to open.
    Returns (Route, violations) where violations lists what is wrong ([] when feasible)."""
    v = problem.vehicles[vehicle_type]
    start = v.shift_start if depart is None else max(depart, v.shift_start)
    t, prev, dist, load, late = start, 0, 0, 0, 0
    arrivals = []
    for i in stops:
        s = problem.stops[i]
        t += int(duration[prev, i + 1])
        dist += int(distance[prev, i + 1])
        if t > s.late:
            late += 1
        t = max(t, s.early)
        arrivals.append(t)
        t += s.service
        load += s.demand
        prev = i + 1
    t += int(duration[prev, 0])
    dist += int(distance[prev, 0])
    violations = []
    if load > v.capacity:
        violations.append("capacity")
    if late:
        violations.append("window")
    if t > v.shift_end:
        violations.append("shift")
    route = Route(vehicle_type, list(stops), dist, t - start, load, start, t, arrivals, late)
    return route, violations


def repair(problem: Problem, distance, duration, route: Route) -> tuple[Route, list[int]]:
    """Take stops off an infeasible route (largest detour first) until it is feasible.
    Feasible routes come back unchanged; the dropped stops are returned for reporting."""
    stops, dropped = list(route.stops), []
    depart = route.start
    current, violations = evaluate(problem, distance, duration, route.vehicle_type, stops, depart)
    if violations:  # the library's start time may be the problem: the earliest departure never is
        depart = None
        current, violations = evaluate(problem, distance, duration, route.vehicle_type, stops)
    while violations and stops:
        path = [0, *(i + 1 for i in stops), 0]
        detours = [
            distance[path[k - 1], path[k]] + distance[path[k], path[k + 1]] - distance[path[k - 1], path[k + 1]]
            for k in range(1, len(path) - 1)
        ]
        dropped.append(stops.pop(int(np.argmax(detours))))
        current, violations = evaluate(problem, distance, duration, route.vehicle_type, stops, depart)
    return current, dropped

"""An evaluator independent of the solver: recomputes every route from the raw problem (its own
great-circle distances for geographic problems), never from the numbers the solver reports."""

import math
from collections import Counter

EARTH_RADIUS_M = 6_371_008.8


def _metres(a, b):
    la1, la2 = math.radians(a.y), math.radians(b.y)
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin(math.radians(b.x - a.x) / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def leg(problem, i, j):
    """(distance, duration) between matrix indices i and j (0 = depot)."""
    if problem.distance is not None:
        return int(problem.distance[i][j]), int(problem.duration[i][j])
    spec = problem.provider
    pts = problem.points
    metres = _metres(pts[i], pts[j]) * spec.get("circuity", 1.3)
    return round(metres), round(metres / (spec.get("speed_kmh", 25.0) / 3.6))


def violations(problem, solution):
    """Every broken rule, as readable strings: [] for a valid plan."""
    found = []
    seen = Counter(i for r in solution.routes for i in r.stops) + Counter(u.stop for u in solution.unassigned)
    for i in range(len(problem.stops)):
        if seen[i] != 1:
            found.append(f"stop {i} appears {seen[i]} times")
    used = Counter(r.vehicle_type for r in solution.routes)
    for k, n in used.items():
        if n > problem.vehicles[k].count:
            found.append(f"vehicle type {k} used {n} times, {problem.vehicles[k].count} available")
    for n, route in enumerate(solution.routes):
        found += [f"route {n}: {v}" for v in _route(problem, route)]
    return found


def _route(problem, route):
    v = problem.vehicles[route.vehicle_type]
    load = sum(problem.stops[i].demand for i in route.stops)
    if load > v.capacity:
        yield f"load {load} > capacity {v.capacity}"
    t, prev = v.shift_start, 0  # the earliest departure: any feasible schedule is at least as late
    for i in route.stops:
        stop = problem.stops[i]
        t += leg(problem, prev, i + 1)[1]
        if t > stop.late:
            yield f"stop {i} reached at {t}, window closes at {stop.late}"
        t = max(t, stop.early) + stop.service
        prev = i + 1
    t += leg(problem, prev, 0)[1]
    if t > v.shift_end:
        yield f"back at {t}, shift ends at {v.shift_end}"


def route_distance(problem, stops):
    path = [0, *(i + 1 for i in stops), 0]
    return sum(leg(problem, a, b)[0] for a, b in zip(path, path[1:], strict=False))

"""Big station-days: sectors around the depot sized to whole routes, solved independently, stitched,
then improved in rounds: by one whole-day search warm-started from the stitched plan where the day fits in
memory for one (`Limits.polish_whole_upto`), otherwise by re-solving groups of routes across sector borders.

The work is written once, as jobs and rounds (`sector_jobs`, `combine`, `next_round`, `apply_round`), and
run by two runners: `solve_decomposed` here (one process, or `processes` at a time) and the Celery chords
of `routes.tasks` (one task per job, a callback per round).

A 10,000-package day is ~8,000 stops: one solve would need two 8,000 x 8,000 int64 matrices (1 GB)
and most of a minute just for the library's first descent. Sectors of a few routes each keep every
matrix small and let the search spend its time improving.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from routes.solver.distances import EARTH_RADIUS_M, provider_from_spec
from routes.solver.portfolio import Job, Runner, rank, run_in_process, run_job, solve_single
from routes.solver.types import NO_LIMIT, Limits, Problem, Progress, Solution, Unassigned, VehicleType

__all__ = ["Job", "Limits", "Round", "Runner", "apply_round", "combine", "next_round", "run_in_process", "run_job",
           "sector_jobs", "solve_decomposed", "split", "stitch"]

VANS_PER_SECTOR = 3
FILL = 0.92  # of a van's capacity or shift a sector's estimate counts on (the rest is slack)
# Measured on synthetic 10,000-package days (7,586 and 7,559 stops), 90 s on two processes, km after the rounds:
# half the budget for groups of 4 routes at 3 s each: 3,048 and 3,021; three quarters for groups of 8 at 4 s: 2,916
# to 2,994 and 2,942; of 10 at 5 s: 2,977 and 2,910 (of 12 at 6 s and 16 at 8 s: 2,925 and 2,961 on the first).
# Groups of 4 stalled after a few rounds: their routes could only trade stops with their three nearest.
IMPROVE_SHARE = 0.75  # of the budget for re-solving groups of neighbouring routes (0.25 measured worse at 10k)
GROUP_SIZE = 10  # routes re-solved together
GROUP_SECONDS = 5.0  # at most, per group and round: rounds repeat (new groups) until the budget ends
POLISH_SHARE = 0.5  # of the budget for the whole-day search, on days small enough for one (0.7 measured worse)
DEFAULT_LIMITS = Limits()


@dataclass
class Sector:
    stops: list[int]  # indices into the parent problem's stops
    problem: Problem
    vans: float  # estimated vans needed
    types: list[int]  # the parent's vehicle type for each of the sector problem's types


def needs_decomposition(problem: Problem, limits: Limits = DEFAULT_LIMITS) -> bool:
    return len(problem.stops) > limits.decompose_above


def polishes_whole(problem: Problem, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Small enough for one whole-day search to fit in memory: after stitching, that search (warm-started
    from the stitched plan) replaces the border repairs."""
    return len(problem.stops) <= limits.polish_whole_upto


def improve_share(problem: Problem, limits: Limits = DEFAULT_LIMITS) -> float:
    return POLISH_SHARE if polishes_whole(problem, limits) else IMPROVE_SHARE


def subproblem(problem: Problem, stops: list[int], vehicles: list[VehicleType] | None = None) -> Problem:
    sub = replace(problem, stops=[problem.stops[i] for i in stops], vehicles=vehicles or problem.vehicles)
    if problem.distance is not None:
        index = np.array([0, *(i + 1 for i in stops)])
        sub.distance = problem.distance[np.ix_(index, index)]
        sub.duration = problem.duration[np.ix_(index, index)] if problem.duration is not None else sub.distance
    return sub


# -- splitting -------------------------------------------------------------------------------------


def _geo(problem: Problem) -> bool:
    return problem.distance is None


def _planar(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Stop offsets from the depot in metres (geographic) or instance units (benchmarks)."""
    xs = np.array([s.point.x for s in problem.stops]) - problem.depot.x
    ys = np.array([s.point.y for s in problem.stops]) - problem.depot.y
    if _geo(problem):
        metres_per_degree = math.pi * EARTH_RADIUS_M / 180
        xs = xs * metres_per_degree * math.cos(math.radians(problem.depot.y))
        ys = ys * metres_per_degree
    return xs, ys


def _seconds_per_unit(problem: Problem) -> float:
    """Travel seconds per planar unit: from the provider's speed and circuity, 1 for benchmarks."""
    if not _geo(problem):
        return 1.0
    spec = provider_from_spec(problem.provider).spec()
    return spec.get("circuity", 1.3) / (spec.get("speed_kmh", 25.0) / 3.6)


def _nearest_neighbour(xs: np.ndarray, ys: np.ndarray, block: int = 1024) -> np.ndarray:
    nn = np.empty(len(xs))
    for start in range(0, len(xs), block):
        rows = slice(start, start + block)
        d = np.hypot(xs[rows, None] - xs[None, :], ys[rows, None] - ys[None, :])
        d[np.arange(d.shape[0]), np.arange(start, start + d.shape[0])] = np.inf
        nn[rows] = d.min(axis=1) if len(xs) > 1 else 0.0
    return nn


def split(problem: Problem, *, vans_per_sector: int = VANS_PER_SECTOR) -> list[Sector]:
    """Sweep the stops by polar angle around the depot and cut whenever the running estimate of
    vans needed (capacity, or working time within the shift) reaches a whole number of vans."""
    xs, ys = _planar(problem)
    order = np.lexsort((np.hypot(xs, ys), np.arctan2(ys, xs)))
    order = np.roll(order, -int(np.argmax(np.diff(np.arctan2(ys, xs)[order], append=np.inf))) - 1)
    per_unit = _seconds_per_unit(problem)
    travel = 1.5 * _nearest_neighbour(xs, ys) * per_unit
    radial = np.hypot(xs, ys) * per_unit
    capacity = max(v.capacity for v in problem.vehicles)
    shift = max(min(v.shift_end, NO_LIMIT) - v.shift_start for v in problem.vehicles)
    cuts, start, demand, work, stem = [], 0, 0.0, 0.0, 0.0
    for k, i in enumerate(order):
        s = problem.stops[i]
        demand, work, stem = demand + s.demand, work + s.service + travel[i], stem + radial[i]
        usable = max(shift - 2 * stem / (k - start + 1), shift * 0.25)
        vans = max(demand / capacity, work / usable)
        if vans >= vans_per_sector * FILL:
            cuts.append((start, k + 1, vans))
            start, demand, work, stem = k + 1, 0.0, 0.0, 0.0
    if start < len(order):
        if cuts and vans < vans_per_sector * 0.5:  # a small tail joins the last sector
            first, _, previous = cuts.pop()
            cuts.append((first, len(order), previous + vans))
        else:
            cuts.append((start, len(order), vans))
    sectors = []
    for (a, b, vans), (fleet, types) in zip(cuts, _share_fleet(problem.vehicles, [c[2] for c in cuts]), strict=True):
        stops = [int(i) for i in order[a:b]]
        sectors.append(Sector(stops=stops, problem=subproblem(problem, stops, fleet), vans=vans, types=types))
    return sectors


def _share_fleet(vehicles: list[VehicleType], estimates: list[float]):
    """Each sector gets room for its estimate plus slack, within the fleet (largest types first); together the
    sectors never hold more vans of a type than the fleet has."""
    total = sum(v.count for v in vehicles)
    wanted = [math.ceil(e * 1.3) + 1 for e in estimates]
    if sum(wanted) > total:
        wanted = [max(1, math.floor(total * w / sum(wanted))) for w in wanted]
    fleets, free = [], [v.count for v in vehicles]
    for want in wanted:
        fleet, types, left = [], [], want
        for k in sorted(range(len(vehicles)), key=lambda k: -vehicles[k].capacity):
            take = min(free[k], left)
            if take:
                fleet.append(replace(vehicles[k], count=take))
                types.append(k)
                free[k] -= take
            left -= take
        fleets.append((fleet, types))
    return fleets


# -- the work, written once ------------------------------------------------------------------


def sector_jobs(problem: Problem, sectors: list[Sector], *, seconds: float, seed: int = 0, workers: int = 1,
                limits: Limits = DEFAULT_LIMITS) -> list[Job]:
    """One job per sector. The time-budget rule: the sectors get what the improvement rounds leave of
    `seconds`, and `workers` of them run at once, so each gets that part times workers / sectors."""
    part = seconds * (1 - improve_share(problem, limits))
    each = max(0.5, part * min(workers, len(sectors)) / len(sectors))
    return [(s.problem, each, seed + k) for k, s in enumerate(sectors)]


def combine(problem: Problem, sectors: list[list[int]], types: list[list[int]], solutions: list[Solution], *,
            seed: int = 0) -> Solution:
    """Sector plans -> one plan in the parent's stop indices; stops a sector had no room for get the vans
    no sector used."""
    routes, unassigned = [], []
    for stops, kinds, sol in zip(sectors, types, solutions, strict=True):
        for r in sol.routes:
            routes.append(replace(r, stops=[stops[i] for i in r.stops], vehicle_type=kinds[r.vehicle_type]))
        unassigned += [replace(u, stop=stops[u.stop]) for u in sol.unassigned]
    routes, unassigned = _place_leftovers(problem, routes, unassigned, seed)
    unassigned.sort(key=lambda u: u.stop)
    return solution_of(routes, unassigned, sectors=len(sectors), seconds=sum(s.seconds for s in solutions))


POLISH, BORDERS = "polish", "borders"


@dataclass
class Round:
    """One improvement round: jobs that may run at once, and how to read their answers back. `groups` are
    the plan's route indices each job re-solves, `metas` each job's (stops, vehicle types) in the parent's
    indices. JSON round-trippable without its jobs (what a Celery callback carries)."""

    kind: str  # POLISH (one whole-day search) or BORDERS (groups of routes)
    groups: list[list[int]]
    metas: list[list[list[int]]]
    jobs: list[Job] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "groups": self.groups, "metas": self.metas}

    @classmethod
    def from_dict(cls, data: dict) -> Round:
        return cls(kind=data["kind"], groups=data["groups"], metas=data["metas"])


def next_round(problem: Problem, plan: Solution, round_: int, left: float, *, seed: int = 0,
               workers: int | None = 1, limits: Limits = DEFAULT_LIMITS) -> Round | None:
    """Round `round_` (from 0) of improving `plan` given `left` seconds, or None when there is nothing to do or
    no time for it. A day that fits one search gets one round: that search, warm-started from the plan. A
    bigger day gets rounds of route groups re-solved warm (large-neighbourhood search over whole routes) until
    the time is up: round 0's groups straddle the sector borders, later rounds group each route with its
    nearest routes, from a different random start each round. `workers` groups are solved at once (None: all
    of them, as a chord on enough Celery workers); a group gets at most GROUP_SECONDS."""
    if left < 1.0:
        return None
    if polishes_whole(problem, limits):
        if round_ > 0 or not plan.routes:
            return None
        initial = [(r.vehicle_type, r.stops) for r in plan.routes]
        return Round(POLISH, [list(range(len(plan.routes)))], [], [(problem, left, seed, initial)])
    count = group_count(len(plan.routes), workers)
    if round_ == 0:
        groups = _border_groups(problem, plan.routes, count)
    else:
        groups = _neighbour_groups(problem, plan.routes, np.random.default_rng(seed + round_), count)
    if not groups:
        return None
    parallel = len(groups) if workers is None else min(workers, len(groups))
    each = max(0.5, min(GROUP_SECONDS, left / math.ceil(len(groups) / parallel)))  # whole waves of `parallel` jobs
    planned = [_group_job(problem, [plan.routes[k] for k in group], each, seed + 1000 * round_ + n)
               for n, group in enumerate(groups)]
    return Round(BORDERS, groups, [[stops, kinds] for stops, kinds, _ in planned], [job for *_, job in planned])


def group_count(routes: int, workers: int | None) -> int:
    """How many groups a round makes of `routes` routes: about GROUP_SIZE routes each, in whole waves of
    `workers` jobs (51 routes in groups of 10 on two workers are 6 groups of 8-9, not 5 with one worker idle
    for the third wave), and never a group of one route."""
    count = max(1, round(routes / GROUP_SIZE))
    if workers and workers > 1:
        count = workers * max(1, round(routes / (GROUP_SIZE * workers)))
    return max(1, min(count, routes // 2))


def _sizes(routes: int, count: int) -> list[int]:
    """`routes` shared out as evenly as can be among `count` groups."""
    return [routes // count + (k < routes % count) for k in range(count)]


def apply_round(plan: Solution, round_: Round, solutions: list[Solution]) -> Solution:
    """The plan after a round: the whole-day search's plan if it ranks better; each group's re-solve where
    it is shorter and serves all its stops. Sectors and seconds spent carry over."""
    spent = plan.seconds + max((s.seconds for s in solutions), default=0.0)
    if round_.kind == POLISH:
        best = min([plan, *solutions], key=rank)
        return replace(best, sectors=plan.sectors, seconds=round(spent, 3))
    routes = list(plan.routes)
    for group, (stops, kinds), sol in zip(round_.groups, round_.metas, solutions, strict=True):
        if sol.unassigned or sol.distance >= sum(routes[k].distance for k in group):
            continue
        for slot, k in enumerate(group):
            r = sol.routes[slot] if slot < len(sol.routes) else None
            routes[k] = r and replace(r, stops=[stops[i] for i in r.stops], vehicle_type=kinds[r.vehicle_type])
    routes = [r for r in routes if r is not None]
    return solution_of(routes, plan.unassigned, sectors=plan.sectors, seconds=round(spent, 3))


# -- the in-process runner -------------------------------------------------------------------------


def reporting_runner(progress: Progress, deadline: float) -> Runner:
    """Solve sector jobs one after another in this process, telling `progress` which sector is being solved,
    how many are done, the best distance so far (done sectors plus the current search's best) and the time left."""

    def run(jobs: list[Job]) -> list[Solution]:
        out: list[Solution] = []
        for k, job in enumerate(jobs):
            done_m = sum(s.distance for s in out)
            progress("solving", sector=k + 1, sectors=len(jobs), sectors_done=k, best_m=done_m or None,
                     left_s=round(max(0.0, deadline - time.monotonic()), 1))

            def inner(phase=None, best_m=None, left_s=None, _done=done_m, **info):
                progress(phase, best_m=None if best_m is None else _done + best_m,
                         left_s=round(max(0.0, deadline - time.monotonic()), 1), **info)

            out.append(run_job(job, progress=inner))
        progress(sectors_done=len(jobs), best_m=sum(s.distance for s in out))
        return out

    return run


def solve_decomposed(
    problem: Problem, *, seconds: float, seed: int = 0, workers: int = 1, runner: Runner | None = None,
    vans_per_sector: int = VANS_PER_SECTOR, progress: Progress | None = None, limits: Limits = DEFAULT_LIMITS,
) -> Solution:
    """Split, solve the sectors (`workers` at a time share the wall clock), stitch and improve."""
    started = time.monotonic()
    deadline = started + seconds
    sectors = split(problem, vans_per_sector=vans_per_sector)
    jobs = sector_jobs(problem, sectors, seconds=seconds - (time.monotonic() - started), seed=seed,
                       workers=workers, limits=limits)
    if progress is not None and runner is None:
        solutions = reporting_runner(progress, deadline)(jobs)
    else:
        if progress is not None:
            progress("solving", sectors=len(jobs), sectors_done=0)
        solutions = (runner or run_in_process)(jobs)
    return stitch(problem, [s.stops for s in sectors], [s.types for s in sectors], solutions, deadline=deadline,
                  seed=seed, runner=runner, workers=workers, progress=progress, limits=limits)


def stitch(problem: Problem, sectors: list[list[int]], types: list[list[int]], solutions: list[Solution], *,
           deadline: float, seed: int = 0, runner: Runner | None = None, workers: int = 1,
           progress: Progress | None = None, limits: Limits = DEFAULT_LIMITS) -> Solution:
    """`combine` the sector plans, then improve them round after round until `deadline` (time.monotonic()):
    route groups run `workers` at a time on `runner`, the whole-day search in this process."""
    started = time.monotonic()
    if progress is not None:
        progress("repairing", sectors_done=len(sectors), sectors=len(sectors),
                 best_m=sum(s.distance for s in solutions), left_s=round(max(0.0, deadline - started), 1))
    plan = combine(problem, sectors, types, solutions, seed=seed)
    round_ = 0
    while (step := next_round(problem, plan, round_, deadline - time.monotonic(), seed=seed, workers=workers,
                              limits=limits)) is not None:
        if step.kind == POLISH:
            if progress is not None:
                progress(best_m=plan.distance, left_s=round(deadline - time.monotonic(), 1))
            # one process: searches on more would each hold the whole day's matrices (a 5,000-package day
            # measured 2.3 GB and twice its budget on a loaded machine with two)
            answers = [run_job(step.jobs[0], progress=progress)]
        else:
            answers = (runner or run_in_process)(step.jobs)
        plan = apply_round(plan, step, answers)
        round_ += 1
    plan.seconds = round(sum(s.seconds for s in solutions) + time.monotonic() - started, 3)
    plan.sectors = len(sectors)
    return plan


# -- helpers ---------------------------------------------------------------------------------------


def solution_of(routes, unassigned, *, sectors: int, seconds: float = 0.0) -> Solution:
    return Solution(routes=routes, unassigned=unassigned, distance=sum(r.distance for r in routes),
                    duration=sum(r.duration for r in routes), seconds=seconds, feasible=not unassigned,
                    sectors=sectors)


def _spare_fleet(problem: Problem, routes) -> tuple[list[VehicleType], list[int]]:
    """The vans no route uses yet, as vehicle types, with each one's parent type index."""
    used = [0] * len(problem.vehicles)
    for r in routes:
        used[r.vehicle_type] += 1
    kinds = [k for k, v in enumerate(problem.vehicles) if v.count > used[k]]
    return [replace(problem.vehicles[k], count=problem.vehicles[k].count - used[k]) for k in kinds], kinds


def _place_leftovers(problem: Problem, routes, unassigned: list[Unassigned], seed: int):
    """Stops a sector had no room for get the vans no sector used, in one small extra solve."""
    waiting = [u.stop for u in unassigned if u.reason == "no_room"]
    spare, kinds = _spare_fleet(problem, routes)
    if not waiting or not spare:
        return routes, unassigned
    sol = solve_single(subproblem(problem, waiting, spare), seconds=max(1.0, 0.002 * len(waiting)), seed=seed)
    routes = routes + [replace(r, stops=[waiting[i] for i in r.stops], vehicle_type=kinds[r.vehicle_type])
                       for r in sol.routes]
    still = {waiting[u.stop] for u in sol.unassigned}
    return routes, [u for u in unassigned if u.reason != "no_room" or u.stop in still]


def _group_job(problem: Problem, routes, seconds: float, seed: int):
    """A group of routes as a subproblem with exactly the group's vans, and the job solving it warm."""
    stops = [i for r in routes for i in r.stops]
    local = {i: j for j, i in enumerate(stops)}
    kinds = sorted({r.vehicle_type for r in routes})
    fleet = [replace(problem.vehicles[k], count=sum(1 for r in routes if r.vehicle_type == k)) for k in kinds]
    initial = [(kinds.index(r.vehicle_type), [local[i] for i in r.stops]) for r in routes]
    return stops, kinds, (subproblem(problem, stops, fleet), seconds, seed, initial)


def _neighbour_groups(problem: Problem, routes, rng, count: int) -> list[list[int]]:
    """`count` groups of (near) equal size: routes in a random order; each route not yet taken forms a group
    with the routes not yet taken whose centroids are nearest its own. Every route is in one group."""
    if len(routes) < 2:
        return []
    xs, ys = _planar(problem)
    centres = np.array([[xs[r.stops].mean(), ys[r.stops].mean()] for r in routes])
    free = np.ones(len(routes), dtype=bool)
    sizes = iter(_sizes(len(routes), count))
    groups = []
    for k in rng.permutation(len(routes)):
        if not free[k]:
            continue
        free[k] = False
        candidates = np.flatnonzero(free)
        near = candidates[np.argsort(np.hypot(*(centres[candidates] - centres[k]).T))[:next(sizes) - 1]]
        free[near] = False
        groups.append([int(k), *(int(j) for j in near)])
    return [g for g in groups if len(g) > 1]


def _border_groups(problem: Problem, routes, count: int) -> list[list[int]]:
    """Routes ordered by the polar angle of their centroid, from half a group on (each group straddles what
    used to be a sector border), cut into `count` runs of (near) equal size."""
    if len(routes) < 2:
        return []
    xs, ys = _planar(problem)
    angles = [float(np.arctan2(ys[r.stops].mean(), xs[r.stops].mean())) for r in routes]
    order = [int(k) for k in np.argsort(angles)]
    sizes = _sizes(len(order), count)
    offset = sizes[0] // 2
    order = order[offset:] + order[:offset]
    cuts = np.cumsum([0, *sizes])
    return [order[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b - a > 1]


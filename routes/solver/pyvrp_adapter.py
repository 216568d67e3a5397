"""The one adapter: solves a `Problem` with PyVRP 0.14 (MIT, iterated local search, hard time limit).

Swapping the library means writing another module with the same `solve` signature.

Measured on ../shared/bench (bench/bench_solver.py, ours and plain PyVRP back to back, same seconds):

- Initial penalties: PyVRP 0.14's own (the midpoint of its penalty range). Penalties "on the instance's
  scale" (HGS-style: longest edge over largest demand per unit of excess load, 1 per unit of lateness), which
  an earlier PyVRP needed, made 0.14 worse: over 11 instances at 10 s (X 100-600, Solomon; a loaded machine)
  mean gap 3.0 % against 1.6 %, with 10 % on X-n153-k22 and 5 % on R101 where the search stayed infeasible.
- A late-acceptance history of 100 candidates instead of 300 (short budgets need a greedier acceptance).
- Cold searches look at each client's 30 nearest clients, not 50: cheaper moves, more iterations in a short
  budget (X 100-600 at 10 s, mean of two seeds: 0.70 % against 0.84 %; see `params_for`).
- By kind: where few clients have windows (CVRP, station days), no whole-plan search after each new best (X 100-600
  at 10 s: 0.65 % against 0.71 %); windowed instances keep it (see `params_for`).
- A start built with the windows in mind where most clients have one (`_time_oriented_start`, Solomon's
  time-oriented nearest neighbour): C1_4_1 (400 clients, 40 vans, 10 s) went from no plan serving every client to
  0.00-0.15 % over the best-known; the other Solomon instances unchanged (0.02 % mean over 12 runs, seeds 0-1).
- The stops in Hilbert-curve order (`_by_locality`): near stops get near indices in the matrices, so a move's
  reads hit the processor's caches on big days (5,000-package days 2.5 % shorter at 60 s; X neutral).
- One pair of matrices during a search: ours, re-ordered, are handed over and freed before the library copies them,
  and its routes are checked on its own matrices (`_library_matrices`, `_routes`): a whole-day search of 7,900
  stops peaks at 2.0 GB against 3.5 GB, of 3,950 stops at 551 MB against 917 MB (same plans).
- Cooperation (`board`): searches in other processes on the same problem exchange their best plans every
  tenth of the budget (see portfolio.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import pyvrp
from pyvrp.IteratedLocalSearch import IteratedLocalSearch, IteratedLocalSearchParams
from pyvrp.PenaltyManager import PenaltyManager, PenaltyParams
from pyvrp.search import (
    OPERATORS,
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    PerturbationParams,
    compute_neighbours,
)
from pyvrp.stop import MaxRuntime

from routes.solver.checks import evaluate, precheck, repair
from routes.solver.distances import UNREACHABLE
from routes.solver.types import NO_LIMIT, Problem, Progress, Solution, Unassigned

_MAX = pyvrp.constants.MAX_VALUE
REPORT_EVERY = 0.5  # seconds between progress reports from inside a search
TRIAL_PATIENCE = 0.25  # of an epoch, for a one-route-fewer trial to find a feasible plan (see _FewerRoutes)


@dataclass(frozen=True)
class SearchParams:
    """How one search runs (see `params_for`)."""

    history_length: int = 100  # late acceptance: candidates remembered
    epoch_share: float = 0.1  # of the budget between two restarts from the best plan (and exchanges)
    epoch_min: float = 0.5  # seconds
    neighbours: int = 30  # granular neighbourhood: the nearest clients a move looks at (see params_for)
    perturb_min: int = 1
    perturb_max: int = 25
    iters_no_improvement: int = 150_000
    fewer_routes_tries: int = 2  # epochs spent trying the best plan with one route fewer, per route count (0: never)
    extra_operators: tuple[str, ...] = field(default=())  # pyvrp.search operators beyond OPERATORS
    drop_operators: tuple[str, ...] = field(default=())
    exhaustive_on_best: bool = True  # a whole local search of each new best plan (PyVRP's default; see params_for)


# A search warm-started from a plan (a big day's route groups, a 5,000-package day's polish) runs like PyVRP's own:
# its 50 nearest clients, a history of 300 and one epoch, no restart from the best (see params_for).
WARM = SearchParams(neighbours=50, history_length=300, epoch_share=1.0)


def params_for(data: pyvrp.ProblemData, *, warm: bool = False) -> SearchParams:
    """The parameters for a search of this problem, cold or warm-started from a plan.

    Measured with bench/bench_solver.py, one process, against the same runs with every other parameter as
    here (mean gap to the best-known, seed 0 unless said; the machine's load average 1.7-2.0):

    - neighbours: 30 rather than PyVRP's 50 for a cold search: X 100-600 (29 instances, 10 s) 0.70 % against
      0.84 % over seeds 0 and 1 (17 instances better, 11 worse on seed 0); X 601-1000 (9, 60 s) 0.90 % against
      0.95 %; Solomon and Gehring-Homberger (8, 10 s / 60 s) 0.31 % against 0.33 %, R1_10_1 2.10 % against 2.45 %.
      20 measured 0.79 % on X 100-600. A cheaper move evaluation buys more iterations in a short budget. Warm
      searches (a 10,000-package day's route groups) keep 50: with 30 two synthetic days came out at 3,058 and
      2,983 km against 2,990 and 2,994 (90 s, two processes). On whole synthetic station-days (two processes,
      cold sectors and whole-day searches at 30, warm groups and polish at 50) it is neutral: 1,000 packages 60 s,
      749.6 and 725.3 km against 758.0 and 722.7; 5,000 packages 60 s, four runs, 1,965 km mean against 1,958;
      10,000 packages 90 s, 2,995 and 3,016 against 2,990 and 2,994.
    - exhaustive_on_best only where most clients have a window of their own (`_windowed`): PyVRP searches the whole
      plan again after each new best, which on a big plan costs hundreds of ordinary steps. Without it, X 100-600
      (29 instances, 10 s, seeds 0 and 1) 0.65 % against 0.71 % (35 runs better, 17 worse; before the Hilbert order
      0.67 against 0.72); synthetic 10,000-package days (90 s) 2,914 and 2,964 km against 2,958 and 2,966,
      2,500-package days (30 s) 1,231 and 1,262 against 1,226 and 1,287. On the windowed Solomon and
      Gehring-Homberger instances it hurt (8 instances, seed 0: 0.39 % against 0.33 %, R1_10_1 2.12 against 1.87),
      so they keep it.
    - history_length 100: 50 and 200 both measured 0.88 % on X 100-600 against 0.79 %.
    - epoch_share 0.1: 0.2 measured 0.83 %.
    - perturb_max 25: 15 and 40 measured 0.95 % and 0.92 %.

    By size, on seed 0: epoch_share 0.2 helped X 100-300 (0.07 points) and hurt X 301-600 (0.19); neighbours 30
    helped both (0.07 and 0.02). One seed is too little to set a parameter by size; none is.

    Warm searches (`WARM`): a 10,000-package day's route groups re-solve about 1,500 stops for 5 s from a good
    plan; restarting from the best every half second and a short history made them greedy. With a history of 300
    and one epoch, four synthetic 10,000-package days (90 s, two processes) came out at 2,983, 2,984, 2,987 and
    2,965 km against 3,015, 2,990, 2,996 and 3,044 (mean 2,980 against 3,011); histories of 200 and 500 measured
    within noise of 300 (2,975 / 2,974 and 2,988 / 2,946 on days 1 and 4); one epoch with the history of 100 alone
    did not help (60 s of groups from one plan: 2,959 km against 2,958-2,964). On 5,000-package days (the polish,
    60 s) neutral: 1,987 and 1,998 km against 1,976 and 2,002.
    """
    if warm:
        return WARM
    return SearchParams(exhaustive_on_best=_windowed(data))


def solve(problem: Problem, *, seconds: float, seed: int = 0, initial: list | None = None,
          progress: Progress | None = None, board: Board | None = None) -> Solution:
    """Best plan found within `seconds`. `initial` (routes as stop indices, or `(vehicle_type, stops)`)
    warm-starts the search. `progress(best_m=..., left_s=...)` hears the best plan's cost as it improves.
    With a `board` (searches in other processes on the same problem), the search works in epochs and after
    each one posts its best plan there or continues from a better one posted by another search."""
    started = time.monotonic()
    distance, duration = problem.matrices()
    kept, unassigned = precheck(problem, distance, duration)
    kept = _by_locality(problem, kept)
    routes = []
    if kept:
        # Ours go before the library copies its own, and the library's serve from then on (see _routes): on a big
        # day each matrix is hundreds of MB, and the search holds one pair of them, not two or three.
        distance, duration = _library_matrices(distance, duration, kept)
        data = _data(problem, distance, duration, kept)
        del distance, duration
        position = {stop: k for k, stop in enumerate(kept)}
        init = _initial_solution(data, problem, initial, position)
        remaining = max(0.05, seconds - (time.monotonic() - started))
        best = _search(data, seconds=remaining, seed=seed, initial=init, progress=progress, board=board)
        routes, dropped = _routes(problem, data, best, kept)
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


class _Reporting:
    """A stopping criterion: the time limit, telling `progress` the best cost at most every REPORT_EVERY s."""

    def __init__(self, seconds: float, progress: Progress):
        self.limit, self.progress = MaxRuntime(seconds), progress
        self.seconds, self.started, self.said = seconds, time.monotonic(), -REPORT_EVERY

    def __call__(self, best_cost) -> bool:
        stop = self.limit(best_cost)
        now = time.monotonic() - self.started
        if now - self.said >= REPORT_EVERY:
            self.said = now
            self.progress(best_m=int(best_cost) if best_cost < _MAX else None,
                          left_s=round(max(0.0, self.seconds - now), 1))
        return stop


class Board(Protocol):
    """Where cooperating searches meet: `exchange(routes, cost)` posts a plan (routes as `(vehicle_type,
    [client indices])`, cost as the search's own evaluator gives it) and returns a better posted one, or None."""

    def exchange(self, routes: list[tuple[int, list[int]]], cost: int) -> list[tuple[int, list[int]]] | None: ...


class _Alone:
    """No other search: each epoch starts again from this search's own best plan."""

    def exchange(self, routes, cost):
        return None


def _search(data: pyvrp.ProblemData, *, seconds: float, seed: int, initial,
            progress: Progress | None = None, board: Board | None = None,
            params: SearchParams | None = None) -> pyvrp.Solution:
    """`pyvrp.solve`'s iterated local search with a shorter acceptance history, in epochs of EPOCH_SHARE of the
    budget, each starting from the best plan so far: this search's own, or a better one another search posted
    on the `board`. (Restarting from the best each epoch measured better than one long run: over 9 X instances
    at 10 s, mean gap 1.50 % against 1.68 %; plain PyVRP 2.21 %, on a loaded machine.)"""
    started = time.monotonic()
    warm = initial is not None
    sp = params or params_for(data, warm=warm)
    rng = pyvrp.RandomNumberGenerator(seed=seed)
    ls = _local_search(data, rng, sp)
    params = PenaltyParams()
    pm = PenaltyManager(params.midpoint_penalties(data), params)
    if initial is None:
        start = _time_oriented_start(data) if _windowed(data) else None
        start = start or pyvrp.Solution.make_random(data, rng)
        initial = ls(start, pm.max_cost_evaluator(), exhaustive=True)
    ils_params = IteratedLocalSearchParams(num_iters_no_improvement=sp.iters_no_improvement,
                                           history_length=sp.history_length,
                                           exhaustive_on_best=sp.exhaustive_on_best)
    board = board or _Alone()
    report = None if progress is None else _Reporting(seconds, progress)
    # A warm start (a big day's route group, a polish) already has its routes; trials there measured longer days.
    tries = 0 if warm else sp.fewer_routes_tries
    fewer = _FewerRoutes(data, lambda capped: _local_search(capped, rng, sp), tries)
    best, current, tried = None, initial, True
    while (left := seconds - (time.monotonic() - started)) > 0 or best is None:
        limit = MaxRuntime(min(max(left, 0.01), max(sp.epoch_min, seconds * sp.epoch_share)))
        stop = limit if report is None else (lambda cost, limit=limit: report(cost) | limit(cost))
        trial = None if tried or best is None else fewer.trial(best, pm)  # every other epoch at most
        if trial is None:
            found = IteratedLocalSearch(data, pm, ls, current, ils_params).run(stop, collect_stats=False).best
        else:  # a trial still without a feasible plan after a quarter of its epoch gives up
            capped, capped_ls, start = trial
            give_up = time.monotonic() + TRIAL_PATIENCE * max(sp.epoch_min, seconds * sp.epoch_share)
            found = IteratedLocalSearch(capped, pm, capped_ls, start, ils_params).run(
                lambda cost, stop=stop, give_up=give_up: stop(cost) or (cost >= _MAX and time.monotonic() > give_up),
                collect_stats=False).best
            found = fewer.back(found)
            fewer.record(best, improved=_rank(found, pm) < _rank(best, pm))
        tried = trial is not None
        best = found if best is None or _rank(found, pm) < _rank(best, pm) else best
        mine = [(int(r.vehicle_type()), [int(a.idx) for a in r if a.is_client()]) for r in best.routes()]
        posted = board.exchange(mine, _rank(best, pm)[1] if best.is_feasible() else _MAX)
        current = best if posted is None else pyvrp.Solution(data, [pyvrp.Route(data, v, k) for k, v in posted])
        if posted is not None and _rank(current, pm) < _rank(best, pm):
            best = current
    return best


WINDOWED = 0.5  # of the clients with a window of their own: the search starts from a time-oriented construction


def _windowed(data: pyvrp.ProblemData) -> bool:
    clients = data.clients()
    day_end = max(v.tw_late for v in data.vehicle_types())
    own = sum(1 for c in clients if c.tw_early > 0 or c.tw_late < day_end)
    return bool(clients) and own >= WINDOWED * len(clients)


def _time_oriented_start(data: pyvrp.ProblemData) -> pyvrp.Solution | None:
    """Solomon's time-oriented nearest-neighbour construction (1987): each van, biggest first, leaves the depot
    and goes on to the client that is close in distance, in time and in urgency among those it can still reach in
    their window with room for the load and time to get back, until none is left; clients no van reached are
    left to the local search to insert. On tightly windowed instances a random start leaves the search without
    a plan serving every client (C1_4_1: 400 clients, 40 vans, none found in 10 s)."""
    if data.num_depots != 1:
        return None
    dist = np.asarray(data.distance_matrix(0), dtype=float)
    dur = np.asarray(data.duration_matrix(0), dtype=float)
    clients = data.clients()
    early = np.array([c.tw_early for c in clients], dtype=float)
    late = np.array([c.tw_late for c in clients], dtype=float)
    service = np.array([c.service_duration for c in clients], dtype=float)
    demand = np.array([sum(c.delivery) for c in clients], dtype=float)
    free = np.ones(len(clients), dtype=bool)
    types = data.vehicle_types()
    routes = []
    for kind in sorted(range(len(types)), key=lambda k: -sum(types[k].capacity)):
        vt = types[kind]
        for _ in range(vt.num_available):
            if not free.any():
                break
            here, clock, load, visits = 0, float(vt.tw_early), 0.0, []
            while True:
                cand = np.flatnonzero(free)
                arrive = clock + dur[here, cand + 1]
                begin = np.maximum(arrive, early[cand])
                fits = ((arrive <= late[cand]) & (load + demand[cand] <= sum(vt.capacity))
                        & (begin + service[cand] + dur[cand + 1, 0] <= vt.tw_late))
                if not fits.any():
                    break
                cand, begin = cand[fits], begin[fits]
                score = (0.4 * dist[here, cand + 1] + 0.4 * (begin - clock)
                         + 0.2 * (late[cand] - (clock + dur[here, cand + 1])))
                j = int(np.argmin(score))
                nxt = int(cand[j])
                visits.append(nxt)
                free[nxt] = False
                here, clock, load = nxt + 1, float(begin[j] + service[nxt]), load + demand[nxt]
            if visits:
                routes.append(pyvrp.Route(data, visits, kind))
    return pyvrp.Solution(data, routes) if routes else None


def _local_search(data: pyvrp.ProblemData, rng: pyvrp.RandomNumberGenerator, sp: SearchParams) -> LocalSearch:
    neighbours = compute_neighbours(data, NeighbourhoodParams(num_neighbours=sp.neighbours))
    ls = LocalSearch(data, rng, neighbours, PerturbationManager(PerturbationParams(sp.perturb_min, sp.perturb_max)))
    for op in [*OPERATORS, *(getattr(pyvrp.search, name) for name in sp.extra_operators)]:
        if op.__name__ not in sp.drop_operators and op.supports(data):
            ls.add_operator(op(data))
    return ls


class _FewerRoutes:
    """Epochs that try the best plan with one route fewer. The distance-shortest plan usually runs about as
    few routes as the loads allow (of the 38 X instances' best-known plans, 32 use the fewest that fit the demand),
    but a search that has settled on one route more rarely finds its way down: closing a route means first
    overloading the others. A trial caps the fleet at the routes the best plan uses, less the lightest route's
    van, starts from the best plan without that route (the local search puts its stops back in, penalised for
    any overload) and searches one epoch, or a quarter of one if it finds no feasible plan by then. Its plan is
    kept only if it ranks better; `tries` failed trials at one route count end the trials there. Warm-started
    searches (a big day's route groups) make no trials: on 10,000-package days they measured 2,954 km against
    3,012 with them (mean of two days, 90 s)."""

    def __init__(self, data: pyvrp.ProblemData, make_ls, tries: int):
        self.data, self.make_ls, self.tries = data, make_ls, tries
        self.failed: dict[int, int] = {}
        self.searches: dict[tuple, LocalSearch] = {}
        self.kinds: list[int] = []
        self.demand = sum(sum(c.delivery) for c in data.clients())  # optional stops too: each is worth serving

    def trial(self, best: pyvrp.Solution, pm: PenaltyManager):
        """(capped data, its local search, the start), or None when no trial is due."""
        routes = best.routes()
        if not best.is_feasible() or len(routes) < 2 or self.failed.get(len(routes), 0) >= self.tries:
            return None
        used = [0] * self.data.num_vehicle_types
        for r in routes:
            used[r.vehicle_type()] += 1
        lightest = min(routes, key=lambda r: (sum(r.delivery()), r.num_clients()))
        used[lightest.vehicle_type()] -= 1
        types = self.data.vehicle_types()
        if sum(used[k] * sum(types[k].capacity) for k in range(len(types))) < self.demand:
            self.failed[len(routes)] = self.tries  # the loads cannot fit: no trial at this count
            return None
        self.kinds = [k for k in range(len(types)) if used[k]]
        key = tuple(used)
        capped = self.data.replace(vehicle_types=[types[k].replace(num_available=used[k]) for k in self.kinds])
        if key not in self.searches:
            self.searches = {key: self.make_ls(capped)}  # one at a time: a trial at a new count replaces it
        slot = {k: j for j, k in enumerate(self.kinds)}
        kept = [pyvrp.Route(capped, [int(a.idx) for a in r if a.is_client()], slot[r.vehicle_type()])
                for r in routes if r is not lightest]
        ls = self.searches[key]
        start = ls(pyvrp.Solution(capped, kept), pm.cost_evaluator(), exhaustive=True)
        return capped, ls, start

    def back(self, found: pyvrp.Solution) -> pyvrp.Solution:
        """A trial's plan on the whole fleet."""
        return pyvrp.Solution(self.data, [pyvrp.Route(self.data, [int(a.idx) for a in r if a.is_client()],
                                                      self.kinds[r.vehicle_type()]) for r in found.routes()])

    def record(self, best: pyvrp.Solution, *, improved: bool) -> None:
        if not improved:
            count = best.num_routes()
            self.failed[count] = self.failed.get(count, 0) + 1


def _hilbert_keys(xs: np.ndarray, ys: np.ndarray, order: int = 16) -> np.ndarray:
    """Each point's position along a Hilbert curve over the points' bounding box (a 2^order grid): points close
    along the curve are close on the map, and consecutive cells of the curve are next to each other."""
    side = 2**order - 1
    x = np.rint((xs - xs.min()) / (np.ptp(xs) or 1.0) * side).astype(np.int64)
    y = np.rint((ys - ys.min()) / (np.ptp(ys) or 1.0) * side).astype(np.int64)
    key = np.zeros_like(x)
    s = 2 ** (order - 1)
    while s > 0:
        rx, ry = (x & s) > 0, (y & s) > 0
        key += s * s * ((3 * rx) ^ ry)
        flip = ~ry & rx
        x, y = np.where(flip, s - 1 - x, x), np.where(flip, s - 1 - y, y)
        x, y = np.where(~ry, y, x), np.where(~ry, x, y)
        s //= 2
    return key


def _by_locality(problem: Problem, kept: list[int]) -> list[int]:
    """The stops in Hilbert-curve order, so that stops near each other get near indices in the library's matrices.
    A client's moves read the rows and columns of its nearest clients; in a manifest's order (random on the map)
    each read of a day's 4,000 x 4,000 or bigger matrix misses the processor's caches. One whole-day local search
    step measured 30 % faster (8,058 stops); synthetic 5,000-package days (60 s, two processes) came out at 1,942
    and 1,943 km against 1,987 and 1,998, 2,500-package days (30 s) at 1,226 and 1,287 against 1,248 and 1,307,
    10,000-package days (90 s) at 2,958 and 2,966 against 2,983 and 2,965. X 100-600 at 10 s (small matrices)
    neutral: 0.78 % against 0.76 % (seed 0, 13 instances better, 15 worse)."""
    if len(kept) < 2:
        return kept
    xs = np.array([problem.stops[i].point.x for i in kept], dtype=float)
    ys = np.array([problem.stops[i].point.y for i in kept], dtype=float)
    return [kept[k] for k in np.argsort(_hilbert_keys(xs, ys), kind="stable")]


def _rank(solution: pyvrp.Solution, pm: PenaltyManager) -> tuple[bool, int]:
    return not solution.is_feasible(), int(pm.cost_evaluator().cost(solution)) if solution.is_feasible() else 0


def _problem_data(problem: Problem, distance, duration, kept: list[int]) -> pyvrp.ProblemData:
    """The library's problem: the depot and the `kept` stops, in that order."""
    return _data(problem, *_library_matrices(distance, duration, kept), kept)


def _library_matrices(distance, duration, kept: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """New matrices of the depot and the `kept` stops in that order, capped at the library's largest value."""
    index = np.array([0, *(i + 1 for i in kept)])
    dist, dur = distance[np.ix_(index, index)], duration[np.ix_(index, index)]
    np.minimum(dist, _MAX, out=dist)
    np.minimum(dur, _MAX, out=dur)
    return dist, dur


def _data(problem: Problem, dist: np.ndarray, dur: np.ndarray, kept: list[int]) -> pyvrp.ProblemData:
    """The library's problem from matrices already in library order (`_library_matrices`)."""
    index = [0, *(i + 1 for i in kept)]
    # An optional stop carries a prize far above what serving it can cost, so the solver leaves
    # one out only when no vehicle has room for it.
    longest = int(dist.max(where=dist < UNREACHABLE, initial=1))  # a mask, not a copy of the matrix
    prize = int(min(_MAX // 4, 4 * longest + 1000))
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
    """The warm start as a PyVRP solution. A route is its stop indices, or `(vehicle_type, stops)`; a route
    without a type (or whose type has no van left) gets the smallest van left that holds its load, routes
    with the biggest loads first. Stops left out are the search's to place."""
    if not initial:
        return None
    left = [v.count for v in problem.vehicles]
    wanted = []
    for item in initial:
        kind, stops = item if isinstance(item, tuple) else (None, item)
        stops = [i for i in stops if i in position]
        if stops:
            wanted.append((kind, stops, sum(problem.stops[i].demand for i in stops)))
    routes = []
    for kind, stops, load in sorted(wanted, key=lambda w: (w[0] is None, -w[2])):
        if kind is None or not left[kind]:
            free = [k for k in range(len(left)) if left[k]]
            if not free:
                break
            fits = [k for k in free if problem.vehicles[k].capacity >= load]
            kind = min(fits, key=lambda k: problem.vehicles[k].capacity) if fits else \
                max(free, key=lambda k: problem.vehicles[k].capacity)
        left[kind] -= 1
        routes.append(pyvrp.Route(data, [position[i] for i in stops], kind))
    return pyvrp.Solution(data, routes)


def _routes(problem: Problem, data: pyvrp.ProblemData, best, kept: list[int]):
    """The library's routes in stop indices, each checked (and repaired) by our own evaluator. The evaluator reads
    the library's own matrices (read-only views, no copy; the library's client k is stop kept[k]), so a big day
    holds one pair of matrices while it is searched, not two: 4,000 stops' pair is 256 MB."""
    ordered = replace(problem, stops=[problem.stops[i] for i in kept], distance=None, duration=None)
    distance, duration = data.distance_matrix(0), data.duration_matrix(0)
    routes, dropped, served = [], [], set()
    for r in best.routes():
        stops = [int(a.idx) for a in r if a.is_client()]
        served.update(stops)
        route, violations = evaluate(ordered, distance, duration, int(r.vehicle_type()), stops, int(r.start_time()))
        if violations:
            route, lost = repair(ordered, distance, duration, route)
            dropped += [kept[k] for k in lost]
        if route.stops:
            route.stops = [kept[k] for k in route.stops]
            routes.append(route)
    dropped += [stop for k, stop in enumerate(kept) if k not in served]
    return routes, dropped

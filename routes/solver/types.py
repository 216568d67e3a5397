"""The solver's vocabulary: plain dataclasses, no Django, JSON round-trippable.

Units are integers throughout: metres, seconds, packages. Times (windows, shifts) are seconds on one
clock chosen by the caller (for stations: seconds since local midnight of the service date).
Index 0 of any matrix is the depot; stop ``i`` of ``Problem.stops`` is matrix index ``i + 1``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from routes.solver.distances import provider_from_spec

NO_LIMIT = 2**40  # "no window / no shift end": large, yet far from int64 overflow when summed

# Progress reports from a solve: `progress(phase=None, **info)` with info among `sector` (1-based, being
# solved), `sectors`, `sectors_done`, `best_m` (the best plan's distance so far) and `left_s` (seconds left).
# Phases: "solving" (sector k of n, or the whole day), "repairing" (stitching, border repairs, whole-day polish).
Progress = Callable[..., None]


@dataclass(frozen=True)
class Limits:
    """Where the engine changes strategy by the size of the day (a Django project passes its settings:
    ROUTES_DECOMPOSE_ABOVE, ROUTES_POLISH_WHOLE_UPTO)."""

    decompose_above: int = 3000  # more stops than this: solved in sectors (see decompose.py)
    polish_whole_upto: int = 5000  # up to this many stops one whole-day search follows the sectors

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Point:
    """For geographic problems ``x`` is the longitude and ``y`` the latitude (WGS84 degrees)."""

    x: float
    y: float


@dataclass
class Stop:
    point: Point
    demand: int = 1
    service: int = 0
    early: int = 0
    late: int = NO_LIMIT
    key: str = ""  # the caller's id for the stop (an address key, a customer number)

    @property
    def has_window(self) -> bool:
        return self.early > 0 or self.late < NO_LIMIT


@dataclass
class VehicleType:
    count: int
    capacity: int
    shift_start: int = 0
    shift_end: int = NO_LIMIT  # latest return to the depot
    key: str = ""


@dataclass
class Problem:
    depot: Point
    stops: list[Stop]
    vehicles: list[VehicleType]
    # Explicit integer matrices (depot + stops, square) or, when absent, the provider's spec
    # (see distances.provider_from_spec); matrices are never serialised.
    distance: np.ndarray | None = None
    duration: np.ndarray | None = None
    provider: dict = field(default_factory=lambda: {"kind": "haversine"})
    # False: every stop is required (benchmarks); True: the solver may leave stops out when the
    # fleet cannot take them, and reports each with a reason.
    allow_unassigned: bool = True
    name: str = ""

    @property
    def points(self) -> list[Point]:
        return [self.depot, *(s.point for s in self.stops)]

    def matrices(self) -> tuple[np.ndarray, np.ndarray]:
        if self.distance is not None:
            duration = self.duration if self.duration is not None else self.distance
            return np.asarray(self.distance, dtype=np.int64), np.asarray(duration, dtype=np.int64)
        return provider_from_spec(self.provider).matrix(self.points)

    def to_dict(self) -> dict:
        if self.distance is not None:
            raise ValueError("A problem with explicit matrices is not serialised; give it a provider instead.")
        return {
            "depot": asdict(self.depot),
            "stops": [{**asdict(s), "point": asdict(s.point)} for s in self.stops],
            "vehicles": [asdict(v) for v in self.vehicles],
            "provider": dict(self.provider),
            "allow_unassigned": self.allow_unassigned,
            "name": self.name,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Problem:
        return cls(
            depot=Point(**data["depot"]),
            stops=[Stop(**{**s, "point": Point(**s["point"])}) for s in data["stops"]],
            vehicles=[VehicleType(**v) for v in data["vehicles"]],
            provider=data.get("provider", {"kind": "haversine"}),
            allow_unassigned=data.get("allow_unassigned", True),
            name=data.get("name", ""),
        )


@dataclass
class Route:
    vehicle_type: int
    stops: list[int]  # indices into Problem.stops, in driving order
    distance: int = 0
    duration: int = 0
    load: int = 0
    start: int = 0
    end: int = 0
    arrivals: list[int] = field(default_factory=list)  # service start at each stop
    late_stops: int = 0


@dataclass
class Unassigned:
    stop: int
    reason: str  # a stable code, see REASONS
    detail: str = ""


REASONS = {
    "over_capacity": "The stop's packages exceed the capacity of every vehicle.",
    "unreachable": "No road connection between the station and the stop.",
    "window_unreachable": "The delivery window cannot be met within any vehicle's shift.",
    "shift_too_short": "Driving there, serving and driving back does not fit in any shift.",
    "no_room": "The fleet has no room left for the stop within capacity and shift.",
}


@dataclass
class Solution:
    routes: list[Route]
    unassigned: list[Unassigned]
    distance: int = 0
    duration: int = 0
    seconds: float = 0.0
    feasible: bool = True
    sectors: int = 1

    @property
    def objective(self) -> int:
        return self.distance

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Solution:
        return cls(
            **{
                **data,
                "routes": [Route(**r) for r in data["routes"]],
                "unassigned": [Unassigned(**u) for u in data["unassigned"]],
            }
        )

"""A seeded station-day generator for benchmarks and tests (no Django): a metro area with a dense
centre and neighbourhood clusters, apartment blocks with several packages, 15 % of addresses with
a two-hour window, 5 % of packages flagged for hubs. Station: the benchmark station of
../shared/samples/README.md (47.5480, -122.3230; 08:00-19:00; x1.3 circuity at 25 km/h)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from routes.solver.types import NO_LIMIT, Point, Problem, Stop, VehicleType

STATION = Point(x=-122.3230, y=47.5480)
CENTRE = (-122.3321, 47.6062)
NEIGHBOURHOODS = [(-122.387, 47.668), (-122.355, 47.690), (-122.313, 47.662), (-122.300, 47.623),
                  (-122.387, 47.563), (-122.290, 47.560), (-122.270, 47.520), (-122.340, 47.520),
                  (-122.200, 47.610), (-122.330, 47.720)]
DISPATCH, RETURN_BY = 8 * 3600, 19 * 3600
SERVICE_FIRST, SERVICE_EXTRA = 120, 30
PROVIDER = {"kind": "haversine", "circuity": 1.3, "speed_kmh": 25.0}


@dataclass
class Package:
    tracking_id: str
    lon: float
    lat: float
    address: str
    early: int = 0
    late: int = NO_LIMIT
    hub: bool = False


def packages(n: int, *, seed: int = 0) -> list[Package]:
    rng = np.random.default_rng(seed)
    n_addresses = max(1, int(n * 0.79))
    kind = rng.choice(3, size=n_addresses, p=[0.45, 0.40, 0.15])
    lon, lat = np.empty(n_addresses), np.empty(n_addresses)
    centre = kind == 0
    lon[centre] = rng.normal(CENTRE[0], 0.030, centre.sum())
    lat[centre] = rng.normal(CENTRE[1], 0.020, centre.sum())
    hood = kind == 1
    picks = rng.integers(len(NEIGHBOURHOODS), size=hood.sum())
    lon[hood] = np.array([NEIGHBOURHOODS[p][0] for p in picks]) + rng.normal(0, 0.016, hood.sum())
    lat[hood] = np.array([NEIGHBOURHOODS[p][1] for p in picks]) + rng.normal(0, 0.011, hood.sum())
    spread = kind == 2
    lon[spread] = rng.uniform(-122.45, -122.15, spread.sum())
    lat[spread] = rng.uniform(47.45, 47.78, spread.sum())
    windowed = rng.random(n_addresses) < 0.15
    starts = rng.integers(9, 17, size=n_addresses) * 3600
    # Every address gets one package; the rest go to addresses picked with a heavy tail (apartments).
    weights = rng.pareto(1.5, n_addresses) + 1
    extra = rng.choice(n_addresses, n - n_addresses, p=weights / weights.sum())
    owners = np.concatenate([np.arange(n_addresses), extra])
    hubs = rng.random(n) < 0.05
    return [
        Package(
            tracking_id=f"TBA{seed:03d}{k:07d}", lon=float(lon[a]), lat=float(lat[a]), address=f"A{a}",
            early=int(starts[a]) if windowed[a] else 0, late=int(starts[a]) + 7200 if windowed[a] else NO_LIMIT,
            hub=bool(hubs[k]),
        )
        for k, a in enumerate(owners)
    ]


def merge_stops(pkgs: list[Package]) -> tuple[list[Stop], list[list[str]]]:
    """Packages at one address become one stop (120 s + 30 s per extra package) whose window is the
    intersection of theirs; a package whose window does not overlap the others' gets its own stop."""
    by_address: dict[str, list[list[Package]]] = {}
    for p in pkgs:
        groups = by_address.setdefault(p.address, [])
        for group in groups:
            early, late = max(q.early for q in group), min(q.late for q in group)
            if max(early, p.early) < min(late, p.late):
                group.append(p)
                break
        else:
            groups.append([p])
    stops, members = [], []
    for address, groups in by_address.items():
        for group in groups:
            service = SERVICE_FIRST + SERVICE_EXTRA * (len(group) - 1)
            stops.append(Stop(Point(group[0].lon, group[0].lat), demand=len(group), service=service,
                              early=max(q.early for q in group), late=min(q.late for q in group), key=address))
            members.append([q.tracking_id for q in group])
    return stops, members


def station_problem(stops: list[Stop], *, vehicles: list[VehicleType] | None = None) -> Problem:
    vehicles = vehicles or [VehicleType(count=30, capacity=300, shift_start=DISPATCH, shift_end=RETURN_BY),
                            VehicleType(count=30, capacity=250, shift_start=DISPATCH, shift_end=RETURN_BY)]
    return Problem(depot=STATION, stops=stops, vehicles=vehicles, provider=dict(PROVIDER), name="station-day")

"""Benchmark instances (../shared/bench) as solver `Problem`s, for `manage.py solve_vrplib` and bench/.

Not part of the solver library (`routes.solver` reads no files) and no dev-only package: the three
formats of the public sets are read here, so the command works in the production image too.

- VRPLIB / TSPLIB (`.vrp`, and LKH-3's `.vrptw`): `KEY : value` header lines, then sections of numbered
  rows (`NODE_COORD_SECTION`, `DEMAND_SECTION`, `TIME_WINDOW_SECTION`, `SERVICE_TIME_SECTION`, `DEPOT_SECTION`);
  nodes are numbered from 1 there and from 0 here (the depot first).
- Solomon (`.txt`): a `VEHICLE` block (number, capacity) and a `CUSTOMER` table
  (number, x, y, demand, ready time, due date, service time), node 0 the depot.

Costs under the conventions the BKS use: CVRP Euclidean rounded to the nearest integer, no fleet limit;
VRPTW Euclidean truncated to one decimal (x10 integers, windows and service x10 too), fleet = the
instance's vehicle count.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from routes.solver.types import NO_LIMIT, Point, Problem, Stop, VehicleType


@dataclass
class Instance:
    name: str
    kind: str  # "cvrp" or "vrptw"
    problem: Problem
    scale: int  # matrix units per instance unit (10 for VRPTW)

    def cost(self, distance: int) -> float | int:
        return distance if self.scale == 1 else round(distance / self.scale, 1)


def read(path: str | Path) -> dict:
    """The instance's fields as arrays: name, node_coord (n+1, 2), demand, capacity, and for VRPTW
    time_window (n+1, 2), service_time (n+1) and vehicles. Raises ValueError on what it cannot read."""
    path = Path(path)
    text = path.read_text()
    raw = _solomon(text) if path.suffix.lower() == ".txt" else _vrplib(text)
    raw.setdefault("name", path.stem)
    if "node_coord" not in raw or "demand" not in raw or "capacity" not in raw:
        raise ValueError("coordinates, demands or the capacity are missing")
    if len(raw["node_coord"]) != len(raw["demand"]):
        raise ValueError("as many demands as nodes expected")
    return raw


def load(path: str | Path) -> Instance:
    raw = read(path)
    coords = raw["node_coord"]
    euclid = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))
    if "time_window" in raw:
        return _vrptw(raw, coords, euclid)
    return _cvrp(raw, coords, euclid)


def _vrplib(text: str) -> dict:
    header: dict[str, str] = {}
    sections: dict[str, list[list[float]]] = {}
    current = None
    for line in text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "EOF":
            break
        if ":" in line and not words[0][0].isdigit() and not words[0].startswith("-"):
            key, _, value = line.partition(":")
            header[key.strip().upper()] = value.strip().strip('"')
            current = None
        elif words[0].upper().endswith("_SECTION"):
            current = sections.setdefault(words[0].upper(), [])
        elif current is not None:
            current.append([float(w) for w in words])
    if "NODE_COORD_SECTION" not in sections:
        raise ValueError("no NODE_COORD_SECTION")
    depots = [int(row[0]) for row in sections.get("DEPOT_SECTION", [[1]]) if row[0] > 0]
    if depots and depots[0] != 1:
        raise ValueError("expected the depot as the first node")
    n = len(sections["NODE_COORD_SECTION"])
    raw: dict = {
        "name": header.get("NAME", ""),
        "node_coord": _column(sections["NODE_COORD_SECTION"], n, 2),
        "demand": _column(sections.get("DEMAND_SECTION", []), n, 1)[:, 0].astype(np.int64),
        "capacity": int(float(header.get("CAPACITY", "0"))) or None,
    }
    if raw["capacity"] is None:
        raise ValueError("no CAPACITY")
    if "TIME_WINDOW_SECTION" in sections:
        raw["time_window"] = _column(sections["TIME_WINDOW_SECTION"], n, 2)
        if "SERVICE_TIME_SECTION" in sections:
            raw["service_time"] = _column(sections["SERVICE_TIME_SECTION"], n, 1)[:, 0]
        else:
            raw["service_time"] = np.full(n, float(header.get("SERVICE_TIME", "0")))
            raw["service_time"][0] = 0.0
        raw["vehicles"] = int(float(header.get("VEHICLES", n - 1)))
    return raw


def _column(rows: list[list[float]], n: int, width: int) -> np.ndarray:
    """Rows `id v1 .. vwidth` (ids from 1) as an (n, width) array in id order."""
    out = np.zeros((n, width))
    for row in rows:
        k = int(row[0]) - 1
        if not 0 <= k < n or len(row) < width + 1:
            raise ValueError(f"bad row {row[:4]}")
        out[k] = row[1:width + 1]
    return out


def _solomon(text: str) -> dict:
    lines = [line.split() for line in text.splitlines() if line.strip()]
    try:
        at = next(k for k, words in enumerate(lines) if words[0].upper() == "VEHICLE")
        vehicles, capacity = (int(w) for w in lines[at + 2][:2])
        table = np.array([[float(w) for w in words[:7]] for words in lines if words[0].isdigit() and len(words) >= 7])
    except (StopIteration, IndexError) as exc:
        raise ValueError("not a Solomon instance") from exc
    return {
        "name": lines[0][0],
        "node_coord": table[:, 1:3],
        "demand": table[:, 3].astype(np.int64),
        "time_window": table[:, 4:6],
        "service_time": table[:, 6],
        "capacity": capacity,
        "vehicles": vehicles,
    }


def _cvrp(raw, coords, euclid) -> Instance:
    matrix = np.rint(euclid).astype(np.int64)
    demand = raw["demand"]
    stops = [Stop(Point(*coords[i]), demand=int(demand[i]), key=str(i)) for i in range(1, len(coords))]
    vehicles = [VehicleType(count=len(stops), capacity=int(raw["capacity"]))]
    problem = Problem(Point(*coords[0]), stops, vehicles, distance=matrix, duration=matrix, allow_unassigned=False,
                      name=raw["name"])
    return Instance(raw["name"], "cvrp", problem, 1)


def _vrptw(raw, coords, euclid) -> Instance:
    matrix = np.floor(euclid * 10 + 1e-7).astype(np.int64)
    windows = np.rint(raw["time_window"] * 10).astype(np.int64)
    service = np.rint(raw["service_time"] * 10).astype(np.int64)
    demand = raw["demand"]
    stops = [
        Stop(Point(*coords[i]), demand=int(demand[i]), service=int(service[i]), early=int(windows[i, 0]),
             late=int(windows[i, 1]), key=str(i))
        for i in range(1, len(coords))
    ]
    shift_end = int(windows[0, 1]) if windows[0, 1] > 0 else NO_LIMIT
    vehicles = [VehicleType(count=int(raw["vehicles"]), capacity=int(raw["capacity"]),
                            shift_start=int(windows[0, 0]), shift_end=shift_end)]
    problem = Problem(Point(*coords[0]), stops, vehicles, distance=matrix, duration=matrix, allow_unassigned=False,
                      name=raw["name"])
    return Instance(raw["name"], "vrptw", problem, 10)

"""Benchmark instances (../shared/bench) as solver `Problem`s, under the conventions their BKS use:
CVRP: Euclidean rounded to the nearest integer, no fleet limit; VRPTW: Euclidean truncated to one
decimal (x10 integers, windows and service x10 too), fleet = the instance's vehicle count."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import vrplib

from routes.solver.types import NO_LIMIT, Point, Problem, Stop, VehicleType


@dataclass
class Instance:
    name: str
    kind: str  # "cvrp" or "vrptw"
    problem: Problem
    scale: int  # matrix units per instance unit (10 for VRPTW)

    def cost(self, distance: int) -> float | int:
        return distance if self.scale == 1 else round(distance / self.scale, 1)


def load(path: str | Path) -> Instance:
    path = Path(path)
    fmt = "solomon" if path.suffix.lower() == ".txt" else "vrplib"
    raw = vrplib.read_instance(str(path), instance_format=fmt, compute_edge_weights=False)
    depot = raw.get("depot", np.array([0]))
    if int(np.ravel(depot)[0]) != 0:
        raise ValueError("expected the depot as the first node")
    coords = np.asarray(raw["node_coord"], dtype=np.float64)
    euclid = np.sqrt(((coords[:, None, :] - coords[None, :, :]) ** 2).sum(axis=2))
    demand = np.asarray(raw["demand"], dtype=np.int64)
    name = str(raw.get("name", path.stem))
    if "time_window" in raw:
        return _vrptw(name, raw, coords, euclid, demand)
    return _cvrp(name, raw, coords, euclid, demand)


def _cvrp(name, raw, coords, euclid, demand) -> Instance:
    matrix = np.rint(euclid).astype(np.int64)
    stops = [Stop(Point(*coords[i]), demand=int(demand[i]), key=str(i)) for i in range(1, len(coords))]
    vehicles = [VehicleType(count=len(stops), capacity=int(raw["capacity"]))]
    problem = Problem(Point(*coords[0]), stops, vehicles, distance=matrix, duration=matrix, allow_unassigned=False,
                      name=name)
    return Instance(name, "cvrp", problem, 1)


def _vrptw(name, raw, coords, euclid, demand) -> Instance:
    matrix = np.floor(euclid * 10 + 1e-7).astype(np.int64)
    windows = np.rint(np.asarray(raw["time_window"], dtype=np.float64) * 10).astype(np.int64)
    service = np.broadcast_to(np.rint(np.asarray(raw["service_time"], dtype=np.float64) * 10), (len(coords),))
    stops = [
        Stop(Point(*coords[i]), demand=int(demand[i]), service=int(service[i]), early=int(windows[i, 0]),
             late=int(windows[i, 1]), key=str(i))
        for i in range(1, len(coords))
    ]
    shift_end = int(windows[0, 1]) if windows[0, 1] > 0 else NO_LIMIT
    vehicles = [VehicleType(count=int(raw["vehicles"]), capacity=int(raw["capacity"]),
                            shift_start=int(windows[0, 0]), shift_end=shift_end)]
    problem = Problem(Point(*coords[0]), stops, vehicles, distance=matrix, duration=matrix, allow_unassigned=False,
                      name=name)
    return Instance(name, "vrptw", problem, 10)

"""Distance and travel-time matrices: great-circle by default, an OSRM `table` service optionally.

A provider turns a list of points (anything with `x` longitude and `y` latitude, index 0 the depot)
into two square int64 matrices, metres and seconds. Sectors of a decomposed station-day each get their
own small matrix, so a 10,000-stop day never needs a 10,000 x 10,000 matrix (800 MB per int64 matrix).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

EARTH_RADIUS_M = 6_371_008.8
UNREACHABLE = 10**9  # metres/seconds for a pair the road network cannot connect (OSRM null)
_ROW_BLOCK = 512  # rows computed at once: bounds the float64 temporaries for big matrices


class HaversineProvider:
    """Great-circle distance times the station's circuity factor; time from its average speed."""

    def __init__(self, *, circuity: float = 1.3, speed_kmh: float = 25.0):
        if circuity < 1 or speed_kmh <= 0:
            raise ValueError("circuity must be >= 1 and speed positive")
        self.circuity = circuity
        self.speed_kmh = speed_kmh

    def spec(self) -> dict:
        return {"kind": "haversine", "circuity": self.circuity, "speed_kmh": self.speed_kmh}

    def matrix(self, points: Sequence) -> tuple[np.ndarray, np.ndarray]:
        lon = np.radians(np.fromiter((p.x for p in points), dtype=np.float64, count=len(points)))
        lat = np.radians(np.fromiter((p.y for p in points), dtype=np.float64, count=len(points)))
        n = len(points)
        distance = np.empty((n, n), dtype=np.int64)
        duration = np.empty((n, n), dtype=np.int64)
        metres_per_second = self.speed_kmh / 3.6
        cos_lat = np.cos(lat)
        for start in range(0, n, _ROW_BLOCK):
            rows = slice(start, min(n, start + _ROW_BLOCK))
            metres = great_circle(lat[rows, None], lon[rows, None], lat, lon, cos_lat[rows, None], cos_lat)
            metres *= self.circuity
            distance[rows] = np.rint(metres)
            duration[rows] = np.rint(metres / metres_per_second)
        return distance, duration


def great_circle(lat1, lon1, lat2, lon2, cos_lat1=None, cos_lat2=None):
    """Haversine distance in metres; broadcasts over numpy arrays (radians)."""
    cos_lat1 = np.cos(lat1) if cos_lat1 is None else cos_lat1
    cos_lat2 = np.cos(lat2) if cos_lat2 is None else cos_lat2
    h = np.sin((lat2 - lat1) / 2) ** 2 + cos_lat1 * cos_lat2 * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class OsrmTableProvider:
    """An OSRM-compatible `/table/v1/driving/` service, queried in blocks of at most `max_table`
    coordinates (osrm-routed refuses bigger tables by default). A `null` cell (no route) becomes
    UNREACHABLE, and the solver reports such stops as unassigned."""

    def __init__(self, *, url: str, max_table: int = 100, timeout: float = 30.0):
        if not url:
            raise ValueError("OSRM url is empty")
        self.url = url.rstrip("/")
        self.max_table = max(2, max_table)
        self.timeout = timeout

    def spec(self) -> dict:
        return {"kind": "osrm", "url": self.url, "max_table": self.max_table}

    def matrix(self, points: Sequence) -> tuple[np.ndarray, np.ndarray]:
        import requests

        n = len(points)
        distance = np.full((n, n), UNREACHABLE, dtype=np.int64)
        duration = np.full((n, n), UNREACHABLE, dtype=np.int64)
        block = self.max_table // 2
        with requests.Session() as session:
            for src in range(0, n, block):
                sources = list(range(src, min(n, src + block)))
                for dst in range(0, n, block):
                    destinations = list(range(dst, min(n, dst + block)))
                    dist, dur = self._table(session, points, sources, destinations)
                    distance[np.ix_(sources, destinations)] = dist
                    duration[np.ix_(sources, destinations)] = dur
        np.fill_diagonal(distance, 0)
        np.fill_diagonal(duration, 0)
        return distance, duration

    def _table(self, session, points, sources, destinations):
        coords = ";".join(f"{points[i].x:.6f},{points[i].y:.6f}" for i in (*sources, *destinations))
        params = {
            "sources": ";".join(str(i) for i in range(len(sources))),
            "destinations": ";".join(str(len(sources) + i) for i in range(len(destinations))),
            "annotations": "distance,duration",
        }
        response = session.get(f"{self.url}/table/v1/driving/{coords}", params=params, timeout=self.timeout)
        response.raise_for_status()
        body = response.json()
        if body.get("code") != "Ok":
            raise OsrmError(f"OSRM table answered {body.get('code')}: {body.get('message', '')}")
        return _cells(body["distances"]), _cells(body["durations"])


class OsrmError(Exception):
    pass


def _cells(rows) -> np.ndarray:
    return np.array([[UNREACHABLE if v is None else round(v) for v in row] for row in rows], dtype=np.int64)


def provider_from_spec(spec: dict):
    """The JSON-serialisable description of a provider (what sector tasks carry) -> a provider."""
    kind = spec.get("kind", "haversine")
    if kind == "haversine":
        return HaversineProvider(circuity=spec.get("circuity", 1.3), speed_kmh=spec.get("speed_kmh", 25.0))
    if kind == "osrm":
        return OsrmTableProvider(url=spec["url"], max_table=spec.get("max_table", 100))
    raise ValueError(f"unknown distance provider {kind!r}")

"""Distance providers: great-circle x circuity at the station's speed; an OSRM-compatible table."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from routes.services.engine import default_provider_spec
from routes.solver import Point, Problem, Stop, VehicleType, solve_single
from routes.solver.distances import UNREACHABLE, HaversineProvider, OsrmTableProvider

SEATTLE, PORTLAND = Point(-122.3321, 47.6062), Point(-122.6765, 45.5231)


def test_great_circle_times_circuity_and_speed():
    distance, duration = HaversineProvider(circuity=1.3, speed_kmh=25).matrix([SEATTLE, PORTLAND])

    assert distance[0, 0] == 0
    assert 233_000 * 1.3 < distance[0, 1] < 235_000 * 1.3  # Seattle-Portland is ~234 km as the crow flies
    assert duration[0, 1] == round(distance[0, 1] / (25 / 3.6))
    assert (distance == distance.T).all()


class FakeOsrm(BaseHTTPRequestHandler):
    """Answers /table/v1/driving/ like OSRM: metres = 1000 x |dx|+|dy| in degrees, 10 m/s; the
    coordinate at longitude 99 is on an island (null both ways)."""

    requests = []

    def do_GET(self):  # noqa: N802
        url = urlsplit(self.path)
        coords = [tuple(map(float, c.split(","))) for c in url.path.rsplit("/", 1)[1].split(";")]
        query = parse_qs(url.query)
        sources = [int(i) for i in query["sources"][0].split(";")]
        destinations = [int(i) for i in query["destinations"][0].split(";")]
        type(self).requests.append(len(coords))

        def metres(a, b):
            if (coords[a][0] == 99) != (coords[b][0] == 99):
                return None
            return 1000 * (abs(coords[a][0] - coords[b][0]) + abs(coords[a][1] - coords[b][1]))

        distances = [[metres(a, b) for b in destinations] for a in sources]
        body = {
            "code": "Ok",
            "distances": distances,
            "durations": [[None if m is None else m / 10 for m in row] for row in distances],
        }
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOsrm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeOsrm.requests = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_osrm_table_is_fetched_in_blocks_and_assembled(osrm_url):
    points = [Point(float(k), float(k % 3)) for k in range(7)]

    distance, duration = OsrmTableProvider(url=osrm_url, max_table=4).matrix(points)

    assert max(FakeOsrm.requests) <= 4
    for a in range(7):
        for b in range(7):
            expected = 1000 * (abs(a - b) + abs(a % 3 - b % 3))
            assert distance[a, b] == expected
            assert duration[a, b] == round(expected / 10)


def test_a_stop_the_road_network_cannot_reach_is_unassigned(osrm_url):
    problem = Problem(
        depot=Point(0, 0),
        stops=[Stop(Point(1, 1)), Stop(Point(99, 0)), Stop(Point(2, 0))],
        vehicles=[VehicleType(count=1, capacity=10)],
        provider={"kind": "osrm", "url": osrm_url, "max_table": 100},
    )

    solution = solve_single(problem, seconds=0.2)

    assert problem.matrices()[0][0, 2] == UNREACHABLE
    assert [(u.stop, u.reason) for u in solution.unassigned] == [(1, "unreachable")]
    assert sorted(i for r in solution.routes for i in r.stops) == [0, 2]


def test_osrm_is_used_only_when_its_url_is_set(settings):
    settings.ROUTES_OSRM_URL = ""
    assert default_provider_spec(circuity=1.4, speed_kmh=30)["kind"] == "haversine"
    settings.ROUTES_OSRM_URL = "http://osrm.local:5000"
    assert default_provider_spec(circuity=1.4, speed_kmh=30)["url"] == "http://osrm.local:5000"

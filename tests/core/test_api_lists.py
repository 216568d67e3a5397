"""The hot API lists (issue #20): paginated, read from values() in the serializer's shape, `?fields=`, queries that
do not grow with the rows, and a route list whose stops come only when asked for (`?expand=stops`)."""

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fleet.models import Vehicle
from fleet.serializers import VehicleSerializer
from hubs.models import Parcel
from hubs.serializers import ParcelSerializer
from routes.models import Package, Plan, PlanStatus, Route, RouteStop, Station
from tests.hubs.factories import HubFactory
from tests.onboarding.factories import partner_with_owner

DAY = date(2026, 3, 10)


def _vans(partner, n, start=0):
    Vehicle.objects.bulk_create([
        Vehicle(partner=partner, vin=f"1FTBW3XG0PK{start + k:06d}", plate=f"P{start + k:06d}", plate_state="WA",
                make="Ford", model="Transit", year=2024, package_capacity=275) for k in range(n)])


def _parcels(hub, n, day=DAY):
    now = timezone.now()
    Parcel.objects.bulk_create([Parcel(hub=hub, service_date=day, tracking_id=f"T{day:%d}{k:05d}", recipient_name="R",
                                       recipient_address="1 Pine St", allocated_at=now, updated_at=now)
                                for k in range(n)])


def _routes(partner, n, *, day=DAY, stops=0, code="tst"):
    station, _ = Station.objects.get_or_create(code=code, defaults={
        "name": "Test station", "latitude": Decimal("47.5"), "longitude": Decimal("-122.3")})
    plan = Plan.objects.create(station=station, service_date=day, status=PlanStatus.PUBLISHED)
    routes = Route.objects.bulk_create([Route(plan=plan, service_date=day, sequence=k + 1, partner=partner)
                                        for k in range(n)])
    made = RouteStop.objects.bulk_create([
        RouteStop(route=r, sequence=s + 1, latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address="1 Pine St")
        for r in routes for s in range(stops)])
    Package.objects.bulk_create([
        Package(station=station, service_date=day, tracking_id=f"P{stop.pk}", address_line1="1 Pine St",
                latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address_key=f"k{stop.pk}", stop=stop)
        for stop in made])
    return routes


def _stops_of_every_kind(partner, hub):
    """Three routes of a day whose stops hold what a stop can: a hub stop, windows, an outcome at a whole second
    and one with microseconds, text that JSON must escape, packages of two days (listed day first, then tracking
    id), a stop without packages; and a route without stops."""
    routes = _routes(partner, 3, stops=3, code="odd")
    first, second, third = routes[0].stops.order_by("sequence")
    RouteStop.objects.filter(pk=first.pk).update(
        kind="hub", hub=hub, window_start_s=3600, window_end_s=7200, late=True, signature_required=True,
        status="delivered", outcome_at=datetime(2026, 3, 10, 17, 5, 9, tzinfo=UTC), latitude=Decimal("-0.000001"),
        address='Apt "4\\B", 1 Pine St\n\tback door', recipient="Zoë Ñúñez — 李 😀", note="\x01 bell \x1f")
    RouteStop.objects.filter(pk=second.pk).update(status="attempted", attempt_reason="access_problem",
                                                  outcome_at=datetime(2026, 3, 10, 17, 5, 9, 120, tzinfo=UTC))
    station = routes[0].plan.station
    Package.objects.bulk_create([
        Package(station=station, service_date=day, tracking_id=tid, address_line1="1 Pine St",
                latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address_key=f"k-{tid}", stop=first)
        for day, tid in [(DAY, "Z-LAST"), (date(2026, 3, 9), "ZZ-EARLIER-DAY"), (DAY, "A-FIRST")]])
    Package.objects.filter(stop=third).update(stop=None)
    RouteStop.objects.filter(route=routes[2]).delete()
    return routes


def _count(client, url, params):
    client.get(url, params)  # the token's last-used stamp is written at most once a minute: not per row
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    return len(response.json()["results"]), len(ctx)


@pytest.mark.django_db
def test_the_queries_of_a_list_request_do_not_grow_with_its_rows(token_client):
    small, small_owner = partner_with_owner()
    big, big_owner = partner_with_owner()
    _vans(small, 10)
    _vans(big, 1000, start=5000)
    hub = HubFactory()
    _parcels(hub, 10, DAY)
    _parcels(hub, 1000, date(2026, 3, 11))
    _routes(small, 10, code="small")
    _routes(big, 1000, day=date(2026, 3, 11), code="big")
    mine, theirs, hubs = token_client(small_owner), token_client(big_owner), token_client(hub.owner)

    counts = {
        "vehicles": [_count(mine, "/api/v1/fleet/vehicles/", {}), _count(theirs, "/api/v1/fleet/vehicles/", {}),
                     _count(theirs, "/api/v1/fleet/vehicles/", {"page_size": 500})],
        "parcels": [_count(hubs, "/api/v1/hubs/parcels/", {"date": "2026-03-10"}),
                    _count(hubs, "/api/v1/hubs/parcels/", {"date": "2026-03-11"}),
                    _count(hubs, "/api/v1/hubs/parcels/", {"date": "2026-03-11", "page_size": 500})],
        "routes": [_count(mine, "/api/v1/routes/routes/", {"date": "2026-03-10"}),
                   _count(theirs, "/api/v1/routes/routes/", {"date": "2026-03-11"}),
                   _count(theirs, "/api/v1/routes/routes/", {"date": "2026-03-11", "page_size": 500})],
    }
    # token with its user, then the page (the caller's partner or hub a subquery of it): two, however many rows
    assert counts == {name: [(10, 2), (50, 2), (500, 2)] for name in counts}


@pytest.mark.django_db
def test_a_vehicle_in_the_fast_list_reads_exactly_as_the_serializer_writes_it(token_client):
    partner, owner = partner_with_owner()
    _vans(partner, 3)
    Vehicle.objects.filter(plate="P000001").update(status_changed_at=timezone.now(), status_reason="Brakes — “soon”")
    listed = token_client(owner).get("/api/v1/fleet/vehicles/").json()["results"]
    expected = [json.loads(json.dumps(VehicleSerializer(v).data)) for v in Vehicle.objects.order_by("-pk")]
    assert listed == expected


@pytest.mark.django_db
def test_a_parcel_in_the_fast_list_reads_exactly_as_the_serializer_writes_it(token_client):
    hub = HubFactory()
    _parcels(hub, 2, hub.local_today())
    Parcel.objects.filter(tracking_id__endswith="00001").update(status="delivered", delivered_to="Ann",
                                                                 delivered_at=timezone.now(), proof_photo="x/y.jpg")
    listed = token_client(hub.owner).get("/api/v1/hubs/parcels/").json()["results"]
    expected = [json.loads(json.dumps(ParcelSerializer(p).data)) for p in Parcel.objects.order_by("tracking_id")]
    assert listed == expected
    assert [p["has_photo"] for p in listed] == [False, True]


@pytest.mark.django_db
def test_fields_picks_what_the_client_asks_for_and_an_unknown_name_is_a_400_that_says_which(token_client):
    partner, owner = partner_with_owner()
    _vans(partner, 2)
    client = token_client(owner)
    listed = client.get("/api/v1/fleet/vehicles/", {"fields": "plate,status"}).json()["results"]
    assert listed == [{"plate": "P000001", "status": "active"}, {"plate": "P000000", "status": "active"}]
    refused = client.get("/api/v1/fleet/vehicles/", {"fields": "plate,owner_ssn"})
    assert (refused.status_code, refused.json()["code"]) == (400, "unknown_field")
    assert "owner_ssn" in refused.json()["fields"]["fields"][0]


@pytest.mark.django_db
def test_walking_the_cursor_pages_gives_every_row_once_even_without_the_ordering_field(token_client):
    partner, owner = partner_with_owner()
    _vans(partner, 120)
    client = token_client(owner)
    seen, url, params = [], "/api/v1/fleet/vehicles/", {"fields": "plate"}
    while url:
        page = client.get(url, params).json()
        assert all(set(row) == {"plate"} for row in page["results"])
        seen += [row["plate"] for row in page["results"]]
        url, params = page["next"], None
    assert sorted(seen) == sorted(Vehicle.objects.values_list("plate", flat=True)) and len(seen) == 120


@pytest.mark.django_db
def test_a_day_of_1000_parcels_comes_in_pages(token_client):
    hub = HubFactory()
    _parcels(hub, 1000)
    page = token_client(hub.owner).get("/api/v1/hubs/parcels/", {"date": "2026-03-10"}).json()
    assert len(page["results"]) == 50 and page["next"]


@pytest.mark.django_db
def test_a_routes_stops_come_only_when_asked_for(token_client):
    partner, owner = partner_with_owner()
    routes = _routes(partner, 3, stops=4)
    client = token_client(owner)
    brief = client.get("/api/v1/routes/routes/", {"date": "2026-03-10"}).json()["results"]
    assert [r["code"] for r in brief] == ["TST-01", "TST-02", "TST-03"] and "stops" not in brief[0]
    assert brief[0]["id"] == routes[0].pk and brief[0]["partner"] == partner.pk
    full = client.get("/api/v1/routes/routes/", {"date": "2026-03-10", "expand": "stops", "page_size": 2}).json()
    assert [len(r["stops"]) for r in full["results"]] == [4, 4] and full["next"]
    assert full["results"][0]["stops"][0]["tracking_ids"] == [f"P{routes[0].stops.order_by('sequence')[0].pk}"]
    detail = client.get(f"/api/v1/routes/routes/{routes[0].pk}/").json()
    assert full["results"][0] == detail
    one = _count(client, "/api/v1/routes/routes/", {"date": "2026-03-10", "expand": "stops", "page_size": 1})
    three = _count(client, "/api/v1/routes/routes/", {"date": "2026-03-10", "expand": "stops"})
    assert (one, three) == ((1, 3), (3, 3))  # the plain list's two, then the page's stops with their packages
    refused = client.get("/api/v1/routes/routes/", {"date": "2026-03-10", "expand": "packages"})
    assert (refused.status_code, refused.json()["code"]) == (400, "invalid_expand")


@pytest.mark.django_db
def test_a_list_scoped_in_its_own_statement_still_tells_someone_without_a_partner_or_hub_why(
        token_client, make_user):
    from accounts.models import Role

    owner_without_partner = token_client(make_user(role=Role.PARTNER_OWNER))
    owner_without_hub = token_client(make_user(role=Role.HUB_OWNER))

    vans = owner_without_partner.get("/api/v1/fleet/vehicles/")
    parcels = owner_without_hub.get("/api/v1/hubs/parcels/", {"date": "2026-03-10"})

    assert (vans.status_code, vans.json()["code"]) == (404, "no_partner")
    assert parcels.status_code == 404


@pytest.mark.django_db
def test_a_dispatcher_without_a_partner_sees_no_routes_not_the_unassigned_ones(token_client, make_user):
    from accounts.models import Role

    partner, _owner = partner_with_owner()
    unassigned = _routes(partner, 2)
    Route.objects.filter(pk=unassigned[0].pk).update(partner=None)
    manager = token_client(make_user(role=Role.PARTNER_MANAGER))

    page = manager.get("/api/v1/routes/routes/", {"date": DAY.isoformat()})

    assert page.status_code == 200 and page.json()["results"] == []


@pytest.mark.django_db
def test_a_routes_code_reads_as_the_model_writes_it_even_when_only_the_code_is_asked_for(token_client):
    partner, owner = partner_with_owner()
    routes = _routes(partner, 11)
    client = token_client(owner)

    rows = client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "fields": "code"}).json()["results"]

    assert rows == [{"code": route.code} for route in Route.objects.filter(pk__in=[r.pk for r in routes])
                    .select_related("plan__station").order_by("id")]
    assert rows[0] == {"code": "TST-01"} and rows[10] == {"code": "TST-11"}


@pytest.mark.django_db
def test_expanded_stops_carry_all_their_packages_or_none_as_the_route_detail_does(token_client):
    partner, owner = partner_with_owner()
    routes = _routes(partner, 2, stops=3)
    first, second = routes[0].stops.order_by("sequence")[:2]
    Package.objects.create(station=routes[0].plan.station, service_date=DAY, tracking_id="A-SECOND",
                           address_line1="1 Pine St", latitude=Decimal("47.6"), longitude=Decimal("-122.3"),
                           address_key="k-extra", stop=first)
    Package.objects.filter(stop=second).update(stop=None)
    client = token_client(owner)

    page = client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "expand": "stops"}).json()["results"]

    assert page == [client.get(f"/api/v1/routes/routes/{route.pk}/").json() for route in routes]
    assert len(page[0]["stops"][0]["tracking_ids"]) == 2 and page[0]["stops"][1]["tracking_ids"] == []


@pytest.mark.django_db
def test_expanded_stops_read_exactly_as_the_route_detail_writes_them_whatever_they_hold(token_client):
    partner, owner = partner_with_owner()
    routes = _stops_of_every_kind(partner, HubFactory())
    client = token_client(owner)

    page = client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "expand": "stops"}).json()["results"]

    assert page == [client.get(f"/api/v1/routes/routes/{route.pk}/").json() for route in routes]
    first, second = page[0]["stops"][:2]
    assert first["tracking_ids"] == ["ZZ-EARLIER-DAY", "A-FIRST", f"P{first['id']}", "Z-LAST"]
    assert (first["outcome_at"], second["outcome_at"]) == ("2026-03-10T17:05:09Z", "2026-03-10T17:05:09.000120Z")
    assert (first["latitude"], first["recipient"], page[0]["stops"][2]["tracking_ids"]) == ("-0.000001",
                                                                                           "Zoë Ñúñez — 李 😀", [])
    assert list(first) == list(client.get(f"/api/v1/routes/routes/{routes[0].pk}/").json()["stops"][0])
    assert page[2]["stops"] == []


@pytest.mark.django_db
def test_expanded_stops_read_the_same_pretty_printed_and_in_the_browsable_api(token_client):
    partner, owner = partner_with_owner()
    _stops_of_every_kind(partner, HubFactory())
    client = token_client(owner)
    params = {"date": DAY.isoformat(), "expand": "stops"}

    compact = client.get("/api/v1/routes/routes/", params)
    pretty = client.get("/api/v1/routes/routes/", params, HTTP_ACCEPT="application/json; indent=2")
    browsable = client.get("/api/v1/routes/routes/", params, HTTP_ACCEPT="text/html")

    assert b"\n  " in pretty.content and json.loads(pretty.content) == compact.json()
    assert browsable.status_code == 200 and "ZZ-EARLIER-DAY" in browsable.content.decode()


def _expanded(client):
    return client.get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "expand": "stops"}).json()["results"]


def _keep_a_marker(route_id):
    """Replace the JSON kept for `route_id` (under the fingerprint it was kept with) by a marker: a request that
    answers the marker read the kept text; one that answers the rows wrote it afresh."""
    from core.cache import raw_get_many, raw_set_many
    from routes.api.stops import _kept_key

    kept = raw_get_many([_kept_key(route_id)])[0]
    assert kept is not None, "nothing was kept for the route"
    fingerprint = kept.split(b" ", 1)[0]
    raw_set_many({_kept_key(route_id): fingerprint + b' [{"kept":true}]'}, 60)


@pytest.mark.django_db(transaction=True)  # each change committed, as a request or a task commits it
def test_expanded_stops_are_read_from_the_cache_until_a_stop_or_one_of_its_packages_changes(token_client):
    partner, owner = partner_with_owner()
    routes = _routes(partner, 2, stops=3)
    first = routes[0]
    stops = list(first.stops.order_by("sequence"))
    other = routes[1].stops.order_by("sequence").first()
    client = token_client(owner)
    detail = lambda: client.get(f"/api/v1/routes/routes/{first.pk}/").json()["stops"]  # noqa: E731
    changes = {
        "a stop's outcome": lambda: RouteStop.objects.filter(pk=stops[0].pk).update(status="delivered",
                                                                                     outcome_at=timezone.now()),
        "a package's tracking id": lambda: Package.objects.filter(stop=stops[1]).update(tracking_id="RENAMED"),
        "a package moved in from another route": lambda: Package.objects.filter(stop=other).update(stop=stops[2]),
        "a package moved out": lambda: Package.objects.filter(stop=stops[2], tracking_id=f"P{other.pk}").update(
            stop=other),
        "a package added": lambda: Package.objects.create(
            station=first.plan.station, service_date=DAY, tracking_id="A-NEW", address_line1="1 Pine St",
            latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address_key="k-new", stop=stops[0]),
        "a package deleted": lambda: Package.objects.filter(tracking_id="A-NEW").delete(),
        "a stop added": lambda: RouteStop.objects.create(route=first, sequence=9, latitude=Decimal("47.6"),
                                                         longitude=Decimal("-122.3"), address="9 Pine St"),
        "a stop deleted": lambda: RouteStop.objects.filter(route=first, sequence=9).delete(),
        "the same change in raw SQL": lambda: connection.cursor().execute(
            f'UPDATE "{RouteStop._meta.db_table}" SET "note" = %s WHERE "id" = %s', ["Side door", stops[1].pk]),
        "a package's day": lambda: Package.objects.filter(stop=stops[1]).update(service_date=date(2026, 3, 9)),
        "a package copied in (COPY, as a manifest writes)": lambda: _copy_package(first, stops[0], "C-COPIED"),
        "its stop's packages let go (the stop deleted)": lambda: RouteStop.objects.filter(pk=stops[2].pk).delete(),
    }
    assert _expanded(client)[0]["stops"] == detail()  # written, and kept

    _keep_a_marker(first.pk)
    assert _expanded(client)[0]["stops"] == [{"kept": True}]  # unchanged rows: the kept text, as it was kept
    for name, change in changes.items():
        _expanded(client)
        _keep_a_marker(first.pk)
        change()
        assert _expanded(client)[0]["stops"] == detail(), name
    assert _expanded(client)[1]["stops"] == client.get(f"/api/v1/routes/routes/{routes[1].pk}/").json()["stops"]


def _copy_package(route, stop, tracking_id):
    """A package on `stop` written with COPY, as routes.services.manifest_copy writes a manifest's."""
    from routes.services.manifest_copy import copy_field

    package = Package(station=route.plan.station, service_date=DAY, tracking_id=tracking_id, address_line1="1 Pine",
                      latitude=Decimal("47.6"), longitude=Decimal("-122.3"), address_key="k-copied", stop=stop)
    fields = [f for f in Package._meta.concrete_fields if not f.primary_key]
    text = "\t".join(copy_field(f.get_db_prep_save(getattr(package, f.attname), connection)) for f in fields)
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f'COPY "{Package._meta.db_table}" ({columns}) FROM STDIN', io.StringIO(text + "\n"))


@pytest.mark.django_db
def test_a_transaction_that_wrote_stops_reads_them_as_they_are_and_keeps_nothing_for_others(token_client):
    """A transaction that has written may yet roll back: a page read inside it is written afresh and not kept, and
    a second change in the same transaction is never answered from the first."""
    from core.cache import raw_get_many
    from routes.api.stops import _kept_key

    partner, owner = partner_with_owner()
    route = _routes(partner, 1, stops=2)[0]  # written in this test's transaction
    client = token_client(owner)
    stop = route.stops.order_by("sequence").first()

    before = _expanded(client)[0]["stops"]
    RouteStop.objects.filter(pk=stop.pk).update(note="First")
    first = _expanded(client)[0]["stops"]
    RouteStop.objects.filter(pk=stop.pk).update(note="Second")
    second = _expanded(client)[0]["stops"]

    assert [page[0]["note"] for page in (before, first, second)] == ["", "First", "Second"]
    assert raw_get_many([_kept_key(route.pk)]) == [None]


def _walk(client, params, url="/api/v1/routes/routes/", key="id"):
    """Every row's `key` page by page, forward and then back from the last page; each page checked."""
    forward, query = [], params
    pages = []
    while url:
        assert len(pages) < 50, "the cursor does not move"
        response = client.get(url, query)
        assert response.status_code == 200, response.content[:300]
        pages.append(response.json())
        forward += [row[key] for row in pages[-1]["results"]]
        url, query = pages[-1]["next"], None
    backward, url = [], pages[-1]["previous"]
    while url:
        page = client.get(url).json()
        backward = [row[key] for row in page["results"]] + backward
        url = page["previous"]
    return forward, backward + [row[key] for row in pages[-1]["results"]]


@pytest.mark.django_db
@pytest.mark.parametrize("compiled", [True, False], ids=["compiled once a shape", "the ORM each request"])
def test_the_route_list_reads_the_same_rows_for_each_role_compiled_or_not(token_client, make_user, compiled,
                                                                         monkeypatch):
    """The route list's page SQL is compiled once per shape (the caller's role; core.api.CompiledPage) and each
    request binds its own day, id and cursor: each role sees what the ORM gives it, page after page, two
    tenants side by side, one tenant's compiled statement never answering the other."""
    from accounts.models import Role
    from fleet.models import Driver
    from routes.api.plans import RouteListView
    from tests.fleet.factories import DriverFactory

    if not compiled:
        monkeypatch.setattr(RouteListView, "list_probes", ())
    mine, owner = partner_with_owner()
    theirs, their_owner = partner_with_owner()
    ours = _routes(mine, 7)
    other = _routes(theirs, 4, code="oth")
    next_day = _routes(mine, 3, day=date(2026, 3, 11))
    driver_user = make_user(role=Role.DRIVER)
    driver = DriverFactory(partner=mine, user=driver_user)
    Route.objects.filter(pk__in=[ours[4].pk, next_day[0].pk]).update(driver=driver)
    admin = make_user(role=Role.PROGRAM_ADMIN)
    params = {"date": DAY.isoformat(), "page_size": 2, "fields": "id,code"}

    expected = {
        "owner": (owner, sorted(r.pk for r in ours)),
        "their owner": (their_owner, sorted(r.pk for r in other)),
        "driver": (driver_user, [ours[4].pk]),
        "admin": (admin, sorted(r.pk for r in [*ours, *other])),
    }
    for who, (user, ids) in expected.items():
        forward, backward = _walk(token_client(user), params)
        assert forward == ids and backward == ids, who
    assert Driver.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("position", ["not-an-id", "9" * 30, "1\x00"])
def test_a_cursor_whose_position_no_row_can_have_is_a_404_not_a_server_error(token_client, position):
    import base64
    from urllib.parse import urlencode

    partner, owner = partner_with_owner()
    _routes(partner, 3)
    hub = HubFactory()
    cursor = base64.b64encode(urlencode({"p": position}).encode()).decode()

    routes = token_client(owner).get("/api/v1/routes/routes/", {"date": DAY.isoformat(), "cursor": cursor})
    parcels = token_client(hub.owner).get("/api/v1/hubs/parcels/", {"date": DAY.isoformat(), "cursor": cursor})

    assert routes.status_code == 404 and routes.json()["code"] == "not_found"  # ids: an integer of bigint's range
    if "\x00" in position:  # the parcels' cursor is a tracking id: any text but a NUL
        assert parcels.status_code == 404 and parcels.json()["code"] == "not_found"
    else:
        assert parcels.status_code == 200 and parcels.json()["results"] == []


def test_a_list_queryset_that_builds_in_a_value_of_its_own_is_refused():
    """Everything a compiled page binds must come from the request's values: a queryset that varies with
    anything else (here the clock) is caught when its shape is first compiled, before any row is read."""
    from django.core.exceptions import ImproperlyConfigured

    from core.api import CompiledPage, ValuesListMixin
    from core.compiled import PROBE_ID

    class Sloppy(ValuesListMixin):
        list_fields = ("id",)
        list_probes = (PROBE_ID,)
        calls = iter(range(10))

        @classmethod
        def list_queryset(cls, shape, user_id):
            return Route.objects.filter(partner_id=user_id, sequence__gt=next(cls.calls))

    page = CompiledPage(Sloppy, "any", (1,), ("id",), ()).order_by("id")
    with pytest.raises(ImproperlyConfigured, match="not one of its values"):
        page[0:3]


@pytest.mark.django_db
@pytest.mark.parametrize("compiled", [True, False], ids=["compiled once a shape", "the ORM each request"])
def test_the_vans_list_reads_the_same_rows_for_each_filter_compiled_or_not(token_client, compiled, monkeypatch):
    """The vans list compiles one statement per shape (which of status and ownership filter it; a search reads
    through the ORM): each filter and each tenant reads what the ORM gives it, page after page."""
    from fleet.api import VehicleViewSet

    if not compiled:
        monkeypatch.setattr(VehicleViewSet, "list_probes", ())
    mine, owner = partner_with_owner()
    theirs, their_owner = partner_with_owner()
    _vans(mine, 9)
    _vans(theirs, 4, start=100)
    Vehicle.objects.filter(partner=mine, plate__in=["P000001", "P000004", "P000007"]).update(status="grounded")
    Vehicle.objects.filter(partner=mine, plate__in=["P000004", "P000005"]).update(ownership="leased")
    client, their_client = token_client(owner), token_client(their_owner)

    def plates(**filters):
        vans = Vehicle.objects.filter(partner=mine, **filters).order_by("-pk")
        return list(vans.values_list("plate", flat=True))

    cases = {"none": ({}, plates()), "status": ({"status": "grounded"}, plates(status="grounded")),
             "ownership": ({"ownership": "leased"}, plates(ownership="leased")),
             "both": ({"status": "grounded", "ownership": "leased"}, ["P000004"]),
             "search": ({"q": "P00000"}, plates(plate__startswith="P00000")),
             "no such status": ({"status": "sunk"}, [])}
    for name, (filters, expected) in cases.items():
        params = {"page_size": 2, "fields": "plate", **filters}
        assert _walk(client, params, "/api/v1/fleet/vehicles/", "plate") == (expected, expected), name
    theirs_seen = _walk(their_client, {"page_size": 3, "fields": "plate"}, "/api/v1/fleet/vehicles/", "plate")
    assert theirs_seen[0] == [f"P{k:06d}" for k in range(103, 99, -1)]


@pytest.mark.django_db
@pytest.mark.parametrize("compiled", [True, False], ids=["compiled once", "the ORM each request"])
def test_the_parcels_list_pages_by_tracking_id_for_its_hub_alone_compiled_or_not(token_client, compiled,
                                                                                 monkeypatch):
    """The parcels list's cursor is a tracking id (text): a compiled page binds it, the day (given, or the hub's
    own today) and the owner, and one hub never reads another's."""
    from hubs.api import ParcelListView

    if not compiled:
        monkeypatch.setattr(ParcelListView, "list_probes", ())
    hub, other = HubFactory(), HubFactory()
    _parcels(hub, 7)
    now = timezone.now()
    Parcel.objects.bulk_create([Parcel(hub=other, service_date=DAY, tracking_id=f"OTHER{k}", recipient_name="R",
                                       recipient_address="1 Pine St", allocated_at=now, updated_at=now)
                                for k in range(5)])
    today = hub.local_today()
    _parcels(hub, 3, day=today)
    for who, day, count in ((hub, DAY, 7), (other, DAY, 5), (hub, None, 3)):
        params = {"page_size": 2, "fields": "tracking_id", **({"date": day.isoformat()} if day else {})}
        forward, backward = _walk(token_client(who.owner), params, "/api/v1/hubs/parcels/", "tracking_id")
        expected = sorted(Parcel.objects.filter(hub=who, service_date=day or today)
                          .values_list("tracking_id", flat=True))
        assert forward == backward == expected and len(expected) == count


@pytest.mark.django_db
def test_the_browsable_api_draws_a_values_lists_page_buttons_after_its_ordering_columns_are_dropped(token_client):
    """The vans list reads `pk` only to write its cursor links and drops it from the rows; the browsable API asks
    for the links again when it draws its page buttons, and gets the same ones."""
    partner, owner = partner_with_owner()
    _vans(partner, 5)
    client = token_client(owner)
    params = {"page_size": 2, "fields": "plate"}

    page = client.get("/api/v1/fleet/vehicles/", params).json()
    html = client.get("/api/v1/fleet/vehicles/", params, HTTP_ACCEPT="text/html")

    assert html.status_code == 200
    assert page["next"].split("?", 1)[1].replace("&", "&amp;") in html.content.decode()

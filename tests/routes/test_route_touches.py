"""routes.RouteTouch: the database versions each route's stop list itself (triggers, migration 0012), once a
transaction, for what the stop list shows and nothing else; the route list's ?expand=stops keeps its JSON under it
(tests/core/test_api_lists.py checks every kind of change against the kept text)."""

import re
from decimal import Decimal

import psycopg2
import pytest
from django.db import connection, transaction

from routes.api.stops import _stops_json_sql
from routes.models import Package, Route, RouteStop, RouteTouch
from tests.core.test_api_lists import _routes
from tests.onboarding.factories import partner_with_owner

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL triggers; SQLite keeps nothing")


def _marks(route):
    return list(RouteTouch.objects.filter(route_id=route.pk).order_by("id").values_list("mark", flat=True))


@pytest.mark.django_db
def test_a_transaction_touches_each_route_it_writes_once_and_an_outcomes_package_status_not_at_all():
    partner, _owner = partner_with_owner()
    first, second = _routes(partner, 2, stops=3)
    before = {r.pk: _marks(r) for r in (first, second)}
    assert all(len(marks) == 1 for marks in before.values())  # the stops and packages written with the test's xid

    Package.objects.filter(stop__route=first).update(status="delivered")  # what an outcome writes to its packages
    RouteStop.objects.filter(route=first).update(note="Side door")
    RouteStop.objects.filter(route=first).update(note="Back door")  # the same transaction: no second row

    assert {r.pk: _marks(r) for r in (first, second)} == before
    with transaction.atomic():  # a savepoint is part of its transaction too
        RouteStop.objects.filter(route=second).update(note="Gate code 12")
    assert _marks(second) == before[second.pk]


@pytest.mark.django_db(transaction=True)
def test_each_committed_write_adds_a_mark_and_a_status_only_package_update_adds_none():
    partner, _owner = partner_with_owner()
    route = _routes(partner, 1, stops=2)[0]
    stop = route.stops.order_by("sequence").first()
    start = _marks(route)

    Package.objects.filter(stop=stop).update(status="attempted")
    assert _marks(route) == start
    RouteStop.objects.filter(pk=stop.pk).update(status="attempted")
    Package.objects.filter(stop=stop).update(tracking_id="RENAMED")
    Package.objects.filter(stop=stop).update(stop=None)  # off the stop: the route it left is touched

    marks = _marks(route)
    assert len(marks) == len(start) + 3 and marks[: len(start)] == start
    assert len(set(marks)) == len(marks)  # random marks: the sums never come back to an earlier one


@pytest.mark.django_db(transaction=True)
def test_a_deleted_route_takes_its_touches_with_it():
    partner, _owner = partner_with_owner()
    gone, kept = _routes(partner, 2, stops=2)
    Route.objects.filter(pk=gone.pk).delete()  # its stops first (touching it), then the route

    assert not RouteTouch.objects.filter(route_id=gone.pk).exists()
    assert RouteTouch.objects.filter(route_id=kept.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_route_do_not_wait_for_each_other_on_its_touches():
    """Each transaction adds its own row (no row is updated in place), so writers of different stops of one route
    never queue behind each other here, and never deadlock."""
    partner, _owner = partner_with_owner()
    route = _routes(partner, 1, stops=2)[0]
    first, second = route.stops.order_by("sequence")
    before = RouteTouch.objects.filter(route_id=route.pk).count()
    dsn = connection.get_connection_params()
    one, two = psycopg2.connect(**dsn), psycopg2.connect(**dsn)
    try:
        with one.cursor() as a, two.cursor() as b:
            a.execute("UPDATE routes_routestop SET note = 'one' WHERE id = %s", [first.pk])  # not committed yet
            b.execute("SET lock_timeout = '2s'")
            b.execute("UPDATE routes_routestop SET note = 'two' WHERE id = %s", [second.pk])  # would time out
            two.commit()
            one.commit()
    finally:
        one.close()
        two.close()

    assert sorted(RouteStop.objects.filter(route=route).values_list("note", flat=True)) == ["one", "two"]
    assert RouteTouch.objects.filter(route_id=route.pk).count() == before + 2


@pytest.mark.django_db
def test_the_package_trigger_watches_every_package_column_the_stops_json_reads():
    """The stops JSON reads a package's stop, tracking id and ordering fields; the UPDATE trigger must compare each
    (a field added to the JSON or to Package.ordering needs a migration that watches it too)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'routes_packages_touched'")
        (source,) = cursor.fetchone()
    watched = set(re.findall(r"o\.(\w+) IS DISTINCT FROM n\.\1", source))
    read = set(re.findall(r'p\."(\w+)"', _stops_json_sql()))

    assert read and read <= watched, read - watched
    assert Package._meta.get_field("stop").column in watched


@pytest.mark.django_db(transaction=True)  # committed: a writing transaction keeps nothing anyway
def test_a_route_without_touches_is_written_afresh_and_not_kept():
    """A route whose touches are missing (rows older than the triggers; none should be) has no version: its stops
    are read as they are and nothing is kept for it."""
    from core.cache import raw_get_many
    from routes.api.stops import _kept_key, stops_by_route

    partner, _owner = partner_with_owner()
    route = _routes(partner, 1, stops=1)[0]
    RouteStop.objects.filter(route=route).update(latitude=Decimal("47.7"))
    RouteTouch.objects.filter(route_id=route.pk).delete()

    text = stops_by_route([route.pk])[route.pk].text
    assert b'"latitude":"47.700000"' in text
    assert raw_get_many([_kept_key(route.pk)]) == [None]

"""core.compiled: a hot query compiled once gives the instances the ORM gives, built the way the ORM builds them,
and a query it cannot bind safely is refused when it is first compiled."""

import uuid
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DataError, connection, transaction
from django.db.models import signals
from django.db.transaction import TransactionManagementError

from accounts.models import User
from core.compiled import (
    PROBE_ID,
    _plain,
    compiled_query,
    execute,
    fetch,
    model_instance,
    pg_array,
    rows_as_instances,
    select_sql,
)
from hubs.models import Hub, Parcel
from hubs.selectors import hub_for_owner
from tests.factories import UserFactory
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_the_compiled_hub_lookup_finds_the_owners_latest_hub_as_the_orm_does():
    first = HubFactory()
    latest = HubFactory(owner=first.owner)
    HubFactory()  # someone else's

    found = hub_for_owner(user=first.owner)

    expected = Hub.objects.filter(owner=first.owner).order_by("-created_at", "-id").first()
    assert found == expected == latest
    assert _fields(found) == _fields(expected)
    assert hub_for_owner(user=UserFactory()) is None


def test_an_instance_built_from_a_row_is_the_one_the_orm_builds_and_saves_like_it():
    parcel = ParcelFactory(delivered_to="Front desk")
    row = Parcel.objects.filter(pk=parcel.pk).values_list(*[f.attname for f in Parcel._meta.concrete_fields])[0]

    built = model_instance(Parcel, row)
    loaded = Parcel.objects.get(pk=parcel.pk)

    assert _plain(Parcel)  # the fast path is the one under test
    assert _fields(built) == _fields(loaded)
    assert (built._state.adding, built._state.db) == (False, "default")
    assert built.hub == parcel.hub  # the foreign key resolves
    assert built.proof_photo.name == loaded.proof_photo.name  # the file field wraps its name
    built.delivered_to = "Neighbour"
    built.save(update_fields=["delivered_to"])
    assert Parcel.objects.get(pk=parcel.pk).delivered_to == "Neighbour"


def test_hand_written_sql_of_the_models_columns_builds_the_same_instances():
    parcels = [ParcelFactory(), ParcelFactory()]

    built = rows_as_instances(Parcel, select_sql(Parcel, '"id" IN (%s, %s) ORDER BY "id"'), [p.pk for p in parcels])

    assert [_fields(b) for b in built] == [_fields(Parcel.objects.get(pk=p.pk)) for p in parcels]


def test_a_model_with_init_receivers_is_built_by_the_orm():
    def receiver(sender, instance, **kwargs):
        pass

    signals.post_init.connect(receiver, sender=User)
    try:
        assert not _plain.__wrapped__(User)
    finally:
        signals.post_init.disconnect(receiver, sender=User)
    assert _plain.__wrapped__(User)


def test_a_query_that_would_not_return_whole_instances_or_binds_other_values_is_refused():
    joined = compiled_query(lambda owner_id: Hub.objects.select_related("owner").filter(owner_id=owner_id), PROBE_ID)
    fixed = compiled_query(lambda owner_id: Hub.objects.filter(owner_id=owner_id, capacity=30), PROBE_ID)

    with pytest.raises(ImproperlyConfigured):
        joined(1)
    with pytest.raises(ImproperlyConfigured):
        fixed(1)


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def _run(sql, params):
    with connection.cursor() as cursor:
        execute(cursor, sql, params)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_a_statement_is_prepared_once_a_connection_and_answers_like_the_plain_one():
    sql = "SELECT %s::int + 1, '100%%' || %s::text"

    first, second = _run(sql, [1, "x"]), _run(sql, [41, "y"])

    assert first == [(2, "100%x")] and second == [(42, "100%y")]
    assert sum("'100%' || $2::text" in s for s in _prepared_statements()) == 1
    connection.close()  # a new connection has nothing prepared: it prepares again
    assert _run(sql, [2, "z"]) == [(3, "100%z")]
    assert sum("'100%' || $2::text" in s for s in _prepared_statements()) == 1


@pytest.mark.django_db(transaction=True)
def test_a_statement_whose_first_run_failed_still_runs_afterwards():
    sql = "SELECT 10 / %s::int"
    with pytest.raises(DataError), transaction.atomic():
        _run(sql, [0])

    assert _run(sql, [5]) == [(2,)]
    assert _run(sql, [2]) == [(5,)]


def test_past_the_limit_statements_run_unprepared(monkeypatch):
    monkeypatch.setattr("core.compiled.MAX_PREPARED", 0)

    assert _run("SELECT %s::int * 3", [3]) == [(9,)]
    assert not any("$1::int * 3" in s for s in _prepared_statements())


# --- fetch and pg_array: a hot path's statements without a Django cursor each, arrays as one parameter ---------

AWKWARD = ["", " padded ", 'say "hi"', "back\\slash", "\\", '"', "{braces}", "a,b", "NULL", "null", "ünïcödé ✓",
           "line\nbreak", "'single'", "trailing\\", "{", "}", "x" * 300]


def test_an_array_parameter_brings_any_text_uuid_and_day_back_as_sent():
    ids = [uuid.uuid4() for _ in range(3)]
    days = [date(2026, 2, 28), date(2024, 2, 29)]

    assert fetch("SELECT %s::varchar[]", [pg_array(AWKWARD)]) == [(AWKWARD,)]
    assert fetch("SELECT %s::uuid[]", [pg_array(ids)]) == [(ids,)]
    assert fetch("SELECT %s::date[]", [pg_array(days)]) == [(days,)]
    assert fetch("SELECT cardinality(%s::text[])", [pg_array([])]) == [(0,)]


def test_fetch_answers_as_a_django_cursor_does_and_translates_errors():
    sql = "SELECT %s::int + 1, '100%%' || %s::text"
    with connection.cursor() as cursor:
        cursor.execute(sql, [1, "x"])
        expected = cursor.fetchall()
        cursor.execute("CREATE TEMP TABLE fetched (n int)")

    assert fetch(sql, [1, "x"]) == expected == [(2, "100%x")]
    assert fetch("INSERT INTO fetched VALUES (%s)", [3]) == []  # no rows to answer
    assert fetch("SELECT n FROM fetched", []) == [(3,)]
    with pytest.raises(DataError), transaction.atomic():
        fetch("SELECT 10 / %s::int", [0])
    assert fetch("SELECT 10 / %s::int", [5]) == [(2,)]


def test_fetch_refuses_to_run_in_a_transaction_that_must_roll_back():
    with transaction.atomic():
        with pytest.raises(DataError), transaction.atomic(savepoint=False):
            fetch("SELECT 10 / %s::int", [0])
        with pytest.raises(TransactionManagementError):
            fetch("SELECT 1", [])


@pytest.mark.django_db(transaction=True)
def test_fetch_follows_a_new_connection():
    assert fetch("SELECT pg_backend_pid()", [])[0][0] == _backend_pid()
    connection.close()
    assert fetch("SELECT %s::int", [7]) == [(7,)]
    assert fetch("SELECT pg_backend_pid()", [])[0][0] == _backend_pid()


def test_where_django_watches_the_queries_fetch_runs_through_its_cursor(django_assert_num_queries):
    with django_assert_num_queries(2) as captured:
        fetch("SELECT %s::int", [1])
        fetch("SELECT %s::int", [2])
    assert all("EXECUTE" in q["sql"] or "SELECT" in q["sql"] for q in captured.captured_queries)


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]

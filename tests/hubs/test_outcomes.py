import uuid
from datetime import date

import pytest
from freezegun import freeze_time

from core.audience import Audience
from core.models import OutboxEvent
from hubs.models import Parcel, ParcelEvent
from hubs.services import OutcomeItem, parcel_outcomes_record, parcels_close_day
from tests.hubs.factories import HubFactory, ParcelFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 10)


def item(parcel, outcome, **kw):
    return OutcomeItem(client_id=kw.pop("client_id", uuid.uuid4()), tracking_id=parcel.tracking_id, outcome=outcome,
                       service_date=parcel.service_date, **kw)


def received_parcels(hub, n):
    return [ParcelFactory(hub=hub, service_date=DAY, status="received") for _ in range(n)]


def test_a_batch_sets_outcomes_and_records_events(hub):
    a, b = received_parcels(hub, 2)
    results = parcel_outcomes_record(hub=hub, items=[
        item(a, "delivered", recipient_name="Ann Lee"), item(b, "attempted", reason="nobody_home")])
    assert [r.result for r in results] == ["applied", "applied"]
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, a.delivered_to, a.delivered_at is not None) == ("delivered", "Ann Lee", True)
    assert (b.status, b.attempt_reason) == ("attempted", "nobody_home")
    assert sorted(OutboxEvent.objects.values_list("type", flat=True)) == ["parcel.attempted", "parcel.delivered"]
    assert {e.audience for e in OutboxEvent.objects.all()} == {Audience.hub(hub.pk)}  # only this hub hears them


def test_the_same_batch_sent_twice_changes_nothing(hub):
    parcels = received_parcels(hub, 3)
    batch = [item(parcels[0], "delivered", recipient_name="Ann"), item(parcels[1], "attempted", reason="refused"),
             item(parcels[2], "out_for_delivery")]
    first = parcel_outcomes_record(hub=hub, items=batch)
    snapshot = list(Parcel.objects.order_by("pk").values())
    counts = (ParcelEvent.objects.count(), OutboxEvent.objects.count())
    second = parcel_outcomes_record(hub=hub, items=batch)
    assert [r.result for r in first] == ["applied"] * 3
    assert [r.result for r in second] == ["duplicate"] * 3
    assert [r.status for r in second] == ["delivered", "attempted", "out_for_delivery"]
    assert list(Parcel.objects.order_by("pk").values()) == snapshot
    assert (ParcelEvent.objects.count(), OutboxEvent.objects.count()) == counts


def test_moves_in_one_batch_apply_in_order(hub):
    parcel = ParcelFactory(hub=hub, service_date=DAY)  # allocated
    results = parcel_outcomes_record(hub=hub, items=[
        item(parcel, "received"), item(parcel, "out_for_delivery"), item(parcel, "delivered", recipient_name="Bo")])
    assert [r.status for r in results] == ["received", "out_for_delivery", "delivered"]
    assert list(parcel.events.values_list("to_status", flat=True)) == ["received", "out_for_delivery", "delivered"]


def test_bad_items_are_rejected_with_a_code_and_do_not_block_the_rest(hub):
    done = ParcelFactory(hub=hub, service_date=DAY, status="delivered")
    ok, no_name, no_reason = received_parcels(hub, 3)
    theirs = ParcelFactory(hub=HubFactory(), service_date=DAY, status="received")
    results = parcel_outcomes_record(hub=hub, items=[
        item(done, "attempted", reason="refused"), item(no_name, "delivered"), item(no_reason, "attempted"),
        item(theirs, "delivered", recipient_name="X"), item(ok, "returned")])
    assert [(r.result, r.code) for r in results] == [
        ("rejected", "invalid_transition"), ("rejected", "recipient_name_required"),
        ("rejected", "reason_required"), ("rejected", "not_found"), ("applied", "")]
    theirs.refresh_from_db()
    assert theirs.status == "received"


@pytest.mark.parametrize("size", [10, 200])
def test_queries_per_batch_do_not_grow_with_its_size(django_assert_max_num_queries, size):
    hubs = [HubFactory(capacity=30) for _ in range(max(size // 30, 1) + 1)]
    parcels = [ParcelFactory(hub=hubs[0], service_date=DAY, status="received") for _ in range(size)]
    items = [item(p, "delivered", recipient_name="R") if i % 3 else item(p, "attempted", reason="refused")
             for i, p in enumerate(parcels)]
    hubs[0].refresh_from_db()
    # lock + seen ids + bulk update + bulk insert events + bulk insert outbox, and the savepoint pair
    with django_assert_max_num_queries(7):
        results = parcel_outcomes_record(hub=hubs[0], items=items)
    assert all(r.result == "applied" for r in results)


@freeze_time("2026-03-11 06:30:00")  # 23:30 PDT on the 10th in Seattle
def test_items_without_a_date_are_for_the_hubs_local_today(hub):
    parcel = ParcelFactory(hub=hub, service_date=DAY, status="received")
    [result] = parcel_outcomes_record(hub=hub, items=[OutcomeItem(uuid.uuid4(), parcel.tracking_id, "returned")])
    assert result.result == "applied"


def test_closing_the_day_returns_what_has_no_outcome_once(hub):
    received = received_parcels(hub, 2)
    ParcelFactory(hub=hub, service_date=DAY, status="delivered")
    assert parcels_close_day(hub=hub, service_date=DAY) == 2
    assert parcels_close_day(hub=hub, service_date=DAY) == 0
    assert {p.status for p in Parcel.objects.filter(pk__in=[p.pk for p in received])} == {"returned"}


@freeze_time("2026-03-11 12:00:00")  # the 11th in Seattle and in New York: yesterday is the 10th for both
def test_the_nightly_close_returns_yesterdays_open_parcels_of_only_the_hubs_that_have_some(
        django_assert_max_num_queries):
    from hubs.tasks import parcels_close_days

    seattle = HubFactory()
    new_york = HubFactory(time_zone="America/New_York", city="New York", state="NY")
    received_parcels(seattle, 2)
    received_parcels(new_york, 1)
    ParcelFactory(hub=new_york, service_date=date(2026, 3, 11), status="received")  # today's: still out
    idle = [HubFactory() for _ in range(5)]
    for hub in idle:
        ParcelFactory(hub=hub, service_date=DAY, status="delivered")

    with django_assert_max_num_queries(2 + 2 * 7):  # find the open days, the hubs, then two closes
        assert parcels_close_days() == 3
    assert parcels_close_days() == 0
    assert Parcel.objects.filter(status="returned").count() == 3
    assert Parcel.objects.get(service_date=date(2026, 3, 11)).status == "received"


@pytest.mark.parametrize("writer", ["_write_postgresql", "_write_portable"])
def test_both_ways_of_writing_a_batch_store_the_same_outcomes(hub, monkeypatch, writer):
    """The PostgreSQL-only statement (update, log rows and outbox in one round trip) and the portable
    bulk_update/bulk_create (the embedded default's) write alike."""
    from hubs.services import parcels as module

    monkeypatch.setattr(module, "_write", getattr(module, writer))
    a, b, c = received_parcels(hub, 3)
    with freeze_time("2026-03-10 15:00:00"):
        parcel_outcomes_record(hub=hub, items=[
            item(a, "delivered", recipient_name="Ann Lee"), item(b, "attempted", reason="nobody_home"),
            item(c, "out_for_delivery")])
    rows = {p.pk: p for p in Parcel.objects.filter(pk__in=[a.pk, b.pk, c.pk])}
    assert (rows[a.pk].status, rows[a.pk].delivered_to, rows[a.pk].delivered_at.isoformat()) == (
        "delivered", "Ann Lee", "2026-03-10T15:00:00+00:00")
    assert (rows[b.pk].status, rows[b.pk].attempt_reason, rows[b.pk].attempted_at is not None) == (
        "attempted", "nobody_home", True)
    assert (rows[c.pk].status, rows[c.pk].delivered_at, rows[c.pk].proof_photo.name) == ("out_for_delivery", None, "")
    assert all(p.updated_at.isoformat() == "2026-03-10T15:00:00+00:00" for p in rows.values())
    logged = ParcelEvent.objects.filter(parcel__in=[a, b, c]).order_by("parcel_id")
    assert [(e.parcel_id, e.hub_id, e.from_status, e.to_status, e.recipient_name, e.reason) for e in logged] == [
        (a.pk, hub.pk, "received", "delivered", "Ann Lee", ""),
        (b.pk, hub.pk, "received", "attempted", "", "nobody_home"),
        (c.pk, hub.pk, "received", "out_for_delivery", "", "")]
    outbox = {e.subject_id: e for e in OutboxEvent.objects.filter(subject_type="hubs.parcel")}
    assert {k: (e.type, e.audience_hub_id, e.audience_has_partners, e.payload["tracking_id"])
            for k, e in outbox.items()} == {str(a.pk): ("parcel.delivered", hub.pk, False, a.tracking_id),
                                            str(b.pk): ("parcel.attempted", hub.pk, False, b.tracking_id)}
    assert outbox[str(b.pk)].payload["reason"] == "nobody_home"
    assert outbox[str(a.pk)].created_at.isoformat() == "2026-03-10T15:00:00+00:00"


def test_a_client_id_used_by_one_hub_does_not_swallow_another_hubs_outcome(hub):
    other = HubFactory()
    mine = ParcelFactory(hub=hub, service_date=DAY, status="received")
    theirs = ParcelFactory(hub=other, service_date=DAY, status="received")
    shared = uuid.uuid4()

    first = parcel_outcomes_record(hub=hub, items=[item(mine, "delivered", client_id=shared, recipient_name="A")])
    second = parcel_outcomes_record(hub=other, items=[item(theirs, "delivered", client_id=shared, recipient_name="B")])

    assert [r.result for r in first + second] == ["applied", "applied"]
    theirs.refresh_from_db()
    assert theirs.status == "delivered"
    assert ParcelEvent.objects.filter(client_id=shared).count() == 2
    again = parcel_outcomes_record(hub=other, items=[item(theirs, "delivered", client_id=shared, recipient_name="B")])
    assert again[0].result == "duplicate"


@pytest.mark.django_db(transaction=True)
def test_the_per_hub_migration_copies_each_events_hub_from_its_parcel():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    parcel = ParcelFactory(service_date=DAY, status="received")
    parcel_outcomes_record(hub=parcel.hub, items=[item(parcel, "delivered", recipient_name="Ann")])
    executor = MigrationExecutor(connection)
    executor.migrate([("hubs", "0003_statement_transfer")])  # unapplies every later migration that depends on it
    try:
        executor.loader.build_graph()
        executor.migrate([("hubs", "0004_parcelevent_client_id_per_hub")])

        assert list(ParcelEvent.objects.values_list("hub_id", flat=True)) == [parcel.hub_id]
    finally:  # the database as every other test finds it: all of them applied (routes' triggers included)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

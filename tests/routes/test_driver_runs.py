"""Runs of plain stop outcomes (delivered/attempted without files or scans) applied together: the same answers,
rows, events and receipts as one by one, in a fixed number of statements; a refused item blocks no other; the
recipients hear of them as one by one (tests/routes/test_driver_recipients.py compares the messages)."""

import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import OfflineReceipt, OutboxEvent, OutboxEventPartner
from routes.models import Package, PackageStatus, ProofRule, RecipientNotification, RouteStop, StopEvent, StopProof
from routes.services import driver_batch_apply
from tests.concurrency import run_at_once
from tests.routes.test_driver import item, post, stops_of


@pytest.fixture
def driver(token_client, published):
    return token_client(published["driver_user"])


@pytest.fixture
def quiet(published):
    """The route's recipients gave no e-mail and no phone: nobody is told of its outcomes."""
    Package.objects.filter(stop__route=published["route"]).update(recipient_email="", recipient_phone="")
    return published


def test_a_run_applies_every_outcome_once_with_its_rows_and_events(driver, quiet):
    stops = stops_of(quiet["route"])[:6]
    items = [item("delivered", stop=s.pk, note=" at the door ") for s in stops[:5]]
    items.append(item("attempted", stop=stops[5].pk, reason="nobody_home"))
    told = RecipientNotification.objects.count()  # when the route started
    with CaptureQueriesContext(connection) as ctx:
        results = post(driver, *items)
    assert [(r["result"], r["status"], r["stop"]) for r in results] == (
        [("applied", "delivered", s.pk) for s in stops[:5]] + [("applied", "attempted", stops[5].pk)])
    assert len(ctx.captured_queries) <= 20, [q["sql"][:80] for q in ctx.captured_queries]

    rows = {s.pk: s for s in RouteStop.objects.filter(pk__in=[s.pk for s in stops])}
    for s, sent in zip(stops, items, strict=True):
        row = rows[s.pk]
        assert str(row.outcome_client_id) == sent["client_id"] and row.outcome_at is not None
        [log] = StopEvent.objects.filter(stop=s)
        assert (log.from_status, log.to_status, str(log.client_id)) == ("pending", row.status, sent["client_id"])
        assert log.actor == quiet["driver_user"] and log.occurred_at is not None
        status = PackageStatus.DELIVERED if row.status == "delivered" else PackageStatus.ATTEMPTED
        assert set(Package.objects.filter(stop=s).values_list("status", flat=True)) == {status}
    assert rows[stops[0].pk].note == "at the door"
    assert (rows[stops[5].pk].attempt_reason, StopEvent.objects.get(stop=stops[5]).note) == ("nobody_home",) * 2

    events = list(OutboxEvent.objects.filter(type__startswith="stop.").order_by("payload__sequence"))
    assert [e.type for e in events] == ["stop.delivered"] * 5 + ["stop.attempted"]
    first = events[0]
    assert first.payload["stop_id"] == stops[0].pk and first.payload["proof"] == []
    assert first.payload["tracking_ids"] == sorted(Package.objects.filter(stop=stops[0])
                                                   .values_list("tracking_id", flat=True))
    assert events[5].payload["reason"] == "nobody_home"
    assert set(OutboxEventPartner.objects.filter(event__in=events).values_list("partner_id", flat=True)) == {
        quiet["partner"].pk}
    assert OfflineReceipt.objects.filter(client_id__in=[i["client_id"] for i in items]).count() == 6
    assert RecipientNotification.objects.count() == told

    again = post(driver, *items)
    assert [r["result"] for r in again] == ["duplicate"] * 6
    assert again[0]["status"] == "delivered"
    assert StopEvent.objects.filter(stop__in=stops).count() == 6
    assert OutboxEvent.objects.filter(type__startswith="stop.").count() == 6


def test_a_refused_item_in_a_run_changes_nothing_and_blocks_no_other(driver, quiet, published_ready):
    stops = stops_of(quiet["route"])
    Package.objects.filter(stop=stops[3]).update(delivery_pin="4821")
    done = item("delivered", stop=stops[0].pk)
    results = post(driver, done,
                   item("delivered", stop=999_999_999),
                   item("attempted", stop=stops[1].pk),  # no reason
                   item("delivered", stop=stops[0].pk),  # a second outcome for the first stop
                   item("delivered", stop=stops[3].pk, pin="1111"),
                   item("delivered", stop=stops[2].pk, age_checked=True),
                   item("delivered", stop=stops[3].pk, pin="4821"),
                   {**item("delivered", stop=stops[4].pk), "client_id": done["client_id"]})  # the same id again
    assert [(r["result"], r["code"]) for r in results] == [
        ("applied", ""), ("rejected", "not_found"), ("rejected", "reason_required"), ("rejected", "stop_done"),
        ("rejected", "pin_mismatch"), ("applied", ""), ("applied", ""), ("duplicate", "")]
    assert RouteStop.objects.get(pk=stops[1].pk).status == "pending"
    assert RouteStop.objects.get(pk=stops[4].pk).status == "pending"
    assert set(StopProof.objects.values_list("stop_id", "kind")) == {(stops[2].pk, "age_check"),
                                                                      (stops[3].pk, "pin")}
    assert "4821" not in StopProof.objects.get(kind="pin").detail
    pin_event = OutboxEvent.objects.get(type="stop.delivered", payload__stop_id=stops[3].pk)
    assert pin_event.payload["proof"] == ["pin"]

    ProofRule.objects.filter(applies_to="all").update(active=True)  # a photo on every delivery
    refused = post(driver, item("delivered", stop=stops[5].pk), item("attempted", stop=stops[6].pk,
                                                                     reason="refused"))
    assert [(r["result"], r["code"]) for r in refused] == [("rejected", "proof_missing"), ("applied", "")]


def test_a_run_is_undone_like_one_outcome(driver, quiet):
    first, second = stops_of(quiet["route"])[:2]
    delivered, attempted = item("delivered", stop=first.pk), item("attempted", stop=second.pk, reason="refused")
    post(driver, delivered, attempted)
    [undo] = post(driver, item("undo", stop=first.pk, undoes=delivered["client_id"]))
    assert undo["result"] == "applied"
    first.refresh_from_db()
    assert first.status == "pending" and not first.outcome_client_id
    assert list(first.events.values_list("to_status", flat=True)) == ["delivered", "pending"]
    assert set(Package.objects.filter(stop=first).values_list("status", flat=True)) == {PackageStatus.ROUTED}


def test_a_run_on_a_route_whose_recipients_hear_of_outcomes_is_applied_together(driver, published):
    stops = [s for s in stops_of(published["route"]) if Package.objects.filter(stop=s).exclude(recipient_email="")]
    first, second = stops[:2]
    with CaptureQueriesContext(connection) as ctx:
        results = post(driver, item("delivered", stop=first.pk), item("attempted", stop=second.pk, reason="refused"))
    assert [r["result"] for r in results] == ["applied", "applied"]
    assert len(ctx.captured_queries) <= 25, [q["sql"][:80] for q in ctx.captured_queries]  # not a few per tap
    told = set(RecipientNotification.objects.values_list("package__stop_id", "trigger"))
    assert {(first.pk, "delivered"), (second.pk, "attempted")} <= told


def test_a_route_that_is_not_started_refuses_the_whole_run(token_client, published_ready):
    Package.objects.filter(stop__route=published_ready["route"]).update(recipient_email="", recipient_phone="")
    driver = token_client(published_ready["driver_user"])
    stops = stops_of(published_ready["route"])[:2]
    results = post(driver, item("delivered", stop=stops[0].pk), item("delivered", stop=stops[1].pk))
    assert [r["code"] for r in results] == ["route_not_started"] * 2
    assert not StopEvent.objects.exists() and not OfflineReceipt.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_one_run_sent_twice_at_once_is_applied_once(published):
    Package.objects.filter(stop__route=published["route"]).update(recipient_email="", recipient_phone="")
    user = published["driver_user"]
    stops = published["route"].stops.filter(kind="address").order_by("sequence")[:3]
    taps = [item("delivered", stop=s.pk) for s in stops]

    def send():
        results = driver_batch_apply(user=user, items=[dict(t) for t in taps])
        return SimpleNamespace(status=",".join(r.result for r in results))

    outcomes = run_at_once([send, send])
    assert sorted(outcomes) == [("ok", "applied,applied,applied"), ("ok", "duplicate,duplicate,duplicate")], outcomes
    assert StopEvent.objects.filter(stop__in=stops).count() == 3
    assert OutboxEvent.objects.filter(type="stop.delivered").count() == 3
    assert OfflineReceipt.objects.filter(client_id__in=[uuid.UUID(t["client_id"]) for t in taps]).count() == 3


def test_runs_events_go_to_the_webhooks_after_commit_one_queued_task_for_many_batches(
        driver, quiet, monkeypatch, django_capture_on_commit_callbacks):
    """Each batch's events are dispatched after its commit, but a batch that finds a dispatch queued and not yet
    started queues nothing: that task reads every event committed before it starts."""
    import integrations.tasks

    sent = []
    monkeypatch.setattr(integrations.tasks, "enqueue", lambda task, *args: sent.append((task.name, args)) or True)
    stops = stops_of(quiet["route"])
    with django_capture_on_commit_callbacks(execute=True):
        post(driver, *[item("delivered", stop=s.pk) for s in stops[:3]])
    with django_capture_on_commit_callbacks(execute=True):
        post(driver, *[item("delivered", stop=s.pk) for s in stops[3:5]])
    assert sent == [("integrations.tasks.events_dispatch_waiting", ())]
    assert OutboxEvent.objects.filter(type="stop.delivered", dispatched_at__isnull=True).count() == 5

    integrations.tasks.events_dispatch_waiting()  # the queued task, run by a worker
    assert not OutboxEvent.objects.filter(dispatched_at__isnull=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        post(driver, *[item("delivered", stop=s.pk) for s in stops[5:7]])
    assert len(sent) == 2  # started, the task no longer stands for later batches
    assert sent[1] == ("integrations.tasks.events_dispatch_waiting", ())


def test_a_batch_whose_dispatch_could_not_be_queued_leaves_the_next_batch_to_queue_it(
        driver, quiet, monkeypatch, django_capture_on_commit_callbacks):
    import integrations.tasks

    sent = []
    monkeypatch.setattr(integrations.tasks, "enqueue", lambda task, *args: sent.append(task.name) and False)
    stops = stops_of(quiet["route"])
    for pair in (stops[:2], stops[2:4]):
        with django_capture_on_commit_callbacks(execute=True):
            post(driver, *[item("delivered", stop=s.pk) for s in pair])
    assert sent == ["integrations.tasks.events_dispatch_waiting"] * 2  # the broker was down: each batch tried

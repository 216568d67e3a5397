"""A run of stop outcomes applied together tells each recipient exactly what the outcomes one by one would have told
them: the same messages (delivered, attempted with its reason, "a few stops away" with the stops left and the ETA
of that moment), each once, the same e-mails and texts in the same order, the same `recipient.notified` events.

Each test plays one sequence of taps twice on the same day, one by one (`stop_outcome_record`, the reference) and
as one batch from the phone (`driver_batch_apply`, which applies the run together), each in a savepoint rolled
back after its messages are read, and compares what the recipients got. Runs on PostgreSQL (the suite) and on
SQLite: `pytest tests/routes/test_driver_recipients.py --ds=dsp_portal.test_settings_embedded`."""

import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from core.models import OutboxEmail, OutboxEvent
from routes import sms
from routes.models import LiveSettings, Package, PackageStatus, RecipientNotification, RouteStop, StopKind
from routes.services import driver_batch_apply, route_start, stop_outcome_record
from tests.routes.live_day import live_day

pytestmark = pytest.mark.django_db

STARTED = "2026-12-01 16:05:00"  # 08:05 in Seattle
LATE = "2026-12-01 18:40:00"  # 10:40: the first stops are overdue, so the ETAs carry a delay


class _Rollback(Exception):
    pass


@pytest.fixture
def day(django_capture_on_commit_callbacks):
    """live_day's first route, grown to twelve stops with a mix of recipients (e-mail and phone, e-mail only,
    phone only, nobody to tell, two packages at one stop, a hub stop with a parcel), started at 08:05."""
    world = live_day()
    route = world.routes[0]
    station = world.station
    kinds = {6: "email", 7: "phone", 8: "none", 9: "two", 10: "hub", 11: "both", 12: "email"}
    for k, what in kinds.items():
        lat, lng = Decimal("47.560000") + Decimal(k) / 500, Decimal("-122.330000") + Decimal(k) / 500
        stop = RouteStop.objects.create(route=route, sequence=k, latitude=lat, longitude=lng, address=f"{k} Elm St",
                                        service_s=180, planned_arrival_s=11 * 3600 + 600 * (k - 5),
                                        kind=StopKind.HUB if what == "hub" else StopKind.ADDRESS)
        for j in range(2 if what == "two" else 1):
            Package.objects.create(
                station=station, service_date=route.service_date, tracking_id=f"X{k:02d}{j}", recipient_name="R",
                address_line1=f"{k} Elm St", city="Seattle", latitude=lat, longitude=lng, address_key=f"x-{k}-{j}",
                recipient_email=f"x{k}{j}@example.com" if what in ("email", "two", "both", "hub") else "",
                recipient_phone=f"+1206777{k:02d}{j}0" if what in ("phone", "two", "both", "hub") else "",
                stop=stop, status=PackageStatus.ROUTED)
    route.stop_count = route.load = 12
    route.end_s = 13 * 3600
    route.save(update_fields=["stop_count", "load", "end_s"])
    with freeze_time(STARTED), django_capture_on_commit_callbacks(execute=True):
        route_start(route=route, by=world.driver_users[0])
    stops = {s.sequence: s for s in route.stops.all()}
    return world, route, stops


def _told(since_mail: int, since_sms: int) -> dict:
    """What the recipients got since the marks: rows, e-mails and texts in the order sent, events."""
    rows = sorted((n.package.tracking_id, n.trigger, n.channel, n.to, n.body, n.sent_at is not None, n.error)
                  for n in RecipientNotification.objects.select_related("package").exclude(trigger="route_started"))
    emails = [(e.to, e.subject, e.body) for e in OutboxEmail.objects.filter(dedupe_key__startswith="recipient:")
              .order_by("pk")]
    keys = sorted(OutboxEmail.objects.filter(dedupe_key__startswith="recipient:").values_list("dedupe_key",
                                                                                               flat=True))
    by_id = {f"recipient:{n.pk}": (n.package_id, n.trigger, n.channel) for n in RecipientNotification.objects.all()}
    events = sorted(str(sorted(e.payload.items())) + str(e.partner_ids)
                    for e in _notified())
    return {"rows": rows, "emails": emails,
            "email_keys": sorted(by_id[k] for k in keys),
            "mail_outbox": [(m.to, m.subject, m.body) for m in mail.outbox[since_mail:]],
            "sms_outbox": [(m["to"], m["body"]) for m in sms.outbox[since_sms:]], "events": events}


def _notified():
    for event in OutboxEvent.objects.filter(type="recipient.notified").prefetch_related("audience_partners"):
        event.partner_ids = sorted(p.partner_id for p in event.audience_partners.all())
        yield event


def _play(fn, capture) -> dict:
    """Run `fn` in a savepoint with its after-commit work (e-mails, texts) done, read what the recipients got, and
    roll it all back."""
    marks = (len(mail.outbox), len(sms.outbox))
    got = {}
    try:
        with transaction.atomic():
            with capture(execute=True):
                fn()
            got.update(_told(*marks))
            raise _Rollback
    except _Rollback:
        pass
    del mail.outbox[marks[0]:]
    del sms.outbox[marks[1]:]
    return got


TAPS = [  # (sequence, kind, reason): out of order, a second outcome for one stop, a hub stop, the last stops
    (1, "delivered", ""), (3, "attempted", "nobody_home"), (2, "delivered", ""), (1, "delivered", ""),
    (5, "attempted", "access_problem"), (4, "delivered", ""), (7, "delivered", ""), (6, "attempted", "refused"),
    (10, "delivered", ""), (9, "delivered", ""), (8, "delivered", ""), (12, "delivered", ""), (11, "delivered", ""),
]


def _one_by_one(world, stops, taps):
    def run():
        for sequence, kind, reason in taps:
            try:
                with transaction.atomic():
                    stop_outcome_record(stop=stops[sequence], outcome=kind, reason=reason, client_id=uuid.uuid4(),
                                        by=world.driver_users[0])
            except Exception as exc:  # noqa: BLE001 - the refused tap (a second outcome) changes nothing
                assert getattr(exc, "code", "") == "stop_done", exc
    return run


def _batched(world, stops, taps, expect_batched=True):
    def run():
        items = [{"client_id": str(uuid.uuid4()), "kind": kind, "stop": stops[sequence].pk,
                  **({"reason": reason} if reason else {})} for sequence, kind, reason in taps]
        with CaptureQueriesContext(connection) as ctx:
            results = driver_batch_apply(user=world.driver_users[0], items=items)
        assert [r.code for r in results if r.result == "rejected"] == ["stop_done"] * sum(
            1 for k, t in enumerate(taps) if t[0] in [u[0] for u in taps[:k]])
        if expect_batched:  # applied together: a fixed number of statements, not a few per tap
            assert len(ctx.captured_queries) <= 30, [q["sql"][:90] for q in ctx.captured_queries]
    return run


@pytest.mark.parametrize("taps", [TAPS, TAPS[:3], list(reversed(TAPS[4:]))], ids=["all", "first", "backwards"])
def test_a_batch_tells_each_recipient_what_one_by_one_would(day, taps, django_capture_on_commit_callbacks):
    world, route, stops = day
    with freeze_time(LATE):
        reference = _play(_one_by_one(world, stops, taps), django_capture_on_commit_callbacks)
        batched = _play(_batched(world, stops, taps), django_capture_on_commit_callbacks)
    assert reference["rows"], "the taps told somebody something"
    assert {r[1] for r in reference["rows"]} >= {"delivered", "nearby"}
    for name in reference:
        assert batched[name] == reference[name], name


def test_a_message_already_sent_is_not_sent_again_and_the_window_follows_the_settings(
        day, django_capture_on_commit_callbacks):
    world, route, stops = day
    LiveSettings.objects.update_or_create(pk=1, defaults={"nearby_stops": 5})
    with freeze_time(LATE), django_capture_on_commit_callbacks(execute=True):
        # stop 4's recipients already heard "delivered" (a tap undone, say): they are not told twice
        stop_outcome_record(stop=stops[4], outcome="delivered", client_id=uuid.uuid4(), by=world.driver_users[0])
    from routes.services import stop_outcome_undo

    with freeze_time(LATE):
        stop_outcome_undo(stop=stops[4], undone_client_id=RouteStop.objects.get(pk=stops[4].pk).outcome_client_id,
                          by=world.driver_users[0])
        taps = [(1, "delivered", ""), (4, "delivered", ""), (2, "attempted", "refused")]
        reference = _play(_one_by_one(world, stops, taps), django_capture_on_commit_callbacks)
        batched = _play(_batched(world, stops, taps), django_capture_on_commit_callbacks)
    assert sum(1 for r in reference["rows"] if r[0] == "T104" and r[1] == "delivered") == 2  # e-mail and text
    assert not any(m[1].startswith("Your package T104 was delivered") for m in reference["mail_outbox"])
    assert {r[0] for r in reference["rows"] if r[1] == "nearby"} >= {"X060", "X070"}  # five stops ahead
    for name in reference:
        assert batched[name] == reference[name], name


def test_a_batch_on_a_route_whose_recipients_gave_no_contact_tells_nobody(day, django_capture_on_commit_callbacks):
    world, route, stops = day
    before = RecipientNotification.objects.count()
    Package.objects.filter(stop__route=route).update(recipient_email="", recipient_phone="")
    with freeze_time(LATE):
        got = _play(_batched(world, stops, TAPS), django_capture_on_commit_callbacks)
    assert got["mail_outbox"] == got["sms_outbox"] == []
    assert RecipientNotification.objects.count() == before


def test_no_channel_in_use_tells_nobody(day, settings, django_capture_on_commit_callbacks):
    world, route, stops = day
    settings.RECIPIENT_NOTIFY_CHANNELS = ["sms"]
    with freeze_time(LATE):
        reference = _play(_one_by_one(world, stops, TAPS[:5]), django_capture_on_commit_callbacks)
        batched = _play(_batched(world, stops, TAPS[:5]), django_capture_on_commit_callbacks)
    assert reference["mail_outbox"] == [] and reference["sms_outbox"]
    for name in reference:
        assert batched[name] == reference[name], name



def test_a_batchs_emails_go_to_the_broker_a_few_tasks_not_one_each(day, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    import core.taskqueue
    from routes.services import recipients

    world, route, stops = day
    queued = []
    monkeypatch.setattr(core.taskqueue, "enqueue", lambda task, *args: queued.append((task, args)))
    monkeypatch.setattr(recipients, "MAILS_PER_TASK", 5)
    before = set(OutboxEmail.objects.values_list("pk", flat=True))
    with freeze_time(LATE), django_capture_on_commit_callbacks(execute=True):
        driver_batch_apply(user=world.driver_users[0], items=[
            {"client_id": str(uuid.uuid4()), "kind": kind, "stop": stops[sequence].pk,
             **({"reason": reason} if reason else {})} for sequence, kind, reason in TAPS])
    emails = sorted(set(OutboxEmail.objects.values_list("pk", flat=True)) - before)
    assert len(emails) > 10  # a few tasks' worth
    mail_tasks = [args for task, args in queued if task == "routes.recipient_mails_send"]
    assert sorted(pk for (ids,) in mail_tasks for pk in ids) == emails
    assert len(mail_tasks) == -(-len(emails) // 5)
    assert not [task for task, _args in queued if task == "core.tasks.mail_send"]

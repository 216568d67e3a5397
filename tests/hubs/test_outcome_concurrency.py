"""A hub's outcome batch sent twice at once (the phone retrying while the first send still runs), on PostgreSQL
with real threads: every parcel moves once, one event and one outbox row per outcome, whatever the keys."""

import uuid
from datetime import date
from types import SimpleNamespace

import pytest

from core.models import IdempotencyRecord, OutboxEvent
from hubs.models import Parcel, ParcelEvent
from tests.concurrency import run_at_once
from tests.hubs.factories import HubFactory, ParcelFactory

DAY = date(2026, 3, 10)


def _batch(parcels):
    return {"items": [{"client_id": str(uuid.uuid4()), "tracking_id": p.tracking_id, "outcome": "delivered",
                       "service_date": str(p.service_date), "recipient_name": "Front desk"} for p in parcels]}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keys", [["same", "same", "same"], [None, None, None], ["k1", "k2", None]])
def test_a_batch_sent_three_times_at_once_moves_each_parcel_once(token_client, keys):
    hub = HubFactory()
    parcels = [ParcelFactory(hub=hub, service_date=DAY, status="received") for _ in range(5)]
    body = _batch(parcels)
    answers = []

    def send(key):
        def call():
            headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
            response = token_client(hub.owner).post("/api/v1/hubs/outcomes/batch/", body, format="json", **headers)
            answers.append(response.json())
            return SimpleNamespace(status=response.status_code)
        return call

    outcomes = run_at_once([send(k) for k in keys])

    assert outcomes == [("ok", 200)] * 3, outcomes
    assert set(Parcel.objects.filter(hub=hub).values_list("status", flat=True)) == {"delivered"}
    assert ParcelEvent.objects.filter(hub=hub).count() == 5
    assert OutboxEvent.objects.filter(type="parcel.delivered").count() == 5
    applied = [r["result"] for answer in answers for r in answer["results"]].count("applied")
    if keys == ["same"] * 3:  # one ran; the others replayed its answer
        assert all(answer == answers[0] for answer in answers) and applied == 15
        assert IdempotencyRecord.objects.filter(key="same").count() == 1
    else:  # each ran; the item ids made the later ones duplicates
        assert applied == 5

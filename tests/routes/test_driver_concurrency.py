"""The same tap sent twice at once (a phone retrying over a flaky network while the first send is still running),
on PostgreSQL with real threads: it is applied once, the other send answers duplicate."""

import uuid
from types import SimpleNamespace

import pytest
from django.utils import timezone

from core.models import OfflineReceipt, OutboxEvent
from routes.models import RouteStop, StopEvent, StopStatus
from routes.services import driver_batch_apply
from tests.concurrency import run_at_once


@pytest.mark.django_db(transaction=True)
def test_one_tap_sent_twice_at_once_is_applied_once(published):
    user = published["driver_user"]
    stop = published["route"].stops.filter(kind="address").order_by("sequence").first()
    tap = {"client_id": str(uuid.uuid4()), "kind": "attempted", "stop": stop.pk, "reason": "nobody_home",
           "occurred_at": timezone.now().isoformat()}

    def send():
        [result] = driver_batch_apply(user=user, items=[dict(tap)])
        return SimpleNamespace(status=result.result)

    outcomes = run_at_once([send, send])
    assert sorted(outcomes) == [("ok", "applied"), ("ok", "duplicate")], outcomes
    assert RouteStop.objects.get(pk=stop.pk).status == StopStatus.ATTEMPTED
    assert StopEvent.objects.filter(stop=stop).count() == 1
    assert OutboxEvent.objects.filter(type="stop.attempted").count() == 1
    assert OfflineReceipt.objects.filter(client_id=tap["client_id"]).count() == 1

"""The server side of the offline outbox: each phone item applies once per sender and client id."""

import base64
import uuid

import pytest

from core.errors import ValidationFailed
from core.models import OfflineReceipt
from core.offline import data_url_file, offline_batch_apply
from tests.factories import UserFactory

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9aw"
                       "AAAABJRU5ErkJggg==")


def _handlers(applied):
    def tap(item):
        if item.get("stop") == "bad":
            raise ValidationFailed("This stop cannot be marked.", code="nope")
        applied.append(item["client_id"])
        return {"status": "delivered"}
    return {"tap": tap}


@pytest.mark.django_db
def test_a_resent_item_is_applied_once_and_answers_duplicate_with_the_first_result():
    user, applied = UserFactory(), []
    item = {"client_id": str(uuid.uuid4()), "kind": "tap", "stop": 1}
    [first] = offline_batch_apply(actor=user, items=[item], handlers=_handlers(applied))
    [again] = offline_batch_apply(actor=user, items=[item], handlers=_handlers(applied))
    assert (first.result, again.result) == ("applied", "duplicate")
    assert again.as_dict()["status"] == "delivered"
    assert applied == [item["client_id"]]
    assert OfflineReceipt.objects.filter(client_id=item["client_id"]).count() == 1


@pytest.mark.django_db
def test_a_rejected_item_changes_nothing_and_does_not_block_the_others():
    user, applied = UserFactory(), []
    bad = {"client_id": str(uuid.uuid4()), "kind": "tap", "stop": "bad"}
    good = {"client_id": str(uuid.uuid4()), "kind": "tap", "stop": 2}
    nameless = {"kind": "tap"}
    odd = {"client_id": str(uuid.uuid4()), "kind": "dance"}
    results = offline_batch_apply(actor=user, items=[bad, good, nameless, odd], handlers=_handlers(applied))
    assert [r.result for r in results] == ["rejected", "applied", "rejected", "rejected"]
    assert [r.code for r in results] == ["nope", "", "bad_client_id", "unknown_kind"]
    assert results[0].detail == "This stop cannot be marked."
    assert applied == [good["client_id"]]
    assert not OfflineReceipt.objects.filter(client_id=bad["client_id"]).exists()  # a resend is judged again


@pytest.mark.django_db
def test_client_ids_are_per_sender():
    applied, cid = [], str(uuid.uuid4())
    a, b = UserFactory(), UserFactory()
    for user in (a, b):
        item = {"client_id": cid, "kind": "tap"}
        [result] = offline_batch_apply(actor=user, items=[item], handlers=_handlers(applied))
        assert result.result == "applied"
    assert len(applied) == 2


def test_a_data_url_becomes_a_checked_upload_and_anything_else_is_refused_with_a_sentence():
    upload = data_url_file("data:image/png;base64," + base64.b64encode(PNG).decode(), field="signature", name="s.png")
    assert upload.read() == PNG
    assert data_url_file("", field="photo", name="p.jpg") is None
    for bad in ["hello", "data:image/png;base64,@@@", "data:text/plain;base64," + base64.b64encode(b"hi").decode()]:
        with pytest.raises(ValidationFailed) as exc:
            data_url_file(bad, field="photo", name="p.jpg")
        assert exc.value.detail


def test_the_service_worker_is_served_from_the_root_with_the_whole_site_as_its_scope(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Content-Type"].startswith("application/javascript")
    assert b"offline:cache-page" in response.content

"""Idempotency-Key: replay, 422 on a different body, 409 while the first is still running."""

import hashlib
import json
import threading
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.client import encode_multipart
from rest_framework.test import APIClient

from accounts.services import api_token_create
from core.models import IdempotencyRecord, OutboxEvent
from tests.concurrency import run_at_once
from tests.core import urls_idempotency

pytestmark = pytest.mark.urls("tests.core.urls_idempotency")


BOTH = pytest.mark.parametrize("path", ["/create/", "/create-atomic/"])


@pytest.mark.django_db
@BOTH
def test_same_key_and_body_replays_the_first_response(user, token_client, path):
    client = token_client(user)
    first = client.post(path, {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post(path, {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert OutboxEvent.objects.count() == 1
    record = IdempotencyRecord.objects.get(key="k-1")
    assert record.state == IdempotencyRecord.State.DONE and record.response_status == 201
    assert record.response_body == first.json()


@pytest.mark.django_db
@BOTH
def test_same_key_with_a_different_body_is_422(user, token_client, path):
    client = token_client(user)
    client.post(path, {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(path, {"n": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_per_user(user, make_user, token_client):
    other = make_user()
    token_client(user).post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = token_client(other).post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert OutboxEvent.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_every_post_creates(user, token_client):
    client = token_client(user)
    client.post("/create/", {"n": 1}, format="json")
    client.post("/create/", {"n": 1}, format="json")
    assert OutboxEvent.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_duplicate_while_the_first_is_running_is_409(user, token_client):
    client_a, client_b = token_client(user), token_client(user)
    urls_idempotency.entered.clear()
    urls_idempotency.release.clear()
    results = {}

    def first():
        try:
            results["first"] = client_a.post("/create/", {"wait": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert urls_idempotency.entered.wait(timeout=10)
    duplicate = client_b.post("/create/", {"wait": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    urls_idempotency.release.set()
    thread.join(timeout=10)

    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "idempotency_in_progress"
    assert results["first"].status_code == 201
    replay = client_b.post("/create/", {"wait": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-9")
    assert replay.status_code == 201
    assert replay.json() == results["first"].json()
    assert OutboxEvent.objects.count() == 1
    assert IdempotencyRecord.objects.get(key="k-9").state == IdempotencyRecord.State.DONE


@pytest.mark.django_db
def test_a_key_whose_first_request_died_is_taken_over_after_the_lease(user, token_client, settings):
    """The first request's worker was killed: its record stays "in progress". Within the lease a retry is 409;
    after it, the retry runs once and later duplicates replay it."""
    client = token_client(user)
    with override_first_request_died(client, key="k-dead") as record:
        fresh = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-dead")
        assert fresh.status_code == 409
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            created_at=record.created_at - settings.IDEMPOTENCY_IN_PROGRESS_LEASE - timedelta(seconds=1))
        retry = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-dead")
        again = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-dead")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == retry.json()
    assert OutboxEvent.objects.count() == 1
    assert IdempotencyRecord.objects.get(key="k-dead").state == IdempotencyRecord.State.DONE


@contextmanager
def override_first_request_died(client, *, key):
    """Leave the record a request leaves when its process dies after claiming the key (same body as the retry)."""
    first = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY=f"{key}-probe")
    assert first.status_code == 201
    probe = IdempotencyRecord.objects.get(key=f"{key}-probe")
    OutboxEvent.objects.all().delete()
    record = IdempotencyRecord.objects.create(user=probe.user, scope=probe.scope, key=key,
                                              fingerprint=probe.fingerprint)
    probe.delete()
    yield record


@pytest.mark.django_db
def test_a_failed_request_does_not_burn_the_key(user, token_client):
    client = token_client(user)
    response = client.post("/create/", "not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-2").exists()
    assert client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_of_a_refused_request_never_answer_500(user):
    """The first attempt frees the key when it is refused; duplicates racing it claim again or see it running."""
    _token, raw = api_token_create(user=user, created_by=user, name="burst", scopes=["account:write"])

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post("/create/", {"invalid": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-burst")
        return SimpleNamespace(status=response.status_code)

    outcomes = run_at_once([post] * 50)

    assert all(outcome in (("ok", 400), ("ok", 409)) for outcome in outcomes), outcomes
    assert ("ok", 400) in outcomes
    assert not IdempotencyRecord.objects.filter(key="k-burst").exists()
    assert OutboxEvent.objects.count() == 0


def _multipart(client, boundary, *, content=b"receipt bytes", note="fuel"):
    body = encode_multipart(boundary, {"note": note, "file": SimpleUploadedFile("receipt.pdf", content)})
    return client.post("/upload/", body, content_type=f"multipart/form-data; boundary={boundary}",
                       HTTP_IDEMPOTENCY_KEY="k-upload")


@pytest.mark.django_db
def test_a_multipart_retry_with_a_new_boundary_replays_the_first_answer(user, token_client):
    client = token_client(user)
    first = _multipart(client, "boundary-first-attempt")
    retry = _multipart(client, "boundary-the-retry-picked")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_multipart_retry_with_another_file_or_field_is_422(user, token_client):
    client = token_client(user)
    assert _multipart(client, "b-1").status_code == 201
    other_file = _multipart(client, "b-2", content=b"another receipt")
    other_note = _multipart(client, "b-3", note="tyres")
    assert other_file.status_code == other_note.status_code == 422
    assert other_file.json()["code"] == "idempotency_key_reused"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
def test_the_same_json_with_other_spacing_and_key_order_replays(user, token_client):
    client = token_client(user)
    first = client.post("/create/", '{"a": 1, "b": [1, 2]}', content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-json")
    again = client.post("/create/", '{"b":[1,2],"a":1}', content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-json")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
@BOTH
def test_a_record_from_before_the_orjson_fingerprint_still_replays_its_request_and_refuses_another(
        user, token_client, path):
    """Records written before fingerprints were "~" + orjson's SHA-256 hold 64 hex digits over `json.dumps`: a
    retry that arrives across the deploy still matches its own record and a different body is still refused."""
    client = token_client(user)
    first = client.post(path, {"n": 1, "note": "ünïcödé"}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    record = IdempotencyRecord.objects.get(key="k-old")
    assert record.fingerprint.startswith("~") and len(record.fingerprint) == 64
    legacy = hashlib.sha256()
    for part in ("POST", path, "application/json"):
        legacy.update(part.encode() + b"\0")
    legacy.update(json.dumps({"n": 1, "note": "ünïcödé"}, sort_keys=True, separators=(",", ":")).encode())
    IdempotencyRecord.objects.filter(pk=record.pk).update(fingerprint=legacy.hexdigest())
    again = client.post(path, {"note": "ünïcödé", "n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true" and again.json() == first.json()
    other = client.post(path, {"n": 2, "note": "ünïcödé"}, format="json", HTTP_IDEMPOTENCY_KEY="k-old")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_body_with_an_integer_beyond_64_bits_is_fingerprinted_and_replayed(user, token_client):
    client = token_client(user)
    body = '{"n": 123456789012345678901234567890}'
    first = client.post("/create/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-big")
    again = client.post("/create/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-big")
    other = client.post("/create/", '{"n": 123456789012345678901234567891}', content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-big")
    assert first.status_code == again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert OutboxEvent.objects.count() == 1


# --- idempotent(atomic=True): the view and its record in one transaction ----------------------------------------

@pytest.mark.django_db
def test_atomic_a_refused_or_failed_request_leaves_no_record_and_no_change(user, token_client):
    client = token_client(user)
    refused = client.post("/create-atomic/", {"invalid": True}, format="json", HTTP_IDEMPOTENCY_KEY="a-3")
    failed = client.post("/create-atomic/", {"fail": True}, format="json", HTTP_IDEMPOTENCY_KEY="a-4")
    assert refused.status_code == 400 and failed.status_code == 502
    assert not IdempotencyRecord.objects.filter(key__in=["a-3", "a-4"]).exists()
    assert OutboxEvent.objects.count() == 0  # the 5xx answer's row was rolled back
    retry = client.post("/create-atomic/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="a-3")
    assert retry.status_code == 201 and OutboxEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_atomic_a_duplicate_while_the_first_runs_waits_and_replays_it(user, token_client):
    """Both run the view; the second's record INSERT waits on the first's uncommitted row (the key's unique
    index), then finds the key taken, rolls its own work back and answers with the first's response."""
    client_a, client_b = token_client(user), token_client(user)
    urls_idempotency.entered.clear()
    urls_idempotency.release.clear()
    results = {}

    def post(name, client):
        try:
            results[name] = client.post("/create-atomic/", {"wait": True}, format="json",
                                        HTTP_IDEMPOTENCY_KEY="a-9")
        finally:
            connection.close()

    first = threading.Thread(target=post, args=("first", client_a))
    first.start()
    assert urls_idempotency.entered.wait(timeout=10)
    second = threading.Thread(target=post, args=("second", client_b))
    second.start()
    urls_idempotency.release.set()
    first.join(timeout=15)
    second.join(timeout=15)

    assert results["first"].status_code == results["second"].status_code == 201
    assert results["first"].json() == results["second"].json()
    assert OutboxEvent.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="a-9").count() == 1


@pytest.mark.django_db(transaction=True)
def test_atomic_a_burst_of_duplicates_creates_once_and_all_answer_alike(user):
    _token, raw = api_token_create(user=user, created_by=user, name="burst", scopes=["account:write"])
    bodies = []

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        response = client.post("/create-atomic/", {"n": 7}, format="json", HTTP_IDEMPOTENCY_KEY="a-burst")
        bodies.append(response.json())
        return SimpleNamespace(status=response.status_code)

    outcomes = run_at_once([post] * 20)

    assert outcomes == [("ok", 201)] * 20
    assert OutboxEvent.objects.count() == 1
    assert len({body["id"] for body in bodies}) == 1

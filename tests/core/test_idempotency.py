"""Idempotency-Key: replay, 422 on a different body, 409 while the first is still running."""

import threading

import pytest
from django.db import connection

from core.models import IdempotencyRecord, OutboxEvent
from tests.core import urls_idempotency

pytestmark = pytest.mark.urls("tests.core.urls_idempotency")


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_response(user, token_client):
    client = token_client(user)
    first = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert OutboxEvent.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_422(user, token_client):
    client = token_client(user)
    client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post("/create/", {"n": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
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
def test_a_failed_request_does_not_burn_the_key(user, token_client):
    client = token_client(user)
    response = client.post("/create/", "not json", content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert response.status_code == 400
    assert not IdempotencyRecord.objects.filter(key="k-2").exists()
    assert client.post("/create/", {"n": 1}, format="json", HTTP_IDEMPOTENCY_KEY="k-2").status_code == 201

"""A claim upload retried after a timeout gets its first answer back, whatever boundary the retry picks."""

import pytest
from django.test.client import encode_multipart
from rest_framework.test import APIClient

from onboarding.claims.models import Claim
from tests.onboarding.claim_factories import category, receipt, veteran_partner

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/"


def _post(client, boundary, *, amount="250.00"):
    category()
    data = {"category": "legal_accounting", "vendor": "Peach State Filings", "incurred_on": "2026-01-05",
            "amount": amount, "description": "LLC formation fee.", "receipts": [receipt()], "submit": "true"}
    return client.post(URL, encode_multipart(boundary, data), HTTP_IDEMPOTENCY_KEY="claim-upload",
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_retried_claim_upload_with_a_new_boundary_replays_the_first_answer():
    _partner, owner = veteran_partner()
    client = APIClient()
    client.force_authenticate(owner)
    first = _post(client, "----client-attempt-1-8f3a")
    retry = _post(client, "----client-attempt-2-c71e")
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert Claim.objects.count() == 1
    other = _post(client, "----client-attempt-3-0b2d", amount="260.00")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"

"""REST for claims: scoped like the pages, idempotent creating POSTs, clear error codes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.servicedays import service_today
from onboarding.claims.models import Claim
from onboarding.models import PartnerMembership
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import category, receipt, submitted_claim, veteran_partner
from tests.onboarding.conftest import EXE_BYTES

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/"

# Within the claimable look-back before approval, whatever the date the tests run on.
RECENT = (service_today() - timedelta(days=30)).isoformat()


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _multipart(**overrides):
    category()
    data = {"category": "legal_accounting", "vendor": "Peach State Filings", "incurred_on": RECENT,
            "amount": "250.00", "description": "LLC formation fee.", "receipts": [receipt()], "submit": "true"}
    data.update(overrides)
    return data


def test_an_owner_files_a_claim_with_receipts_in_one_multipart_post_and_the_key_replays():
    partner, owner = veteran_partner()
    client = _client(owner)
    response = client.post(URL, _multipart(), format="multipart", HTTP_IDEMPOTENCY_KEY="claim-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["amount"], len(body["receipts"])) == ("submitted", "250.00", 1)
    assert [e["to_status"] for e in body["history"]] == ["draft", "submitted"]
    replay = client.post(URL, _multipart(), format="multipart", HTTP_IDEMPOTENCY_KEY="claim-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert Claim.objects.count() == 1


def test_create_a_draft_then_upload_a_receipt_then_submit():
    partner, owner = veteran_partner()
    client = _client(owner)
    category()
    draft = client.post(URL, {"category": "legal_accounting", "vendor": "Acme Uniforms", "incurred_on": RECENT,
                              "amount": "99.90", "description": "Driver shirts."}, format="json")
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    claim_id = draft.json()["id"]
    early = client.post(f"{URL}{claim_id}/submit/")
    assert (early.status_code, early.json()["code"]) == (400, "receipt_required")
    upload = client.post(f"{URL}{claim_id}/receipts/", {"file": receipt()}, format="multipart")
    assert upload.status_code == 201
    submitted = client.post(f"{URL}{claim_id}/submit/")
    assert submitted.json()["status"] == "submitted"
    summary = client.get(f"{URL}summary/").json()
    assert (summary["cap"], summary["under_review"], summary["remaining"]) == ("10000.00", "99.90", "10000.00")


@pytest.mark.parametrize(("overrides", "code"), [
    ({"amount": "-10.00"}, "amount_invalid"),
    ({"amount": "10.005"}, "amount_invalid"),
    ({"receipts": [receipt("invoice.pdf", EXE_BYTES)]}, "file_type_not_allowed"),
    ({"category": "vans"}, "category_not_eligible"),
])
def test_bad_claims_are_refused_with_a_stable_code(overrides, code):
    partner, owner = veteran_partner()
    category("vans")
    response = _client(owner).post(URL, _multipart(**overrides), format="multipart")
    assert response.status_code == 400 and response.json()["code"] == code, response.json()
    assert not Claim.objects.exists()


def test_a_non_veteran_is_refused_with_a_clear_code():
    partner, owner = veteran_partner(verified=False)
    response = _client(owner).post(URL, _multipart(), format="multipart")
    assert response.status_code == 409 and response.json()["code"] == "veteran_not_verified"


def test_another_partners_claim_is_404_in_the_api():
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner)
    _other, other_owner = veteran_partner()
    client = _client(other_owner)
    assert client.get(f"{URL}{claim.pk}/").status_code == 404
    assert client.post(f"{URL}{claim.pk}/submit/").status_code == 404
    receipt_id = claim.receipts.get().pk
    assert client.get(f"{URL}{claim.pk}/receipts/{receipt_id}/download/").status_code == 404
    assert client.get(URL).json()["results"] == []


def test_admins_list_filter_and_decide_and_insiders_cannot():
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner, "1500.00")
    admin = AdminFactory()
    client = _client(admin)
    listed = client.get(URL, {"status": "submitted", "likely_duplicate": "false"}).json()["results"]
    assert [c["id"] for c in listed] == [claim.pk]
    no_reason = client.post(f"{URL}{claim.pk}/decide/", {"decision": "partial", "approved_amount": "1000.00"})
    assert no_reason.json()["code"] == "reason_required"
    insider = AdminFactory()
    PartnerMembership.objects.create(partner=partner, user=insider, role=PartnerMembership.Role.MANAGER)
    refused = _client(insider).post(f"{URL}{claim.pk}/decide/", {"decision": "approve"})
    assert (refused.status_code, refused.json()["code"]) == (403, "own_company")
    decided = client.post(f"{URL}{claim.pk}/decide/", {"decision": "partial", "approved_amount": "1000.00",
                                                       "note": "Half of it was personal."})
    assert decided.json()["status"] == "partially_approved"
    assert Claim.objects.get().approved_amount == Decimal("1000.00")


def test_owners_cannot_decide_or_run_payouts_and_admins_run_them(stripe_fake):
    partner, owner = veteran_partner()
    claim = submitted_claim(partner, owner)
    assert _client(owner).post(f"{URL}{claim.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert _client(owner).post(f"{URL}payout-run/").status_code == 403
    run = _client(AdminFactory()).post(f"{URL}payout-run/", HTTP_IDEMPOTENCY_KEY="run-1")
    assert run.status_code == 200 and run.json() == {"sent": [], "failed": [], "waiting": []}


def test_categories_are_listed():
    category("vans")
    response = _client(AdminFactory()).get("/api/v1/claim-categories/")
    vans = next(c for c in response.json() if c["code"] == "vans")
    assert vans["eligible"] is False


def test_api_tokens_need_the_claims_scope(token_client):
    partner, owner = veteran_partner()
    submitted_claim(partner, owner)
    assert token_client(owner, scopes=["onboarding:read"]).get(URL).status_code == 403
    assert len(token_client(owner, scopes=["claims:read"]).get(URL).json()["results"]) == 1
    refused = token_client(owner, scopes=["claims:read"]).post(URL, _multipart(), format="multipart")
    assert refused.status_code == 403


POLYGLOT = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n"


def test_a_pdf_html_polyglot_named_html_downloads_as_a_pdf_attachment_never_as_html(client):
    partner, owner = veteran_partner()
    api = _client(owner)
    created = api.post(URL, _multipart(receipts=[receipt("invoice.html", POLYGLOT, "text/html")]), format="multipart")
    assert created.status_code == 201, created.json()
    claim_id, receipt_id = created.json()["id"], created.json()["receipts"][0]["id"]
    client.force_login(owner)

    for response in (api.get(f"{URL}{claim_id}/receipts/{receipt_id}/download/"),
                     client.get(f"/onboarding/claims/{claim_id}/receipts/{receipt_id}/")):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="invoice.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"

"""The whole journey over the REST API, and its scoping."""

import pytest
from django.core import mail

from accounts.models import Role
from core.models import OutboxEvent
from onboarding.models import Application, Partner
from tests.onboarding.conftest import pdf_file
from tests.onboarding.factories import RegionFactory, application_in

pytestmark = pytest.mark.django_db

ANSWERS = {
    "legal_name": "Dana Whitfield", "phone": "(404) 555-0101", "address_line1": "500 Spring St", "city": "Atlanta",
    "state": "GA", "postal_code": "30308", "date_of_birth": "1986-04-12",
    "employment_history": "Shift lead at a warehouse, 2014-2023.", "people_managed": 18,
    "is_veteran": True, "military_branch": "army", "service_start": "2005-01-10", "service_end": "2013-01-09",
    "discharge_type": "honorable",
    "entity_name": "Whitfield Delivery LLC", "entity_type": "llc", "formation_state": "GA", "ein": "",
    "planned_vans": 22, "planned_drivers": 30, "liquid_capital": "52000.00",
    "consent_background_check": True, "consent_credit_check": True, "consent_mvr_check": True,
    "accepted_terms": True,
}


def test_the_whole_journey_over_the_api(make_user, admin_user, token_client, django_capture_on_commit_callbacks):
    region = RegionFactory()
    applicant = make_user()
    integrator = make_user(Role.INTEGRATOR)
    me, admin, checker = token_client(applicant), token_client(admin_user), token_client(integrator)

    created = me.post("/api/v1/applications/", {"legal_name": "Dana W"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert created.status_code == 201, created.json()
    app_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    replay = me.post("/api/v1/applications/", {"legal_name": "Dana W"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true" and replay.json()["id"] == app_id

    patched = me.patch(f"/api/v1/applications/{app_id}/", {**ANSWERS, "region": region.pk}, format="json")
    assert patched.status_code == 200, patched.json()
    body = patched.json()
    assert body["track"] == "veteran" and body["veteran_status"] == "unverified"
    assert {p["field"] for p in body["missing"]} == {"government_id", "proof_of_funds", "resume", "dd214"}

    for kind in ("government_id", "proof_of_funds", "resume", "dd214"):
        up = me.post(f"/api/v1/applications/{app_id}/documents/", {"kind": kind, "file": pdf_file(f"{kind}.pdf")},
                     format="multipart", HTTP_IDEMPOTENCY_KEY=f"doc-{kind}")
        assert up.status_code == 201, up.json()
        assert up.json()["content_type"] == "application/pdf"
    download = me.get(up.json()["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")

    with django_capture_on_commit_callbacks(execute=True):
        submitted = me.post(f"/api/v1/applications/{app_id}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert OutboxEvent.objects.filter(type="application.submitted", subject_id=str(app_id)).exists()

    listed = admin.get("/api/v1/applications/", {"status": "submitted", "track": "veteran"})
    assert [row["id"] for row in listed.json()["results"]] == [app_id]
    assert admin.post(f"/api/v1/applications/{app_id}/start-review/").json()["status"] == "in_review"

    for kind in ("criminal", "credit", "mvr"):
        rec = checker.post(f"/api/v1/applications/{app_id}/checks/", {"kind": kind, "status": "clear",
                                                                        "reference": f"ref-{kind}"}, format="json")
        assert rec.status_code == 201, rec.json()
    verify = admin.post(f"/api/v1/applications/{app_id}/verify-veteran/", {"verified": True}, format="json")
    assert verify.json()["veteran_status"] == "verified"

    with django_capture_on_commit_callbacks(execute=True):
        decided = admin.post(f"/api/v1/applications/{app_id}/decide/", {"decision": "approve", "note": "Welcome"},
                             format="json")
    assert decided.status_code == 200, decided.json()
    assert decided.json()["status"] == "onboarded"
    assert "approved" in mail.outbox[-1].subject

    partner = Partner.objects.get(application_id=app_id)
    assert partner.legal_name == "Whitfield Delivery LLC" and partner.veteran_owned
    applicant.refresh_from_db()
    assert applicant.role == Role.PARTNER_OWNER
    assert OutboxEvent.objects.get(type="application.decided").payload["status"] == "approved"

    history = me.get(f"/api/v1/applications/{app_id}/history/").json()["results"]
    moves = [(e["from_status"], e["to_status"]) for e in history if e["from_status"] != e["to_status"]]
    assert moves == [("", "draft"), ("draft", "submitted"), ("submitted", "in_review"), ("in_review", "approved"),
                     ("approved", "onboarded")]
    mine = me.get("/api/v1/partners/").json()["results"]
    assert [p["id"] for p in mine] == [partner.pk]
    checklist = {item["key"]: item["done"] for item in mine[0]["checklist"]}
    assert checklist["entity_registered"] is False and checklist["vans_ordered"] is False


def test_another_applicants_application_and_document_are_404(make_user, token_client):
    application = application_in("submitted")
    document = application.documents.first()
    stranger = token_client(make_user())
    base = f"/api/v1/applications/{application.pk}"
    assert stranger.get(f"{base}/").status_code == 404
    assert stranger.patch(f"{base}/", {"city": "Nowhere"}, format="json").status_code == 404
    assert stranger.post(f"{base}/withdraw/").status_code == 404
    assert stranger.get(f"{base}/history/").status_code == 404
    assert stranger.get(f"{base}/documents/").status_code == 404
    response = stranger.get(f"{base}/documents/{document.pk}/download/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert stranger.get("/api/v1/applications/").json()["results"] == []
    assert stranger.get("/api/v1/applications/999999/").status_code == 404


def test_an_owner_cannot_see_another_partner(make_user, token_client):
    mine = application_in("onboarded")
    theirs = application_in("onboarded")
    client = token_client(mine.applicant)
    assert client.get(f"/api/v1/partners/{mine.partner.pk}/").status_code == 200
    assert client.get(f"/api/v1/partners/{theirs.partner.pk}/").status_code == 404


def test_only_program_admins_decide_and_only_checkers_record_checks(make_user, token_client):
    application = application_in("in_review")
    applicant = token_client(application.applicant)
    response = applicant.post(f"/api/v1/applications/{application.pk}/decide/", {"decision": "approve"},
                              format="json")
    assert response.status_code == 403
    response = applicant.post(f"/api/v1/applications/{application.pk}/checks/", {"kind": "mvr", "status": "clear"},
                              format="json")
    assert response.status_code == 403


def test_a_token_without_the_onboarding_scope_is_refused(make_user, token_client):
    client = token_client(make_user(), scopes=["account:read"])
    response = client.post("/api/v1/applications/", {}, format="json")
    assert response.status_code == 403


def test_approval_needs_every_required_check_clear(admin_user, token_client):
    application = application_in("in_review")
    response = token_client(admin_user).post(f"/api/v1/applications/{application.pk}/decide/",
                                             {"decision": "approve"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "checks_not_clear"
    application.refresh_from_db()
    assert application.status == Application.Status.IN_REVIEW


def test_the_admin_list_takes_a_fixed_number_of_queries(admin_user, token_client, django_assert_max_num_queries):
    for _ in range(3):
        application_in("submitted")
    application_in("draft")
    client = token_client(admin_user)
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/applications/")
    assert len(response.json()["results"]) == 4

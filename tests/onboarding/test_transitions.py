"""Every move the transition table does not allow is a 409 with a stable code; reasons where required."""

import pytest

from onboarding.models import APPLICATION_WORKFLOW, Application
from tests.onboarding.factories import ApplicationFactory, add_documents, application_in, clear_checks

pytestmark = pytest.mark.django_db

S = Application.Status
STATUSES = [S.DRAFT, S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.ONBOARDED]
# API action -> (who calls it, the status it moves to, the request)
ACTIONS = {
    "submit": ("applicant", S.SUBMITTED, ("submit/", {})),
    "withdraw": ("applicant", S.WITHDRAWN, ("withdraw/", {})),
    "start_review": ("admin", S.IN_REVIEW, ("start-review/", {})),
    "approve": ("admin", S.APPROVED, ("decide/", {"decision": "approve"})),
    "reject": ("admin", S.REJECTED, ("decide/", {"decision": "reject", "note": "Not a fit."})),
    "needs_info": ("admin", S.NEEDS_INFO, ("decide/", {"decision": "needs_info", "note": "Add a statement."})),
}
DISALLOWED = [(status, action) for status in STATUSES for action, (_who, target, _req) in ACTIONS.items()
              if not APPLICATION_WORKFLOW.allowed(status, target)]


def _application(status):
    if status == S.APPROVED:  # passed through inside the approval transaction; never at rest
        return add_documents(ApplicationFactory(status=S.APPROVED))
    return application_in(status)


def test_the_table_allows_ten_of_the_48_status_action_pairs():
    # draft: submit, withdraw; submitted: start review, withdraw; in review: approve, reject, needs info,
    # withdraw; needs info: submit, withdraw. Every other pair is tested below.
    assert len(DISALLOWED) == 48 - 10


@pytest.mark.parametrize(("status", "action"), DISALLOWED, ids=[f"{s}-{a}" for s, a in DISALLOWED])
def test_a_disallowed_transition_is_409_with_a_code(status, action, admin_user, token_client):
    application = _application(status)
    clear_checks(application)
    who, _target, (path, body) = ACTIONS[action]
    client = token_client(application.applicant if who == "applicant" else admin_user)
    response = client.post(f"/api/v1/applications/{application.pk}/{path}", body, format="json")
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "invalid_transition"
    application.refresh_from_db()
    assert application.status == status


@pytest.mark.parametrize("decision", ["reject", "needs_info"])
def test_rejecting_or_asking_for_information_needs_a_reason(decision, admin_user, token_client):
    application = application_in("in_review")
    response = token_client(admin_user).post(f"/api/v1/applications/{application.pk}/decide/",
                                             {"decision": decision, "note": "  "}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert "note" in response.json()["fields"]


def test_needs_info_goes_back_to_the_applicant_who_edits_and_resubmits(token_client):
    application = application_in("needs_info")
    client = token_client(application.applicant)
    assert client.patch(f"/api/v1/applications/{application.pk}/", {"people_managed": 40},
                        format="json").status_code == 200
    response = client.post(f"/api/v1/applications/{application.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"


@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.REJECTED, S.ONBOARDED])
def test_answers_and_documents_cannot_change_once_submitted(status, token_client):
    application = application_in(status)
    client = token_client(application.applicant)
    response = client.patch(f"/api/v1/applications/{application.pk}/", {"city": "Macon"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_editable"


def test_checks_are_not_recorded_on_a_draft(admin_user, token_client):
    application = application_in("draft")
    response = token_client(admin_user).post(f"/api/v1/applications/{application.pk}/checks/",
                                             {"kind": "mvr", "status": "clear"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"

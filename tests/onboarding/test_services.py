import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from core.errors import Conflict, PermissionDenied, ValidationFailed
from core.models import OutboxEvent
from core.servicedays import service_today
from onboarding import services
from onboarding.models import Application, BackgroundCheck, OnboardingSettings, Partner
from tests.onboarding.factories import ApplicationFactory, add_documents, application_in, clear_checks

pytestmark = pytest.mark.django_db


# --- the capital minimum ---------------------------------------------------------------------


def test_an_application_below_the_capital_minimum_cannot_be_submitted(program_settings):
    application = add_documents(ApplicationFactory(liquid_capital="29999.99"))
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(application=application, submitted_by=application.applicant)
    assert caught.value.code == "capital_below_minimum"
    assert "30,000" in caught.value.detail
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_the_capital_minimum_is_a_setting_an_admin_changes(program_settings):
    OnboardingSettings.objects.update(capital_minimum="20000.00")
    application = add_documents(ApplicationFactory(liquid_capital="25000.00"))
    services.application_submit(application=application, submitted_by=application.applicant)
    assert application.__class__.objects.get(pk=application.pk).status == "submitted"


def test_exactly_the_minimum_is_enough(program_settings):
    application = add_documents(ApplicationFactory(liquid_capital="30000.00"))
    assert services.application_submit(application=application, submitted_by=application.applicant).status == \
        "submitted"


def test_an_incomplete_application_names_what_is_missing():
    application = ApplicationFactory(phone="", accepted_terms=False)
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(application=application, submitted_by=application.applicant)
    assert caught.value.code == "application_incomplete"
    assert {"phone", "accepted_terms", "government_id", "resume", "proof_of_funds"} <= set(caught.value.fields)


def test_a_veteran_must_upload_the_dd214():
    application = add_documents(ApplicationFactory(veteran=True), kinds=["government_id", "proof_of_funds", "resume"])
    with pytest.raises(ValidationFailed) as caught:
        services.application_submit(application=application, submitted_by=application.applicant)
    assert set(caught.value.fields) == {"dd214"}


def test_an_applicant_under_18_is_refused(make_user):

    applicant = make_user()
    application = services.application_create(applicant=applicant)
    too_young = service_today().replace(year=service_today().year - 17)
    with pytest.raises(ValidationFailed) as caught:
        services.application_update(application=application, data={"date_of_birth": too_young},
                                    updated_by=applicant)
    assert "date_of_birth" in caught.value.fields


def test_the_ein_format_is_checked_and_normalised(make_user):
    applicant = make_user()
    application = services.application_create(applicant=applicant)
    with pytest.raises(ValidationFailed):
        services.application_update(application=application, data={"ein": "12-34"}, updated_by=applicant)
    row = services.application_update(application=application, data={"ein": "123456789"}, updated_by=applicant)
    assert row.ein == "12-3456789"


# --- one open application per person --------------------------------------------------------


def test_one_person_has_one_open_application(make_user):
    applicant = make_user()
    services.application_create(applicant=applicant)
    with pytest.raises(Conflict) as caught:
        services.application_create(applicant=applicant)
    assert caught.value.code == "application_already_open"
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_the_database_itself_refuses_a_second_open_application(make_user):
    applicant = make_user()
    Application.objects.create(applicant=applicant, status="submitted")
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(applicant=applicant, status="draft")
    Application.objects.create(applicant=applicant, status="rejected")  # closed ones do not count


def test_after_a_withdrawal_a_new_application_can_start():
    application = application_in("withdrawn")
    again = services.application_create(applicant=application.applicant)
    assert again.pk != application.pk and again.status == "draft"


# --- e-mail after commit, events in the transaction ------------------------------------------


def test_the_submission_email_is_sent_only_after_commit(django_capture_on_commit_callbacks):
    application = add_documents(ApplicationFactory())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_submit(application=application, submitted_by=application.applicant)
        assert mail.outbox == []
    assert mail.outbox == []  # not committed yet: nothing sent
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [application.applicant.email]
    assert "received your application" in mail.outbox[0].subject


def test_a_rolled_back_submission_sends_nothing_and_records_no_event(django_capture_on_commit_callbacks):
    application = add_documents(ApplicationFactory())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.application_submit(application=application, submitted_by=application.applicant)
        raise RuntimeError("something after the submit failed")
    assert mail.outbox == []
    assert not OutboxEvent.objects.filter(type="application.submitted").exists()
    application.refresh_from_db()
    assert application.status == "draft"


def test_needs_info_and_decisions_email_the_applicant(django_capture_on_commit_callbacks):
    application = application_in("in_review")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_info(application=application, decided_by=application.reviewer,
                                          note="Please add last month's bank statement.")
    assert "needs more information" in mail.outbox[-1].subject
    assert "bank statement" in mail.outbox[-1].body
    again = application_in("in_review")
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(application=again, decided_by=again.reviewer, note="Region is full.")
    assert "decision" in mail.outbox[-1].subject and "Region is full." in mail.outbox[-1].body
    event = OutboxEvent.objects.get(type="application.decided", subject_id=str(again.pk))
    assert event.payload["status"] == "rejected" and event.payload["note"] == "Region is full."


# --- who decides -----------------------------------------------------------------------------


def test_an_admin_cannot_decide_their_own_application(make_user):
    application = application_in("in_review")
    application.applicant.role = "program_admin"
    application.applicant.save()
    for decide in (
        lambda: services.application_approve(application=application, decided_by=application.applicant),
        lambda: services.application_reject(application=application, decided_by=application.applicant, note="x"),
        lambda: services.veteran_verify(application=application, verified_by=application.applicant, verified=True),
        lambda: services.background_check_record(application=application, recorded_by=application.applicant,
                                                 kind="mvr", status="clear"),
    ):
        with pytest.raises(PermissionDenied) as caught:
            decide()
        assert caught.value.code == "own_application"
    application.refresh_from_db()
    assert application.status == "in_review"


def test_an_admin_cannot_decide_their_own_application_over_the_api(token_client):
    application = application_in("in_review")
    applicant = application.applicant
    applicant.role, applicant.is_staff = "program_admin", True
    applicant.save()
    response = token_client(applicant).post(f"/api/v1/applications/{application.pk}/decide/",
                                            {"decision": "approve"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "own_application"


# --- approval, checks and veterans -----------------------------------------------------------


def test_approval_creates_the_partner_and_owner_and_moves_to_onboarded():
    application = application_in("in_review", ein="58-1234567")
    clear_checks(application)
    row = services.application_approve(application=application, decided_by=application.reviewer, note="Welcome")
    assert row.status == "onboarded"
    partner = Partner.objects.get(application=row)
    assert (partner.legal_name, partner.ein, partner.region_id) == (row.entity_name, "58-1234567", row.region_id)
    membership = partner.memberships.get()
    assert membership.user == row.applicant and membership.role == "owner"
    row.applicant.refresh_from_db()
    assert row.applicant.role == "partner_owner"
    assert list(row.events.values_list("to_status", flat=True))[-2:] == ["approved", "onboarded"]


def test_a_check_that_is_not_clear_blocks_approval():
    application = application_in("in_review")
    clear_checks(application)
    services.background_check_record(application=application, recorded_by=application.reviewer, kind="credit",
                                     status=BackgroundCheck.Result.CONSIDER, note="Collections account")
    with pytest.raises(Conflict) as caught:
        services.application_approve(application=application, decided_by=application.reviewer)
    assert caught.value.code == "checks_not_clear" and caught.value.fields == {"checks": ["credit"]}
    assert "Credit check: consider" in application.events.last().note


def test_submitting_opens_the_required_checks_as_pending(program_settings):
    OnboardingSettings.objects.update(require_credit_check=False)
    application = application_in("submitted")
    assert dict(application.checks.values_list("kind", "status")) == {"criminal": "pending", "mvr": "pending"}


def test_partner_veteran_owned_follows_a_verified_owner():
    application = application_in("in_review", veteran=True)
    clear_checks(application)
    row = services.application_approve(application=application, decided_by=application.reviewer)
    assert row.partner.veteran_owned is False
    services.veteran_verify(application=row, verified_by=application.reviewer, verified=True)
    from onboarding.selectors import veteran_verified

    partner = Partner.objects.get(pk=row.partner.pk)
    assert partner.veteran_owned is True and veteran_verified(partner=partner) is True
    with pytest.raises(ValidationFailed) as caught:
        services.veteran_verify(application=row, verified_by=application.reviewer, verified=False)
    assert caught.value.code == "reason_required"
    services.veteran_verify(application=row, verified_by=application.reviewer, verified=False,
                            note="DD-214 name does not match")
    partner.refresh_from_db()
    assert partner.veteran_owned is False and veteran_verified(partner=partner) is False


def test_a_standard_track_application_has_no_veteran_verification():
    application = application_in("in_review")
    with pytest.raises(Conflict) as caught:
        services.veteran_verify(application=application, verified_by=application.reviewer, verified=True)
    assert caught.value.code == "not_veteran_track"


def test_declaring_service_puts_the_application_on_the_veteran_track(make_user):
    applicant = make_user()
    application = services.application_create(applicant=applicant)
    row = services.application_update(application=application, data={"is_veteran": True}, updated_by=applicant)
    assert (row.track, row.veteran_status) == ("veteran", "unverified")
    row = services.application_update(application=row, data={"is_veteran": False}, updated_by=applicant)
    assert (row.track, row.veteran_status) == ("standard", "not_applicable")

"""A veteran applicant's way in on the embedded default (SQLite): sign up and verify the e-mail from the outbox,
the six-step application with uploads, submit; an admin starts the review, records the checks, verifies the
veteran's service and approves; the new owner sees the onboarding checklist."""

import re

import pytest
from django.core import mail

from core.models import OutboxEmail
from onboarding.models import Application, Partner
from tests.conftest import login
from tests.onboarding.browser_steps import pdf_file, record_clear_checks, wizard_continue
from tests.onboarding.factories import RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def sign_up_and_verify(page, screenshot):
    page.goto("/")
    page.get_by_role("link", name="Apply").click()
    page.wait_for_url("**/accounts/signup/")
    page.fill("input[name=full_name]", "Dana Rivera")
    page.fill("input[name=email]", "dana@rivera-logistics.example")
    page.fill("input[name=password1]", "a-long-pass-phrase")
    page.fill("input[name=password2]", "a-long-pass-phrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    # The verification e-mail is an outbox row, sent after the sign-up commits (in-process on the embedded default).
    row = OutboxEmail.objects.get(to=["dana@rivera-logistics.example"])
    assert row.sent_at is not None
    assert [m.to for m in mail.outbox] == [["dana@rivera-logistics.example"]]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/dashboard/")
    assert "Welcome, Dana" in page.content()
    screenshot(page, "embedded-applicant-01-dashboard")


def apply_as_veteran(page, tmp_path, screenshot):
    page.get_by_role("link", name="My application").first.click()
    page.click("#start-application")
    page.wait_for_url(re.compile(r"/step/1/$"))
    page.fill("#id_legal_name", "Dana Rivera")
    page.fill("#id_phone", "(206) 555-0142")
    page.fill("#id_address_line1", "1200 Rainier Ave S")
    page.fill("#id_city", "Seattle")
    page.select_option("#id_state", "WA")
    page.fill("#id_postal_code", "98144")
    page.fill("#id_date_of_birth", "1985-04-12")
    wizard_continue(page, r"/step/2/$")
    page.fill("#id_employment_history", "Motor transport operator, US Army, 2005-2013\nDispatch lead, 2014-2024")
    page.fill("#id_people_managed", "12")
    page.check("#id_is_veteran")
    page.select_option("#id_military_branch", "army")
    page.fill("#id_service_start", "2005-06-01")
    page.fill("#id_service_end", "2013-06-01")
    page.select_option("#id_discharge_type", "honorable")
    wizard_continue(page, r"/step/3/$")
    page.fill("#id_entity_name", "Rivera Veteran Logistics LLC")
    page.select_option("#id_entity_type", "llc")
    page.select_option("#id_formation_state", "WA")
    page.select_option("#id_region", label="Puget Sound, WA")
    page.fill("#id_planned_vans", "20")
    page.fill("#id_planned_drivers", "26")
    wizard_continue(page, r"/step/4/$")
    page.fill("#id_liquid_capital", "52000")
    page.set_input_files("#id_doc_proof_of_funds", pdf_file(tmp_path, "bank-statement.pdf"))
    wizard_continue(page, r"/step/5/$")
    page.set_input_files("#id_doc_government_id", pdf_file(tmp_path, "drivers-license.pdf"))
    page.set_input_files("#id_doc_resume", pdf_file(tmp_path, "resume.pdf"))
    page.set_input_files("#id_doc_dd214", pdf_file(tmp_path, "dd214.pdf"))
    screenshot(page, "embedded-applicant-02-documents")
    wizard_continue(page, r"/step/6/$")
    for box in ("consent_background_check", "consent_credit_check", "consent_mvr_check", "accepted_terms"):
        page.check(f"#id_{box}")
    wizard_continue(page, r"/review/$")
    assert "6 of 6 steps complete" in page.content()
    page.click("#submit-application")
    page.wait_for_selector("text=Your application is submitted")
    screenshot(page, "embedded-applicant-03-submitted")


def review_and_approve(page, application, screenshot):
    page.get_by_role("link", name="Applications").first.click()
    page.click(f'tr[data-application="{application.pk}"] a >> nth=0')
    page.click("#start-review")
    page.wait_for_selector("text=Review started.")
    record_clear_checks(page, reference="7")
    page.click("#veteran-form button[value=yes]")
    page.wait_for_selector("#veteran-form >> xpath=.. >> text=Verified")
    page.fill("#decision-note", "Welcome to the program.")
    page.click("#approve")
    page.wait_for_selector("text=Approved: the Partner is created")
    screenshot(page, "embedded-applicant-04-approved")


def test_a_veteran_signs_up_applies_is_approved_and_sees_the_checklist(page, browser, live_server, admin_user,
                                                                        tmp_path, screenshot):
    RegionFactory(name="Puget Sound", state="WA")
    sign_up_and_verify(page, screenshot)
    apply_as_veteran(page, tmp_path, screenshot)
    application = Application.objects.get(applicant__email="dana@rivera-logistics.example")
    assert (application.status, application.track) == ("submitted", "veteran")
    assert set(application.documents.values_list("kind", flat=True)) == {
        "proof_of_funds", "government_id", "resume", "dd214"}

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    admin_page = context.new_page()
    admin_page.set_default_timeout(15_000)
    try:
        login(admin_page, admin_user.email)
        review_and_approve(admin_page, application, screenshot)
    finally:
        context.close()

    application.refresh_from_db()
    assert (application.status, application.veteran_status) == ("onboarded", "verified")
    partner = Partner.objects.get(application=application)
    assert partner.legal_name == "Rivera Veteran Logistics LLC"
    # The decision reached the applicant by e-mail too (the outbox, after commit).
    assert OutboxEmail.objects.filter(to=[application.applicant.email], sent_at__isnull=False).count() >= 2
    page.goto("/dashboard/")
    page.get_by_role("link", name="My company").first.click()
    page.wait_for_selector("#checklist")
    assert page.locator("#checklist li").count() == 6
    screenshot(page, "embedded-applicant-05-owner-checklist")

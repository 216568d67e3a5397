"""The whole journey in Chromium: apply through the wizard, upload, submit; an admin records clear checks
and approves; the new owner sees the onboarding checklist."""

import re

import pytest

from accounts.models import Role
from onboarding.models import Application, Partner
from tests.conftest import login
from tests.onboarding.browser_steps import pdf_file, record_clear_checks, wizard_continue
from tests.onboarding.factories import RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _apply(page, tmp_path, screenshot):
    page.get_by_role("link", name="My application").first.click()
    page.click("#start-application")
    page.wait_for_url(re.compile(r"/step/1/$"))
    page.fill("#id_legal_name", "Jordan Lee")
    page.fill("#id_phone", "(404) 555-0188")
    page.fill("#id_address_line1", "77 Edgewood Ave")
    page.fill("#id_city", "Atlanta")
    page.select_option("#id_state", "GA")
    page.fill("#id_postal_code", "30303")
    page.fill("#id_date_of_birth", "1988-09-21")
    screenshot(page, "onboarding-01-wizard-step1")
    wizard_continue(page, r"/step/2/$")
    page.fill("#id_employment_history", "Warehouse shift lead, 2015-2024")
    page.fill("#id_people_managed", "15")
    wizard_continue(page, r"/step/3/$")
    assert "20–40 vans" in page.content()
    page.fill("#id_entity_name", "Lee Express Delivery LLC")
    page.select_option("#id_entity_type", "llc")
    page.select_option("#id_formation_state", "GA")
    page.select_option("#id_region", label="Browser Region, GA")
    page.fill("#id_planned_vans", "24")
    page.fill("#id_planned_drivers", "32")
    wizard_continue(page, r"/step/4/$")
    page.fill("#id_liquid_capital", "20000")
    page.set_input_files("#id_doc_proof_of_funds", pdf_file(tmp_path, "bank-statement.pdf"))
    page.click("#continue")
    page.wait_for_selector("text=requires at least $30,000")
    screenshot(page, "onboarding-02-capital-below-minimum")
    page.fill("#id_liquid_capital", "48000")
    wizard_continue(page, r"/step/5/$")
    assert "Uploaded: Proof of funds" in page.content()
    page.set_input_files("#id_doc_government_id", pdf_file(tmp_path, "drivers-license.pdf"))
    page.set_input_files("#id_doc_resume", pdf_file(tmp_path, "resume.pdf"))
    wizard_continue(page, r"/step/6/$")
    for box in ("consent_background_check", "consent_credit_check", "consent_mvr_check", "accepted_terms"):
        page.check(f"#id_{box}")
    wizard_continue(page, r"/review/$")
    assert "6 of 6 steps complete" in page.content()
    screenshot(page, "onboarding-03-review-before-submit")
    page.click("#submit-application")
    page.wait_for_selector("text=Your application is submitted")
    assert page.locator("[data-status=submitted]").first.is_visible()
    screenshot(page, "onboarding-04-submitted")


def _review(admin_page, application, screenshot):
    admin_page.get_by_role("link", name="Applications").first.click()
    admin_page.wait_for_selector(f'tr[data-application="{application.pk}"]')
    screenshot(admin_page, "onboarding-05-review-queue")
    admin_page.click(f'tr[data-application="{application.pk}"] a >> nth=0')
    admin_page.click("#start-review")
    admin_page.wait_for_selector("text=Review started.")
    record_clear_checks(admin_page, reference="1")
    screenshot(admin_page, "onboarding-06-detail-checks-clear")
    admin_page.fill("#decision-note", "Welcome to the program.")
    admin_page.click("#approve")
    admin_page.wait_for_selector("text=Approved: the Partner is created")
    screenshot(admin_page, "onboarding-07-approved")


def test_apply_submit_approve_and_see_the_checklist(page, browser, live_server, make_user, admin_user, tmp_path,
                                                    screenshot):
    RegionFactory(name="Browser Region", state="GA")
    applicant = make_user(Role.APPLICANT, full_name="Jordan Lee")
    login(page, applicant.email)
    _apply(page, tmp_path, screenshot)
    application = Application.objects.get(applicant=applicant)
    assert application.status == "submitted"
    assert set(application.documents.values_list("kind", flat=True)) == {"proof_of_funds", "government_id", "resume"}

    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    admin_page = context.new_page()
    admin_page.set_default_timeout(15_000)
    try:
        login(admin_page, admin_user.email)
        _review(admin_page, application, screenshot)
    finally:
        context.close()

    partner = Partner.objects.get(application=application)
    assert partner.legal_name == "Lee Express Delivery LLC"
    page.goto("/dashboard/")
    page.get_by_role("link", name="My company").first.click()
    page.wait_for_selector("#checklist")
    assert "Lee Express Delivery LLC" in page.content()
    items = page.locator("#checklist li")
    assert items.count() == 6
    assert page.locator('[data-item="training_done"]').get_attribute("data-done") == "no"
    screenshot(page, "onboarding-08-owner-checklist")


def test_the_admin_queue_flags_applications_past_the_sla(page, admin_user, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    from tests.onboarding.factories import application_in

    waiting = {}
    for days in (1, 12, 20):  # calendar days: 12 holds at least 6 business days
        application = application_in("submitted", veteran=days == 12)
        Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now() - timedelta(days=days))
        waiting[days] = application
    login(page, admin_user.email)
    page.goto("/onboarding/review/")
    rows = page.locator("#queue tbody tr")
    assert [rows.nth(i).get_attribute("data-application") for i in range(3)] == \
        [str(waiting[d].pk) for d in (20, 12, 1)]
    assert page.locator(f'tr[data-application="{waiting[20].pk}"] .aging-badge').is_visible()
    assert page.locator(f'tr[data-application="{waiting[1].pk}"] .aging-badge').count() == 0
    screenshot(page, "onboarding-09-queue-aging")
    page.select_option("#id_age", "overdue")
    page.click("#queue-filters button[type=submit]")
    page.wait_for_url(re.compile(r"age=overdue"))
    assert page.locator("#queue tbody tr").count() == 2

"""The HTML pages: wizard, review queue, detail and decisions, the partner checklist."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from onboarding.models import Application
from tests.onboarding.conftest import pdf_upload
from tests.onboarding.factories import ApplicationFactory, RegionFactory, application_in, clear_checks

pytestmark = pytest.mark.django_db

STEP1 = {"legal_name": "Jo Park", "phone": "404 555 0134", "address_line1": "1 Main St", "city": "Atlanta",
         "state": "GA", "postal_code": "30303", "date_of_birth": "1980-01-01"}


def _step(client, application, number, data):
    return client.post(reverse("onboarding:application_step", args=[application.pk, number]), data)


def test_each_step_is_validated_on_its_own_and_the_draft_resumes(client, make_user):
    applicant = make_user()
    client.force_login(applicant)
    assert client.post(reverse("onboarding:apply")).status_code == 302
    application = Application.objects.get(applicant=applicant)

    response = _step(client, application, 1, {**STEP1, "phone": "12", "action": "continue"})
    assert response.status_code == 200 and "10 digits" in response.content.decode()
    response = _step(client, application, 1, {**STEP1, "city": "", "action": "continue"})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    application.refresh_from_db()
    assert application.legal_name == "Jo Park"  # what was valid is kept
    response = _step(client, application, 1, {**STEP1, "action": "continue"})
    assert response["Location"] == reverse("onboarding:application_step", args=[application.pk, 2])

    response = _step(client, application, 2, {"employment_history": "Ten years in retail", "action": "save"})
    assert response["Location"] == reverse("onboarding:application", args=[application.pk])
    page = client.get(reverse("onboarding:apply"), follow=True).content.decode()
    assert "Continue at step 2" in page and "1 of 6 steps complete" in page


def test_the_funds_step_shows_the_program_minimum_and_refuses_less(client, program_settings):
    application = ApplicationFactory()
    client.force_login(application.applicant)
    page = client.get(reverse("onboarding:application_step", args=[application.pk, 4])).content.decode()
    assert "$30,000" in page
    response = _step(client, application, 4, {"liquid_capital": "12000", "doc_proof_of_funds": pdf_upload(),
                                              "action": "continue"})
    assert response.status_code == 200
    assert "requires at least $30,000" in response.content.decode()


def test_the_business_step_shows_the_typical_fleet_guidance(client):
    application = ApplicationFactory()
    client.force_login(application.applicant)
    page = client.get(reverse("onboarding:application_step", args=[application.pk, 3])).content.decode()
    assert "20–40 vans" in page


def test_another_users_application_pages_are_404(client, make_user):
    application = application_in("draft")
    client.force_login(make_user())
    for name, args in [("application", [application.pk]), ("application_step", [application.pk, 1]),
                       ("application_review", [application.pk])]:
        assert client.get(reverse(f"onboarding:{name}", args=args)).status_code == 404
    assert client.post(reverse("onboarding:application_submit", args=[application.pk])).status_code == 404
    assert client.post(reverse("onboarding:application_withdraw", args=[application.pk])).status_code == 404


def test_applicants_cannot_open_the_review_pages(client):
    application = application_in("submitted")
    client.force_login(application.applicant)
    assert client.get(reverse("onboarding:review_queue")).status_code == 403
    assert client.get(reverse("onboarding:review_detail", args=[application.pk])).status_code == 403


def _submitted_days_ago(days, **kwargs):
    application = application_in("submitted", **kwargs)
    Application.objects.filter(pk=application.pk).update(submitted_at=timezone.now() - timedelta(days=days))
    return application


def test_the_queue_is_oldest_first_with_aging_badges_past_the_sla(client, admin_user, program_settings):
    fresh = _submitted_days_ago(0)
    old = _submitted_days_ago(21)
    application_in("draft")  # drafts are not in the queue
    client.force_login(admin_user)
    page = client.get(reverse("onboarding:review_queue")).content.decode()
    assert page.index(f'data-application="{old.pk}"') < page.index(f'data-application="{fresh.pk}"')
    assert page.count("aging-badge") == 1
    overdue = client.get(reverse("onboarding:review_queue"), {"status": "open", "age": "overdue"}).content.decode()
    assert f'data-application="{old.pk}"' in overdue and f'data-application="{fresh.pk}"' not in overdue


def test_the_queue_filters_by_track_and_region(client, admin_user):
    north, south = RegionFactory(name="North"), RegionFactory(name="South")
    veteran = application_in("submitted", veteran=True, region=north)
    standard = application_in("submitted", region=south)
    client.force_login(admin_user)
    page = client.get(reverse("onboarding:review_queue"), {"status": "open", "track": "veteran"}).content.decode()
    assert f'data-application="{veteran.pk}"' in page and f'data-application="{standard.pk}"' not in page
    page = client.get(reverse("onboarding:review_queue"), {"status": "", "region": south.pk}).content.decode()
    assert f'data-application="{standard.pk}"' in page and f'data-application="{veteran.pk}"' not in page


def test_the_queue_exports_csv(client, admin_user):
    old = _submitted_days_ago(30, entity_name="=HYPERLINK(evil)")
    client.force_login(admin_user)
    response = client.get(reverse("onboarding:review_queue"), {"status": "open", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == [old.pk]
    assert rows[0]["past_sla"] == "yes" and rows[0]["entity_name"].startswith("'=")


def test_the_business_day_sla_skips_weekends_and_holidays():
    from datetime import date

    from core.calendar import business_days_between

    # Fri Jul 3 2026 is the observed Independence Day holiday; the weekend does not count either.
    assert business_days_between(date(2026, 7, 2), date(2026, 7, 6)) == 1
    assert business_days_between(date(2026, 7, 6), date(2026, 7, 13)) == 5


def test_the_detail_page_shows_answers_documents_checks_and_history(client, admin_user):
    application = application_in("submitted", veteran=True, employment_history="Fleet supervisor at UPS")
    client.force_login(admin_user)
    page = client.get(reverse("onboarding:review_detail", args=[application.pk])).content.decode()
    for text in ("Fleet supervisor at UPS", "DD-214 or VA letter", "Criminal background", "Start review",
                 "Draft</span> → <strong>Submitted", "Veteran service"):
        assert text in page, text


def test_the_detail_page_says_how_long_ago_in_words(client, admin_user):
    from freezegun import freeze_time

    from onboarding.models import Application

    client.force_login(admin_user)
    application = application_in("submitted")
    page = client.get(reverse("onboarding:review_detail", args=[application.pk])).content.decode()
    assert "(today)" in page and "0 business days" not in page
    # Submitted on Tuesday, looked at on Wednesday (no holiday between): one business day, in the singular.
    Application.objects.filter(pk=application.pk).update(submitted_at=application.submitted_at.replace(
        year=2026, month=11, day=17, hour=18))
    with freeze_time("2026-11-18 19:00:00"):
        page = client.get(reverse("onboarding:review_detail", args=[application.pk])).content.decode()
    assert "(1 business day ago)" in page


def test_an_admin_decides_through_the_page_and_a_late_second_decision_gets_a_clear_message(client, admin_user):
    application = application_in("in_review")
    clear_checks(application)
    client.force_login(admin_user)
    url = reverse("onboarding:review_decide", args=[application.pk])
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "Approved" in response.content.decode()
    response = client.post(url, {"decision": "reject", "note": "late"}, follow=True)
    assert "already onboarded; reload the page" in response.content.decode()


def test_the_page_refuses_an_admins_own_application(client):
    application = application_in("in_review")
    applicant = application.applicant
    applicant.role = Role.PROGRAM_ADMIN
    applicant.save()
    client.force_login(applicant)
    page = client.get(reverse("onboarding:review_detail", args=[application.pk])).content.decode()
    assert "This is your own application" in page
    response = client.post(reverse("onboarding:review_decide", args=[application.pk]), {"decision": "approve"},
                           follow=True)
    assert "cannot review or decide your own application" in response.content.decode()


def test_admins_record_checks_and_verify_veterans_on_the_page(client, admin_user):
    application = application_in("in_review", veteran=True)
    client.force_login(admin_user)
    client.post(reverse("onboarding:review_check", args=[application.pk]), {"kind": "mvr", "status": "clear"})
    client.post(reverse("onboarding:review_veteran", args=[application.pk]), {"verified": "yes"})
    application.refresh_from_db()
    assert application.checks.get(kind="mvr").status == "clear"
    assert application.veteran_status == "verified"


def test_the_owner_sees_the_checklist_and_admins_tick_the_manual_items(client, admin_user, checklist_source):
    application = application_in("onboarded", ein="")
    partner = application.partner
    owner = application.applicant
    client.force_login(owner)
    page = client.get(reverse("onboarding:my_company")).content.decode()
    assert partner.legal_name in page and "0 of 6 done" in page
    # The owner gives the EIN; training is the admin's to record.
    client.post(reverse("onboarding:partner_checklist", args=[partner.pk]), {"ein": "581234567"})
    response = client.post(reverse("onboarding:partner_checklist", args=[partner.pk]), {"training_done": "on"},
                           follow=True)
    assert "Only program admins" in response.content.decode()
    client.force_login(admin_user)
    client.post(reverse("onboarding:partner_checklist", args=[partner.pk]),
                {"training_done": "on", "first_route_on": "2026-03-02"})
    checklist_source("drivers_added", lambda p: True)
    client.force_login(owner)
    page = client.get(reverse("onboarding:my_company")).content.decode()
    assert "4 of 6 done" in page and "58-1234567" in page


def test_another_partner_is_404(client):
    mine, theirs = application_in("onboarded"), application_in("onboarded")
    client.force_login(mine.applicant)
    assert client.get(reverse("onboarding:partner_detail", args=[theirs.partner.pk])).status_code == 404
    assert client.post(reverse("onboarding:partner_checklist", args=[theirs.partner.pk]),
                       {"ein": "12-3456789"}).status_code == 404


def test_the_console_counts_applications_by_status(client, admin_user):
    application_in("submitted")
    application_in("in_review")
    client.force_login(admin_user)
    page = client.get(reverse("console")).content.decode()
    assert "Applications" in page and "Past review SLA" in page and "In review" in page


def test_the_navigation_offers_each_role_its_onboarding_pages(client, make_user, admin_user):
    client.force_login(make_user())
    assert "My application" in client.get(reverse("dashboard")).content.decode()
    client.force_login(admin_user)
    assert "Applications" in client.get(reverse("dashboard")).content.decode()
    client.force_login(application_in("onboarded").applicant)
    assert "My company" in client.get(reverse("dashboard")).content.decode()




def test_the_queue_and_detail_pages_take_a_fixed_number_of_queries(client, admin_user,
                                                                   django_assert_max_num_queries):
    applications = [application_in("submitted") for _ in range(5)]
    client.force_login(admin_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("onboarding:review_queue")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("onboarding:review_detail", args=[applications[0].pk])).status_code == 200

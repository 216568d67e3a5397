import io

import pytest
from django.core.management import call_command

from onboarding.models import Application, Partner
from onboarding.selectors import application_overdue_count, partner_for_user

pytestmark = pytest.mark.django_db


def test_the_demo_program_has_each_onboarding_story_and_seeding_twice_changes_nothing(django_user_model):
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Application.objects.count(), Partner.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Application.objects.count(), Partner.objects.count()) == counts

    def user(email):
        return django_user_model.objects.get(email=email)

    draft = Application.objects.get(applicant=user("applicant@demo.dspportal.example"))
    assert draft.status == "draft"
    veteran = Application.objects.get(applicant=user("veteran@demo.dspportal.example"))
    assert (veteran.status, veteran.track) == ("in_review", "veteran")
    assert veteran.documents.filter(kind="dd214").exists()
    partner = partner_for_user(user=user("owner@demo.dspportal.example"))
    assert partner.legal_name == "Brooks Logistics LLC" and partner.application.status == "onboarded"
    assert application_overdue_count() >= 2

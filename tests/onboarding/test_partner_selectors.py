import pytest

from core.errors import NotFound
from onboarding.checklist import partner_checklist
from onboarding.models import OnboardingSettings
from onboarding.selectors import (
    onboarding_settings,
    partner_for_user,
    partner_get_for_user,
    partner_list,
    veteran_verified,
)
from tests.onboarding.factories import ApplicationFactory, PartnerMembershipFactory, partner_with_owner

pytestmark = pytest.mark.django_db


def test_an_owner_finds_their_partner_and_not_another(make_user):
    partner, owner = partner_with_owner()
    other, _other_owner = partner_with_owner()
    assert partner_for_user(user=owner) == partner
    assert partner_get_for_user(user=owner, partner_id=partner.pk) == partner
    with pytest.raises(NotFound):
        partner_get_for_user(user=owner, partner_id=other.pk)
    assert list(partner_list(fetched_by=owner)) == [partner]
    assert partner_for_user(user=make_user()) is None


def test_program_admins_see_every_partner(admin_user):
    first, _ = partner_with_owner()
    second, _ = partner_with_owner()
    assert set(partner_list(fetched_by=admin_user)) == {first, second}
    assert partner_get_for_user(user=admin_user, partner_id=second.pk) == second


def test_a_manager_acts_for_the_partner_too():
    partner, _owner = partner_with_owner()
    manager = PartnerMembershipFactory(partner=partner, role="manager").user
    assert partner_for_user(user=manager) == partner


def test_settings_are_created_with_the_program_defaults():
    OnboardingSettings.objects.all().delete()
    row = onboarding_settings()
    assert row.capital_minimum == 30000
    assert row.review_sla_business_days == 5
    assert (row.typical_fleet_min, row.typical_fleet_max) == (20, 40)
    assert onboarding_settings().pk == row.pk


def test_veteran_verified_follows_an_owner_whose_service_was_verified():
    partner, owner = partner_with_owner()
    assert veteran_verified(partner=partner) is False
    ApplicationFactory(applicant=owner, veteran=True, status="onboarded", veteran_status="verified")
    assert veteran_verified(partner=partner) is True


def test_checklist_items_answered_by_other_apps_come_from_registered_sources(checklist_source):
    partner, _owner = partner_with_owner(ein="")
    checklist_source("vans_ordered", lambda p: False)
    items = {item.key: item for item in partner_checklist(partner=partner)}
    assert not items["vans_ordered"].done and not items["entity_registered"].done
    checklist_source("vans_ordered", lambda p: p.pk == partner.pk)
    items = {item.key: item for item in partner_checklist(partner=partner)}
    assert items["vans_ordered"].done and items["vans_ordered"].automatic


def test_a_failing_or_silent_source_never_hides_the_checklist(checklist_source):
    from datetime import date

    partner, _owner = partner_with_owner(first_route_on=date(2026, 3, 2))
    checklist_source("insurance_bound", lambda p: 1 / 0)
    checklist_source("first_route", lambda p: None)  # no answer: the admin's date counts
    items = {item.key: item for item in partner_checklist(partner=partner)}
    assert items["insurance_bound"].done is False
    assert items["first_route"].done and items["first_route"].manual


def test_an_unknown_checklist_item_cannot_be_registered(checklist_source):
    with pytest.raises(KeyError):
        checklist_source("parking_permit", lambda p: True)


def test_a_partner_whose_checklist_is_complete_becomes_active_and_one_short_stays_onboarding(checklist_source,
                                                                                            admin_user):
    from django.utils import timezone

    from onboarding.models import Partner
    from onboarding.services import partner_checklist_update, partners_activate_ready

    ready, _ = partner_with_owner(status=Partner.Status.ONBOARDING, training_completed_at=timezone.now())
    short, _ = partner_with_owner(status=Partner.Status.ONBOARDING, training_completed_at=None)
    for key in ("insurance_bound", "vans_ordered", "drivers_added", "first_route"):
        checklist_source(key, lambda p: True)
    assert partners_activate_ready() == 1
    ready.refresh_from_db()
    short.refresh_from_db()
    assert (ready.status, short.status) == (Partner.Status.ACTIVE, Partner.Status.ONBOARDING)
    assert partners_activate_ready() == 0  # a second run changes nothing

    # The admin ticking the last item activates at once, without waiting for the hourly run.
    assert partner_checklist_update(partner=short, updated_by=admin_user, training_done=True).status == "active"

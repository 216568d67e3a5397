"""A tenant's scope as a subquery compiled once (core.scopes): the same partner or hub as the selectors that load it,
nothing for someone without one, and a scope that binds anything but the user id is refused."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import BigIntegerField

from core.scopes import scope_subquery
from fleet.models import Vehicle
from hubs.models import Hub
from hubs.selectors import hub_for_owner, hub_scope
from onboarding.models import PartnerMembership
from onboarding.selectors import partner_for_user, partner_scope
from tests.factories import UserFactory
from tests.fleet.factories import VehicleFactory
from tests.hubs.factories import HubFactory
from tests.onboarding.factories import PartnerMembershipFactory

pytestmark = pytest.mark.django_db


def test_the_partner_scope_is_the_partner_the_user_acts_for_owners_before_managers():
    managed = PartnerMembershipFactory(role=PartnerMembership.Role.MANAGER)
    user = managed.user
    owned = PartnerMembershipFactory(user=user, role=PartnerMembership.Role.OWNER)
    for membership in (managed, owned):
        VehicleFactory(partner=membership.partner)

    scoped = Vehicle.objects.filter(partner=partner_scope(user=user))

    assert partner_for_user(user=user) == owned.partner
    assert [v.partner_id for v in scoped] == [owned.partner_id]


def test_someone_with_no_partner_or_hub_is_scoped_to_nothing():
    nobody = UserFactory()
    VehicleFactory()
    HubFactory()

    assert not Vehicle.objects.filter(partner=partner_scope(user=nobody)).exists()
    assert not Hub.objects.filter(pk=hub_scope(user=nobody)).exists()


def test_the_hub_scope_is_the_owners_latest_hub():
    first = HubFactory()
    latest = HubFactory(owner=first.owner)

    assert list(Hub.objects.filter(pk=hub_scope(user=first.owner))) == [latest] == [hub_for_owner(user=first.owner)]


def test_a_scope_that_binds_more_than_the_user_id_is_refused():
    scoped = scope_subquery(lambda user_id: PartnerMembership.objects.filter(user_id=user_id, partner_id=3)
                            .values("partner_id")[:1])

    with pytest.raises(ImproperlyConfigured):
        Vehicle.objects.filter(partner=scoped(1)).exists()
    assert isinstance(scope_subquery(lambda uid: PartnerMembership.objects.filter(user_id=uid)
                                     .values("partner_id")[:1])(1).output_field, BigIntegerField)

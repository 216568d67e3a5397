import pytest

from tests.onboarding.factories import partner_with_owner


@pytest.fixture
def partner_and_owner(db):
    return partner_with_owner()


@pytest.fixture
def other_partner_and_owner(db):
    return partner_with_owner()

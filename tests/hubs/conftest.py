import pytest

from tests.hubs.factories import HubFactory


@pytest.fixture
def hub(db):
    return HubFactory()

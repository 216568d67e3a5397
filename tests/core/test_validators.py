import pytest
from django.core.exceptions import ValidationError

from core.validators import validate_time_zone


@pytest.mark.parametrize("name", ["America/Los_Angeles", "America/New_York", "UTC"])
def test_real_time_zones_are_accepted(name):
    validate_time_zone(name)


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "", "../etc/passwd", "America/"])
def test_unknown_time_zones_are_refused_with_a_clear_message(name):
    with pytest.raises(ValidationError, match="Unknown time zone"):
        validate_time_zone(name)

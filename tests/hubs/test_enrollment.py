import pytest

from core.errors import InvalidTransition, ValidationFailed
from hubs.models import HubStatus, HubTransition
from hubs.services import eligibility_check, hub_decide, hub_enroll

pytestmark = pytest.mark.django_db


def enrollment(**overrides):
    data = {
        "legal_name": "Petal & Stem LLC", "kind": "florist", "street": "100 Pike St", "city": "Seattle",
        "state": "WA", "postal_code": "98101", "latitude": "47.6097", "longitude": "-122.3422",
        "time_zone": "America/Los_Angeles", "opening_hours": {"mon": "09:00-18:00"}, "storage_attested": True,
        "storage_size": 25, "delivery_means": ["foot"], "staff_count": 2, "terms_accepted": True,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(("state", "city", "eligible"), [
    ("WA", "Seattle", True),
    ("wa", "seattle", True),
    ("MA", "Boston", True),
    ("NY", "New York", True),
    ("TX", "Austin", False),        # state not in the program
    ("WA", "Spokane", False),       # eligible state, not a target city
    ("CA", "Seattle", False),       # a target city name, but in another state
])
def test_eligibility_depends_on_state_and_target_city(state, city, eligible):
    assert eligibility_check(state=state, city=city).eligible is eligible


def test_disabling_a_state_closes_it(db):
    from hubs.models import EligibleState

    EligibleState.objects.filter(code="WA").update(enabled=False)
    assert not eligibility_check(state="WA", city="Seattle").eligible


def test_enrollment_inside_the_area_is_applied_with_capacity_capped_by_storage(user):
    hub = hub_enroll(owner=user, data=enrollment())
    assert hub.status == HubStatus.APPLIED
    assert hub.capacity == 25  # default 30, but the storage holds 25
    assert str(hub.radius_miles) == "2.00"
    user.refresh_from_db()
    assert user.role == "hub_owner"


AUSTIN = {"city": "Austin", "state": "TX", "latitude": "30.2672", "longitude": "-97.7431",
          "time_zone": "America/Chicago"}


def test_enrollment_outside_the_area_is_refused_unless_waitlisted(user):
    with pytest.raises(ValidationFailed) as exc:
        hub_enroll(owner=user, data=enrollment(**AUSTIN))
    assert exc.value.code == "outside_program_area"
    hub = hub_enroll(owner=user, data=enrollment(**AUSTIN), join_waitlist=True)
    assert hub.status == HubStatus.WAITLISTED
    assert not hub.eligible_at_enrollment


@pytest.mark.parametrize(("field", "value"), [
    ("latitude", "91"), ("longitude", "-181"), ("latitude", "north"), ("terms_accepted", False),
    ("storage_attested", False), ("storage_size", 0), ("delivery_means", ["rocket"]), ("kind", "bank"),
])
def test_bad_enrollment_input_names_the_field(user, field, value):
    with pytest.raises(ValidationFailed) as exc:
        hub_enroll(owner=user, data=enrollment(**{field: value}))
    assert field in exc.value.fields


def test_admin_decisions_follow_the_workflow_and_are_logged(user, admin_user):
    hub = hub_enroll(owner=user, data=enrollment())
    hub = hub_decide(hub=hub, to=HubStatus.APPROVED, decided_by=admin_user, note="looks good")
    hub = hub_decide(hub=hub, to=HubStatus.ACTIVE, decided_by=admin_user)
    hub = hub_decide(hub=hub, to=HubStatus.PAUSED, decided_by=admin_user)
    with pytest.raises(InvalidTransition):
        hub_decide(hub=hub, to=HubStatus.APPROVED, decided_by=admin_user)
    with pytest.raises(ValidationFailed):
        hub_decide(hub=hub, to=HubStatus.OFFBOARDED, decided_by=admin_user)  # needs a reason
    assert list(HubTransition.objects.filter(hub=hub).values_list("to_status", flat=True)) == [
        "applied", "approved", "active", "paused"]

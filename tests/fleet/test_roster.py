"""The roster and its hours rules: each rule refuses a shift and names itself (services and API); time off,
availability and swaps; events reach the partner's audience only."""

from datetime import date, time, timedelta

import pytest
from freezegun import freeze_time

from core.errors import Conflict, ValidationFailed
from core.models import OutboxEvent
from core.servicedays import service_today, service_week
from fleet.models import HoursRule, Shift, ShiftSwap, TimeOff
from fleet.services import (
    availability_exception_set,
    availability_set_pattern,
    roster_copy_week,
    shift_create,
    swap_decide,
    swap_request,
    timeoff_decide,
    timeoff_request,
)
from tests.fleet.factories import DriverFactory

pytestmark = pytest.mark.django_db

SUNDAY = date(2026, 12, 6)  # a week in the future of the frozen clock below
TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen(request):
    """Services run on a frozen clock; the API tests on the real one (the throttle's timer does not take a
    frozen clock), with days counted from the real today."""
    if request.node.name.startswith("test_api"):
        yield
        return
    with freeze_time("2026-12-01 19:00:00"):
        yield


def _real_days():
    today = service_today()
    return today, service_week(day=today)[0] + timedelta(days=14)


@pytest.fixture
def rule():
    """The program's default rule, set to round numbers the tests reason with."""
    row, _ = HoursRule.objects.update_or_create(state="", defaults={
        "max_day_minutes": 600, "max_week_minutes": 2400, "min_rest_minutes": 600, "break_after_minutes": 360,
        "break_minutes": 30})
    HoursRule.objects.exclude(state="").delete()
    return row


@pytest.fixture
def crew(partner_and_owner):
    partner, owner = partner_and_owner
    return partner, owner, [DriverFactory(partner=partner) for _ in range(2)]


def _shift(partner, driver, day, start="08:00", minutes=540, brk=None, today=TODAY, **kw):
    return shift_create(partner=partner, driver=driver, day=day, starts_at=time.fromisoformat(start), minutes=minutes,
                        break_minutes=brk, today=today, **kw)


def test_a_shift_takes_the_break_its_length_needs(rule, crew):
    partner, _owner, (driver, _other) = crew
    long = _shift(partner, driver, SUNDAY, minutes=540)
    short = _shift(partner, driver, SUNDAY + timedelta(days=1), minutes=300)
    assert (long.break_minutes, short.break_minutes) == (30, 0)


def test_a_shift_without_its_break_is_refused_naming_the_break_rule(rule, crew):
    partner, _owner, (driver, _other) = crew
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY, minutes=480, brk=0)
    assert exc.value.code == "hours_rule_break" and "Break rule" in exc.value.detail
    assert not Shift.objects.exists()


def test_a_shift_over_the_daily_maximum_is_refused_naming_the_daily_rule(rule, crew):
    partner, _owner, (driver, _other) = crew
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY, minutes=660, brk=30)  # 10 h 30 of work
    assert exc.value.code == "hours_rule_day" and "Daily hours rule" in exc.value.detail
    assert not Shift.objects.exists()


def test_the_shift_that_passes_the_weekly_maximum_is_refused_naming_the_weekly_rule(rule, crew):
    partner, _owner, (driver, _other) = crew
    for n in range(4):  # 4 × 9 h 30 = 38 h of the 40 allowed
        _shift(partner, driver, SUNDAY + timedelta(days=n), minutes=600, brk=30)
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY + timedelta(days=4), minutes=240)
    assert exc.value.code == "hours_rule_week" and "Weekly hours rule" in exc.value.detail
    # the next Sunday starts a new week (Sunday–Saturday)
    assert _shift(partner, driver, SUNDAY + timedelta(days=7), minutes=240).pk


def test_a_shift_too_soon_after_the_last_one_is_refused_naming_the_rest_rule(rule, crew):
    partner, _owner, (driver, _other) = crew
    _shift(partner, driver, SUNDAY, start="12:00", minutes=600, brk=30)  # ends 22:00
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY + timedelta(days=1), start="06:00", minutes=480)  # 8 h of rest
    assert exc.value.code == "hours_rule_rest" and "Rest rule" in exc.value.detail
    assert _shift(partner, driver, SUNDAY + timedelta(days=1), start="08:00", minutes=480).pk  # 10 h: fine


def test_a_states_own_rule_wins_over_the_program_default(rule, crew):
    partner, _owner, (driver, _other) = crew
    HoursRule.objects.create(state="CA", break_after_minutes=300, break_minutes=30)
    assert _shift(partner, driver, SUNDAY, minutes=330, brk=0).pk  # 5 h 30: fine by default
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY + timedelta(days=1), minutes=330, brk=0, state="CA")
    assert exc.value.code == "hours_rule_break" and "(CA)" in exc.value.detail


def test_approved_time_off_and_unavailability_refuse_a_shift(rule, crew):
    partner, owner, (driver, other) = crew
    request = timeoff_request(driver=driver, first_day=SUNDAY, last_day=SUNDAY + timedelta(days=1), today=TODAY)
    timeoff_decide(time_off=request, approve=True, by=owner)
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, SUNDAY)
    assert exc.value.code == "time_off"
    availability_set_pattern(driver=other, available_weekdays={0, 1, 2, 3, 4})  # never on weekends
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, other, SUNDAY)
    assert exc.value.code == "unavailable"
    availability_exception_set(driver=other, day=SUNDAY, available=True, today=TODAY)  # but this Sunday, yes
    assert _shift(partner, other, SUNDAY).pk


def test_approving_time_off_takes_the_drivers_shifts_off_the_roster(rule, crew):
    partner, owner, (driver, _other) = crew
    _shift(partner, driver, SUNDAY)
    request = timeoff_request(driver=driver, first_day=SUNDAY, last_day=SUNDAY, today=TODAY)
    assert request.status == TimeOff.Status.REQUESTED
    timeoff_decide(time_off=request, approve=True, by=owner)
    assert not Shift.objects.filter(driver=driver).exists()
    types = list(OutboxEvent.objects.filter(subject_id=str(request.pk)).values_list("type", flat=True))
    assert sorted(types) == ["timeoff.decided", "timeoff.requested"]
    assert request.events.count() == 2


def test_a_swap_hands_the_shift_over_only_when_the_colleague_passes_the_rules(rule, crew):
    partner, owner, (driver, colleague) = crew
    shift = _shift(partner, driver, SUNDAY + timedelta(days=1), start="06:00", minutes=480)
    _shift(partner, colleague, SUNDAY, start="12:00", minutes=600, brk=30)  # ends 22:00 the night before
    swap = swap_request(shift=shift, to_driver=colleague, today=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        swap_decide(swap=swap, approve=True, by=owner)
    assert exc.value.code == "hours_rule_rest"
    shift.refresh_from_db()
    swap.refresh_from_db()
    assert shift.driver_id == driver.pk and swap.status == ShiftSwap.Status.REQUESTED
    Shift.objects.filter(driver=colleague).delete()
    swap_decide(swap=swap, approve=True, by=owner)
    shift.refresh_from_db()
    assert shift.driver_id == colleague.pk


def test_one_swap_at_a_time_per_shift_and_only_with_a_colleague(rule, crew, other_partner_and_owner):
    partner, _owner, (driver, colleague) = crew
    stranger = DriverFactory(partner=other_partner_and_owner[0])
    shift = _shift(partner, driver, SUNDAY)
    with pytest.raises(ValidationFailed):
        swap_request(shift=shift, to_driver=stranger, today=TODAY)
    swap_request(shift=shift, to_driver=colleague, today=TODAY)
    with pytest.raises(Conflict):
        swap_request(shift=shift, to_driver=colleague, today=TODAY)


def test_the_template_week_is_copied_forward_skipping_what_would_break_a_rule(rule, crew):
    partner, owner, (driver, colleague) = crew
    for n in range(3):
        _shift(partner, driver, SUNDAY + timedelta(days=n))
    _shift(partner, colleague, SUNDAY + timedelta(days=2))
    later = timeoff_request(driver=colleague, first_day=SUNDAY + timedelta(days=9),
                            last_day=SUNDAY + timedelta(days=9), today=TODAY)
    timeoff_decide(time_off=later, approve=True, by=owner)
    made, skipped = roster_copy_week(partner=partner, week_first=SUNDAY, by=owner, today=TODAY)
    assert sorted(s.day for s in made) == [SUNDAY + timedelta(days=n) for n in (7, 8, 9)]
    assert [(d.pk, day) for d, day, _why in skipped] == [(colleague.pk, SUNDAY + timedelta(days=9))]


def test_a_past_day_cannot_be_rostered(rule, crew):
    partner, _owner, (driver, _other) = crew
    with pytest.raises(ValidationFailed) as exc:
        _shift(partner, driver, TODAY - timedelta(days=1))
    assert exc.value.code == "day_past"


# -- API ---------------------------------------------------------------------------------------------

def test_api_refuses_a_shift_that_breaks_a_rule_naming_it_and_creates_idempotently(rule, crew, token_client):
    partner, owner, (driver, _other) = crew
    _today, SUNDAY = _real_days()
    client = token_client(owner)
    body = {"driver": driver.pk, "day": SUNDAY.isoformat(), "starts_at": "08:00", "minutes": 700,
            "break_minutes": 30}
    bad = client.post("/api/v1/fleet/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-bad")
    assert bad.status_code == 400
    assert bad.json()["code"] == "hours_rule_day" and "Daily hours rule" in bad.json()["detail"]
    body["minutes"] = 540
    first = client.post("/api/v1/fleet/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/fleet/shifts/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201 and again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert Shift.objects.count() == 1
    listed = client.get(f"/api/v1/fleet/shifts/?from={SUNDAY}&to={SUNDAY}").json()
    assert [r["id"] for r in listed["results"]] == [first.json()["id"]]


def test_api_time_off_request_and_decision(rule, crew, token_client):
    partner, owner, (driver, _other) = crew
    TODAY, SUNDAY = _real_days()
    client = token_client(owner)
    made = client.post("/api/v1/fleet/time-off/", {"driver": driver.pk, "first_day": SUNDAY.isoformat(),
                                                   "last_day": SUNDAY.isoformat(), "reason": "Moving"},
                       format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert made.status_code == 201
    decided = client.post(f"/api/v1/fleet/time-off/{made.json()['id']}/decide/", {"decision": "approve"},
                          format="json")
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    backwards = client.post("/api/v1/fleet/time-off/", {"driver": driver.pk, "first_day": SUNDAY.isoformat(),
                                                        "last_day": TODAY.isoformat()},
                            format="json", HTTP_IDEMPOTENCY_KEY="t-2")
    assert backwards.status_code == 400 and backwards.json()["fields"]["last_day"]


def test_api_another_partners_roster_rows_are_404_and_unchanged(rule, crew, other_partner_and_owner, token_client):
    partner, owner, (driver, colleague) = crew
    TODAY, SUNDAY = _real_days()
    shift = _shift(partner, driver, SUNDAY, today=TODAY)
    swap = swap_request(shift=shift, to_driver=colleague, today=TODAY)
    request = timeoff_request(driver=driver, first_day=SUNDAY + timedelta(days=3),
                              last_day=SUNDAY + timedelta(days=3), today=TODAY)
    intruder = token_client(other_partner_and_owner[1])
    assert intruder.get(f"/api/v1/fleet/shifts/{shift.pk}/").status_code == 404
    assert intruder.delete(f"/api/v1/fleet/shifts/{shift.pk}/").status_code == 404
    assert intruder.post(f"/api/v1/fleet/time-off/{request.pk}/decide/", {"decision": "approve"},
                         format="json").status_code == 404
    assert intruder.post(f"/api/v1/fleet/shift-swaps/{swap.pk}/decide/", {"decision": "approve"},
                         format="json").status_code == 404
    assert intruder.get("/api/v1/fleet/shifts/").json()["results"] == []
    made = intruder.post("/api/v1/fleet/shifts/", {"driver": driver.pk, "day": SUNDAY.isoformat(),
                                                  "starts_at": "09:00", "minutes": 300},
                         format="json", HTTP_IDEMPOTENCY_KEY="x-1")
    assert made.status_code == 400 and made.json()["code"] == "driver_unknown"
    assert Shift.objects.get().driver_id == driver.pk
    request.refresh_from_db()
    assert request.status == TimeOff.Status.REQUESTED

from datetime import UTC, date, datetime, time, timedelta

import pytest
from freezegun import freeze_time

from fleet.models import Coverage, ExpiryReminder, Vehicle
from fleet.services.expiry import reminder_threshold
from fleet.tasks import fleet_expiry_daily
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory
from tests.onboarding.factories import partner_with_owner

DAY = date(2026, 3, 15)


def _midday(day: date) -> datetime:
    """19:00 UTC, late morning in Seattle: the same calendar day in UTC and on the program's clock."""
    return datetime.combine(day, time(19, 0), tzinfo=UTC)


def _company(partner):
    for c in (Coverage.GENERAL_LIABILITY, Coverage.WORKERS_COMP):
        PolicyFactory(partner=partner, coverage=c, effective_on=DAY - timedelta(days=30),
                      expires_on=DAY + timedelta(days=300))


@pytest.mark.parametrize("days_left,threshold", [(31, None), (30, 30), (29, 30), (8, 30), (7, 7), (2, 7), (1, 1),
                                                 (0, 1), (-1, None)])
def test_reminder_thresholds(days_left, threshold):
    assert reminder_threshold(days_left) == threshold


@pytest.mark.django_db(transaction=True)
def test_expiry_job_twice_sends_one_reminder_and_grounds_once(mailoutbox):
    partner, owner = partner_with_owner()
    _company(partner)
    covered = VehicleFactory(partner=partner)
    lapsed = VehicleFactory(partner=partner)
    PolicyFactory(partner=partner, coverage=Coverage.AUTO_LIABILITY, covers_all_vehicles=True,
                  effective_on=DAY - timedelta(days=30), expires_on=DAY + timedelta(days=7))  # reminder due
    PolicyFactory(partner=partner, coverage=Coverage.CARGO, vehicles=[covered],
                  effective_on=DAY - timedelta(days=30), expires_on=DAY + timedelta(days=300))
    PolicyFactory(partner=partner, coverage=Coverage.CARGO, vehicles=[lapsed],
                  effective_on=DAY - timedelta(days=365), expires_on=DAY - timedelta(days=1))  # lapsed yesterday

    with freeze_time("2026-03-15 18:00:00"):  # 11:00 on the 15th on the program's clock (Pacific)
        first = fleet_expiry_daily.delay().get()
        second = fleet_expiry_daily.delay().get()

    assert first == {"reminders": 1, "grounded": 1}
    assert second == {"reminders": 0, "grounded": 0}
    reminder = ExpiryReminder.objects.get()
    assert reminder.days_before == 7 and owner.email in reminder.recipients
    assert len(mailoutbox) == 1
    assert "Auto liability" in mailoutbox[0].subject and mailoutbox[0].to == [owner.email]

    lapsed.refresh_from_db()
    covered.refresh_from_db()
    assert lapsed.status == Vehicle.Status.GROUNDED
    assert covered.status == Vehicle.Status.ACTIVE
    event = lapsed.events.order_by("-created_at", "-id").first()
    assert event.to_status == "grounded" and event.actor is None
    assert "cargo" in event.note and "2026-03-15" in event.note
    assert lapsed.events.filter(to_status="grounded").count() == 1


@pytest.mark.django_db(transaction=True)
def test_licence_reminders_at_30_7_and_1_days_reach_the_driver(mailoutbox):
    partner, owner = partner_with_owner()
    driver = DriverFactory(partner=partner, licence_expires_on=DAY + timedelta(days=30))
    for offset in (0, 1, 22, 23, 29, 29):  # 30 days, 29, 8, 7, 1, 1 again
        with freeze_time(_midday(DAY + timedelta(days=offset))):
            fleet_expiry_daily.delay().get()
    assert sorted(ExpiryReminder.objects.values_list("days_before", flat=True)) == [1, 7, 30]
    assert len(mailoutbox) == 3
    assert all(driver.email in m.to and owner.email in m.to for m in mailoutbox)


@pytest.mark.django_db(transaction=True)
def test_a_renewed_policy_earns_no_reminder(mailoutbox):
    partner, _owner = partner_with_owner()
    PolicyFactory(partner=partner, coverage=Coverage.GENERAL_LIABILITY, effective_on=DAY - timedelta(days=358),
                  expires_on=DAY + timedelta(days=7))
    PolicyFactory(partner=partner, coverage=Coverage.GENERAL_LIABILITY, effective_on=DAY + timedelta(days=7),
                  expires_on=DAY + timedelta(days=372))
    with freeze_time(_midday(DAY)):
        assert fleet_expiry_daily.delay().get()["reminders"] == 0

"""The drivers' week on the embedded default (SQLite): the owner rosters a driver from the station's waves and is
told which hours rule a too-long shift breaks; the driver, on a phone, sees the week, asks for time off and a swap;
the owner approves the swap and the commitment for that day follows the roster."""

from datetime import timedelta

import pytest

from accounts.models import Role
from fleet.models import Shift, ShiftSwap, TimeOff
from routes.services.fleetday import commitments
from tests.conftest import login
from tests.routes.factories import StationFactory, partner_with_fleet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_roster_week_from_the_owner_to_the_drivers_phone_and_back(page, phone_page, make_user, screenshot):
    station = StationFactory(name="Seattle South SEA7", code="sea7", waves=["07:30", "08:00", "08:30"], state="WA")
    day = station.local_today() + timedelta(days=1)
    partner, owner, _vans, drivers = partner_with_fleet(station=station, routes=3, vans=3, drivers=2, on=day)
    me, colleague = drivers
    me.user = make_user(role=Role.DRIVER, email="ana@rivera-logistics.example")
    me.save(update_fields=["user"])
    assert commitments(station=station, service_date=day) == {partner.pk: 3}  # typed by hand until a roster exists

    login(page, owner.email)
    page.goto(f"/routes/roster/?date={day.isoformat()}")
    page.select_option("#id_driver", str(me.pk))
    page.select_option("#id_day", day.isoformat())
    page.select_option("#id_wave", "07:30")
    page.fill("#id_minutes", "720")
    page.click("#shift-form button")
    page.wait_for_selector(".field-error:has-text('Daily hours rule (WA)')")
    screenshot(page, "embedded-roster-01-rule-refused")
    assert not Shift.objects.exists()
    page.fill("#id_minutes", "540")
    page.click("#shift-form button")
    page.wait_for_selector("#roster-table .badge:has-text('07:30')")
    screenshot(page, "embedded-roster-02-rostered")
    shift = Shift.objects.get()
    assert (shift.driver_id, shift.day, shift.break_minutes) == (me.pk, day, 30)  # WA: a break after 5 h
    assert commitments(station=station, service_date=day) == {partner.pk: 1}

    login(phone_page, me.user.email)
    phone_page.goto(f"/routes/my-week/?date={day.isoformat()}")
    card = phone_page.locator(f"#day-{day.isoformat()}")
    assert "Start 07:30" in card.inner_text()
    card.locator("summary").click()
    card.locator("select[name=to_driver]").select_option(str(colleague.pk))
    card.get_by_role("button", name="Ask to swap").click()
    phone_page.wait_for_selector("text=Swap asked; your dispatcher will decide.")
    phone_page.fill("#id_first_day", (day + timedelta(days=7)).isoformat())
    phone_page.fill("#id_last_day", (day + timedelta(days=8)).isoformat())
    phone_page.fill("#id_reason", "Moving house")
    phone_page.click("#timeoff-form button")
    phone_page.wait_for_selector("#my-requests")
    screenshot(phone_page, "embedded-roster-03-driver-week")
    assert TimeOff.objects.get(driver=me).status == TimeOff.Status.REQUESTED

    page.goto(f"/routes/roster/?date={day.isoformat()}")
    page.locator(".swap-row").get_by_role("button", name="Approve").click()
    page.wait_for_selector("text=Swap decided.")
    screenshot(page, "embedded-roster-04-swap-approved")
    assert ShiftSwap.objects.get().status == ShiftSwap.Status.APPROVED
    assert Shift.objects.get().driver_id == colleague.pk
    assert commitments(station=station, service_date=day) == {partner.pk: 1}

"""The demo partner's roster for `manage.py seed_demo`: this week and next (Sunday–Saturday) at SEA1, drivers
in a five-days-on rotation across the station's three waves, a usual week for a few, one time-off request
waiting, one approved, and a shift swap waiting for the dispatcher. Run before the day's planning so the
commitment comes from the roster. Idempotent: a partner that has shifts is left alone."""

from datetime import time, timedelta

from core.servicedays import service_week
from fleet.models import Availability, Driver, Shift, ShiftSwap, TimeOff
from fleet.selectors import drivers_assignable

WAVES = ["07:30", "08:00", "08:30"]
PER_DAY = 5
SHIFT_MINUTES = 600
BREAK_MINUTES = 30


def seed_roster(*, station, partner, today, demo_driver_email, log):
    if not station.waves:
        station.waves = WAVES
        station.state = station.state or "WA"
        station.save(update_fields=["waves", "state"])
    if Shift.objects.filter(partner=partner).exists():
        return
    first, _last = service_week(day=today)
    drivers = list(drivers_assignable(partner=partner, on_date=today).order_by("last_name", "pk"))
    demo = next((d for d in drivers if d.email == demo_driver_email), None)
    if demo is not None:
        drivers.remove(demo)
    crew = ([demo] if demo else []) + drivers[: PER_DAY + 2]  # 7 drivers, each off two days a week
    rows = []
    for n in range(14):
        day = first + timedelta(days=n)
        for i, driver in enumerate(crew):
            if (n + i) % 7 in (5, 6) and not (driver == demo and day == today):
                continue
            if len([r for r in rows if r.day == day]) >= PER_DAY:
                continue
            wave = time.fromisoformat(WAVES[i % len(WAVES)])
            rows.append(Shift(partner=partner, driver=driver, day=day, starts_at=wave, minutes=SHIFT_MINUTES,
                              break_minutes=BREAK_MINUTES, station_id=station.pk, state=station.state))
    Shift.objects.bulk_create(rows)
    _requests(partner, crew, drivers, today, demo, rows)
    log(f"roster: {len(rows)} shifts over two weeks for {len(crew)} drivers at {station.code}")


def _requests(partner, crew, drivers, today, demo, rows):
    for d in drivers[PER_DAY + 2: PER_DAY + 5]:
        for weekday in range(7):
            Availability.objects.get_or_create(driver=d, weekday=weekday, defaults={"available": weekday != 6})
    if len(crew) > 2:
        TimeOff.objects.get_or_create(partner=partner, driver=crew[1], first_day=today + timedelta(days=9),
                                      defaults={"last_day": today + timedelta(days=10),
                                                "reason": "Family wedding in Spokane"})
        TimeOff.objects.get_or_create(partner=partner, driver=crew[2], first_day=today + timedelta(days=20),
                                      defaults={"last_day": today + timedelta(days=24), "reason": "Vacation",
                                                "status": TimeOff.Status.APPROVED})
    mine = next((r for r in rows if demo and r.driver_id == demo.pk and r.day > today), None)
    colleague = next((d for d in drivers[PER_DAY + 2:] if d.status == Driver.Status.ACTIVE), None)
    if mine is not None and colleague is not None:
        shift = Shift.objects.get(driver=demo, day=mine.day)
        ShiftSwap.objects.get_or_create(partner=partner, shift=shift, from_driver=demo, to_driver=colleague,
                                        defaults={"note": "Dentist appointment that morning"})

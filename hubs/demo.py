"""Hub demo: the demo hub owner's active Seattle florist with today's parcels in mixed states and a
few past weeks of statements, plus hubs in other statuses. Idempotent; no Stripe calls."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.demo import demo_user, ensure_user
from accounts.models import Role
from core.calendar import closed_days
from hubs.models import Hub, HubStatus, HubTransition, Parcel, Statement, StatementStatus
from hubs.services.statements import statements_compute, week_start_of

HOURS = {d: "09:00-19:00" for d in ["mon", "tue", "wed", "thu", "fri", "sat"]} | {"sun": "10:00-16:00"}
STREETS = ["Pine St", "Pike St", "1st Ave", "2nd Ave", "3rd Ave", "Union St", "Stewart St", "Virginia St"]
NAMES = ["Ana Ruiz", "Ben Cho", "Cara Diaz", "Dev Patel", "Eli Moss", "Fay Wong", "Gus Kim", "Hana Sato",
         "Ivan Lee", "Jo Park"]

OTHERS = [
    ("bean@demo.dspportal.example", "Priya Shah", "Bean There Coffee LLC", "coffee_shop", "1 Tremont St", "Boston",
     "MA", "02108", "42.357600", "-71.062000", "America/New_York", HubStatus.APPLIED, True),
    ("threads@demo.dspportal.example", "Luis Ortega", "Threads Boutique LLC", "clothing_store", "500 Congress Ave",
     "Austin", "TX", "78701", "30.267200", "-97.743100", "America/Chicago", HubStatus.WAITLISTED, False),
    ("corner@demo.dspportal.example", "Dana Kim", "Corner Pharmacy Inc", "pharmacy", "200 Broadway", "New York",
     "NY", "10007", "40.712800", "-74.006000", "America/New_York", HubStatus.PAUSED, True),
]


def _hub(owner, legal_name, **fields):
    hub, created = Hub.objects.get_or_create(owner=owner, legal_name=legal_name, defaults={
        "opening_hours": HOURS, "storage_attested": True, "storage_size": 40, "delivery_means": ["foot", "bike"],
        "staff_count": 3, "terms_accepted_at": timezone.now(), "capacity": 30, "radius_miles": Decimal("2.00"),
        **fields})
    if created:
        HubTransition.objects.create(hub=hub, from_status="", to_status=HubStatus.APPLIED, note="demo")
        if hub.status != HubStatus.APPLIED:
            HubTransition.objects.create(hub=hub, from_status=HubStatus.APPLIED, to_status=hub.status, note="demo")
    return hub


def _parcels(hub, day, statuses):
    now = timezone.now()
    rows = []
    for i, status in enumerate(statuses):
        p = Parcel(hub=hub, service_date=day, tracking_id=f"TBA{hub.pk:04d}{day:%y%m%d}{i:02d}", status=status,
                   recipient_name=NAMES[i % len(NAMES)], recipient_address=f"{100 + 7 * i} {STREETS[i % 8]}, Seattle",
                   allocated_at=now, updated_at=now)
        if status != "allocated":
            p.received_at = now
        if status == "delivered":
            p.delivered_at, p.delivered_to = now, p.recipient_name
        elif status == "attempted":
            p.attempted_at, p.attempt_reason = now, "nobody_home"
        elif status == "returned":
            p.returned_at = now
        rows.append(p)
    Parcel.objects.bulk_create(rows, ignore_conflicts=True)


def seed(*, log):
    owner = demo_user("hub@demo.dspportal.example")
    florist = _hub(owner, "Petal & Stem Florist LLC", kind="florist", street="1501 Pike Pl", city="Seattle",
                   state="WA", postal_code="98101", latitude=Decimal("47.609700"), longitude=Decimal("-122.342200"),
                   time_zone="America/Los_Angeles", status=HubStatus.ACTIVE)
    today = florist.local_today()
    # Today: 30 parcels, some still in the storage room, some out, some done.
    _parcels(florist, today, ["received"] * 14 + ["out_for_delivery"] * 4 + ["delivered"] * 9 + ["attempted"] * 2
             + ["allocated"])
    # Three past weeks of finished days (closed days skipped), then their statements.
    first = week_start_of(today) - timedelta(weeks=3)
    closed = closed_days(first, today)
    for offset in range(21):
        day = first + timedelta(days=offset)
        if day not in closed:
            _parcels(florist, day, ["delivered"] * (26 + offset % 4) + ["attempted"] * (2 - offset % 2)
                     + ["returned"] * (offset % 3 == 0))
    for week in range(3):
        statements_compute(week_start=first + timedelta(weeks=week), hub_ids=[florist.pk])
    # The two oldest weeks were paid (demo rows only; no Stripe call while seeding).
    Statement.objects.filter(hub=florist, week_start__lt=first + timedelta(weeks=2),
                             status=StatementStatus.OPEN).update(status=StatementStatus.PAID, paid_at=timezone.now())
    logins = []
    for email, name, legal, kind, street, city, state, zip_code, lat, lng, tz, status, eligible in OTHERS:
        other = ensure_user(email, name, Role.HUB_OWNER)
        _hub(other, legal, kind=kind, street=street, city=city, state=state, postal_code=zip_code,
             latitude=Decimal(lat), longitude=Decimal(lng), time_zone=tz, status=status,
             eligible_at_enrollment=eligible)
    log(f"hubs: {Hub.objects.count()} hubs, {Parcel.objects.filter(hub=florist, service_date=today).count()} "
        f"parcels today at {florist}")
    return logins

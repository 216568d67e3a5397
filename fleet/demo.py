"""Demo fleet for `manage.py seed_demo`: the demo partner's 24 vans, 45 drivers and its insurance.

Idempotent: each part is skipped when the partner already has rows of that kind."""

from datetime import timedelta
from decimal import Decimal

from accounts.models import User
from core.servicedays import service_today
from fleet.models import Coverage, Driver, Vehicle
from fleet.services import (
    driver_create,
    driver_transition,
    odometer_record,
    policy_create,
    vehicle_register,
    vehicle_transition,
)
from fleet.upkeep import demo as upkeep_demo
from fleet.vin import vin_check_digit
from onboarding.selectors import partner_for_user

OWNER = "owner@demo.dspportal.example"
DRIVER = "driver@demo.dspportal.example"
VANS = 24
FIRST = ["Chris", "Maya", "Luis", "Aisha", "Tom", "Grace", "Kwame", "Sofia", "Ethan", "Priya", "Marcus", "Hana",
         "Diego", "Olivia", "Jamal", "Emma", "Noah", "Zara", "Ivan", "Leah", "Omar", "Chloe", "Raj"]
LAST = ["Patel", "Johnson", "Garcia", "Khan", "Walker", "Kim", "Mensah", "Rossi", "Brown", "Nair", "Reed", "Sato",
        "Lopez", "Miller", "Wright", "Davis", "Young", "Ali", "Petrov", "Cohen", "Haddad", "Martin", "Shah"]
MODELS = [("Ford", "E-Transit 350", 2024, 220), ("Rivian", "EDV 500", 2024, 300), ("Ram", "ProMaster 2500", 2023, 250),
          ("Mercedes-Benz", "Sprinter 2500", 2023, 280)]


def _vin(n: int) -> str:
    body = f"1FTBW3XG0PKA{n:05d}"
    return body[:8] + vin_check_digit(body) + body[9:]


def _vans(partner, owner, today):
    vans = []
    for i in range(VANS):
        make, model, year, capacity = MODELS[i % len(MODELS)]
        van = vehicle_register(partner=partner, vin=_vin(70100 + i), plate=f"DSP{4100 + i}", plate_state="GA",
                               make=make, model=model, year=year, package_capacity=capacity,
                               ownership=Vehicle.Ownership.LEASED_PROGRAM if i % 3 else Vehicle.Ownership.OWNED,
                               by=owner)
        odometer_record(vehicle=van, miles=8_000 + 1_337 * i, read_on=today - timedelta(days=7), by=owner)
        vans.append(van)
    vehicle_transition(vehicle=vans[5], to=Vehicle.Status.MAINTENANCE, note="Brake pads and rotors.", by=owner)
    vehicle_transition(vehicle=vans[11], to=Vehicle.Status.MAINTENANCE, note="Sliding door sensor fault.", by=owner)
    return vans


def _policies(partner, owner, vans, today):
    year_ago = today - timedelta(days=200)
    grounded = vans[-1]
    common = {"partner": partner, "by": owner}
    policy_create(coverage=Coverage.GENERAL_LIABILITY, carrier="Hartford", policy_number="GL-2281930",
                  per_occurrence_limit=Decimal("1000000"), aggregate_limit=Decimal("2000000"),
                  effective_on=year_ago, expires_on=year_ago + timedelta(days=365), **common)
    # Expires within the week: the dashboard and the reminder job show it.
    policy_create(coverage=Coverage.WORKERS_COMP, carrier="Travelers", policy_number="WC-5520417",
                  per_occurrence_limit=Decimal("1000000"), effective_on=today - timedelta(days=359),
                  expires_on=today + timedelta(days=6), **common)
    policy_create(coverage=Coverage.AUTO_LIABILITY, carrier="Progressive Commercial", policy_number="CA-88123",
                  per_occurrence_limit=Decimal("1000000"), covers_all_vehicles=True, effective_on=year_ago,
                  expires_on=year_ago + timedelta(days=365), **common)
    policy_create(coverage=Coverage.CARGO, carrier="Progressive Commercial", policy_number="CG-88124",
                  per_occurrence_limit=Decimal("100000"), vehicles=vans[:-1], effective_on=year_ago,
                  expires_on=year_ago + timedelta(days=365), **common)
    policy_create(coverage=Coverage.CARGO, carrier="Great West Casualty", policy_number="CG-31007",
                  per_occurrence_limit=Decimal("50000"), vehicles=[grounded], effective_on=today - timedelta(days=380),
                  expires_on=today - timedelta(days=15), **common)
    policy_create(coverage=Coverage.UMBRELLA, carrier="Hartford", policy_number="UM-771204",
                  per_occurrence_limit=Decimal("5000000"), effective_on=year_ago,
                  expires_on=year_ago + timedelta(days=365), **common)
    vehicle_transition(vehicle=grounded, to=Vehicle.Status.GROUNDED, by=None,
                       note=f"Insurance lapsed on {(today - timedelta(days=14)).isoformat()}: no current cargo cover. "
                            "Grounded automatically.")


def _drivers(partner, owner, today):
    driver_user = User.objects.filter(email=DRIVER).first()
    for i in range(45):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        if i == 0:
            first, last = "Chris", "Patel"
        email = DRIVER if i == 0 and driver_user else f"{first}.{last}{i}@drivers.example".lower()
        expires = today + timedelta(days=90 + 23 * i)
        if i == 7:
            expires = today + timedelta(days=20)  # reminder territory
        status = Driver.Status.ONBOARDING if i in (43, 44) else Driver.Status.ACTIVE
        clear = "pending" if status == Driver.Status.ONBOARDING else "clear"
        driver = driver_create(partner=partner, by=owner, first_name=first, last_name=last, email=email,
                               phone=f"(404) 555-{1000 + i:04d}", licence_number=f"GA{70412000 + i * 37}",
                               licence_state="GA", licence_class="C" if i % 5 == 0 else "D",
                               licence_expires_on=expires, background_check=clear, driving_record_check=clear,
                               status=status)
        if i == 0 and driver_user:
            Driver.objects.filter(pk=driver.pk).update(user=driver_user)
        if i == 9:
            # Lapsed since activation (time passing, not an edit): a compliance problem on the dashboard.
            Driver.objects.filter(pk=driver.pk).update(licence_expires_on=today - timedelta(days=3))
        if i == 21:
            driver_transition(driver=driver, to=Driver.Status.SUSPENDED, note="Two missed shifts; review on Monday.",
                              by=owner)


def seed(*, log):
    owner = User.objects.filter(email=OWNER).first()
    partner = partner_for_user(user=owner) if owner else None
    if partner is None:
        log("fleet: no demo partner (onboarding.demo did not create one); skipped")
        return []
    today = service_today()
    if not Vehicle.objects.filter(partner=partner).exists():
        vans = _vans(partner, owner, today)
        _policies(partner, owner, vans, today)
    if not Driver.objects.filter(partner=partner).exists():
        _drivers(partner, owner, today)
    upkeep_demo.seed(partner=partner, owner=owner, log=log, today=today)
    log(f"fleet: {Vehicle.objects.filter(partner=partner).count()} vans, "
        f"{Driver.objects.filter(partner=partner).count()} drivers for {partner}")
    return []

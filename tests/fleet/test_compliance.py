from datetime import date, timedelta

import pytest

from fleet.models import Coverage, Driver, Vehicle
from fleet.selectors import drivers_assignable, fleet_compliance, vehicles_assignable
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory

DAY = date(2026, 3, 15)


def _policy(partner, coverage, *, start=-30, end=300, vans=(), fleet=False):
    return PolicyFactory(partner=partner, coverage=coverage, effective_on=DAY + timedelta(days=start),
                         expires_on=DAY + timedelta(days=end), vehicles=list(vans), covers_all_vehicles=fleet)


def _company(partner, *, skip=()):
    for c in (Coverage.GENERAL_LIABILITY, Coverage.WORKERS_COMP):
        if c not in skip:
            _policy(partner, c)


# (case, van status, policies on the van as (coverage, start, end, fleet-wide), company policies missing,
#  expected van problem codes, expected company problem codes)
CASES = [
    ("all current, listed", "active", [("auto_liability", -30, 300, False), ("cargo", -30, 300, False)], (),
     [], []),
    ("all current, fleet-wide", "active", [("auto_liability", -30, 300, True), ("cargo", -30, 300, True)], (),
     [], []),
    ("no cargo", "active", [("auto_liability", -30, 300, False)], (), ["no_cargo"], []),
    ("nothing at all", "active", [], (), ["no_auto_liability", "no_cargo"], []),
    ("cargo expired yesterday", "active", [("auto_liability", -30, 300, False), ("cargo", -400, -1, False)], (),
     ["no_cargo"], []),
    ("cargo expires today is still current", "active",
     [("auto_liability", -30, 300, False), ("cargo", -365, 0, False)], (), [], []),
    ("auto starts tomorrow", "active", [("auto_liability", 1, 300, False), ("cargo", -30, 300, False)], (),
     ["no_auto_liability"], []),
    ("auto starts today", "active", [("auto_liability", 0, 300, False), ("cargo", -30, 300, False)], (), [], []),
    ("van in maintenance still needs cover", "maintenance", [("cargo", -30, 300, False)], (),
     ["no_auto_liability"], []),
    ("grounded van is not judged", "grounded", [], (), None, []),
    ("retired van is not judged", "retired", [], (), None, []),
    ("umbrella is not auto liability", "active", [("umbrella", -30, 300, False), ("cargo", -30, 300, True)], (),
     ["no_auto_liability"], []),
    ("no general liability", "active", [("auto_liability", -30, 300, True), ("cargo", -30, 300, True)],
     (Coverage.GENERAL_LIABILITY,), [], ["no_general_liability"]),
    ("no workers' comp", "active", [("auto_liability", -30, 300, True), ("cargo", -30, 300, True)],
     (Coverage.WORKERS_COMP,), [], ["no_workers_comp"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case,status,policies,company_missing,van_codes,company_codes", CASES,
                         ids=[c[0] for c in CASES])
def test_compliance_rules(case, status, policies, company_missing, van_codes, company_codes):
    van = VehicleFactory(status=status)
    partner = van.partner
    _company(partner, skip=company_missing)
    for coverage, start, end, fleet in policies:
        if coverage == "umbrella":
            _policy(partner, Coverage.UMBRELLA, start=start, end=end)
        else:
            _policy(partner, coverage, start=start, end=end, vans=() if fleet else (van,), fleet=fleet)

    report = fleet_compliance(partner=partner, on_date=DAY)

    if van_codes is None:
        assert van.pk not in report.vehicles
    else:
        assert sorted(p.code for p in report.vehicles.get(van.pk, [])) == sorted(van_codes)
    assert [p.code for p in report.company] == company_codes
    if company_codes:
        assert report.problems[0].scope == "company"  # problems first, company first


@pytest.mark.django_db
@pytest.mark.parametrize("status,expires_in,problem", [
    (Driver.Status.ACTIVE, -1, True),
    (Driver.Status.ACTIVE, 0, False),
    (Driver.Status.ACTIVE, 30, False),
    (Driver.Status.SUSPENDED, -1, False),
    (Driver.Status.ONBOARDING, -1, False),
])
def test_active_drivers_need_a_current_licence(status, expires_in, problem):
    driver = DriverFactory(status=status, licence_expires_on=DAY + timedelta(days=expires_in))
    _company(driver.partner)
    report = fleet_compliance(partner=driver.partner, on_date=DAY)
    assert (driver.pk in report.drivers) is problem
    if problem:
        assert report.drivers[driver.pk][0].code == "licence_expired"


@pytest.mark.django_db
def test_another_partners_policy_covers_nothing_here():
    van = VehicleFactory()
    other = VehicleFactory()
    _policy(other.partner, Coverage.AUTO_LIABILITY, fleet=True)
    _policy(other.partner, Coverage.CARGO, fleet=True)
    report = fleet_compliance(partner=van.partner, on_date=DAY)
    assert {p.code for p in report.vehicles[van.pk]} == {"no_auto_liability", "no_cargo"}


@pytest.mark.django_db
def test_a_grounded_van_is_never_assignable_even_with_cover():
    ok = VehicleFactory()
    partner = ok.partner
    grounded = VehicleFactory(partner=partner, status=Vehicle.Status.GROUNDED)
    retired = VehicleFactory(partner=partner, status=Vehicle.Status.RETIRED)
    maintenance = VehicleFactory(partner=partner, status=Vehicle.Status.MAINTENANCE)
    _company(partner)
    _policy(partner, Coverage.AUTO_LIABILITY, fleet=True)
    _policy(partner, Coverage.CARGO, fleet=True)

    assignable = list(vehicles_assignable(partner=partner, on_date=DAY))

    assert assignable == [ok]
    assert grounded not in assignable and retired not in assignable and maintenance not in assignable


@pytest.mark.django_db
def test_uninsured_van_and_expired_licence_are_not_assignable():
    insured = VehicleFactory()
    partner = insured.partner
    uninsured = VehicleFactory(partner=partner)
    _company(partner)
    _policy(partner, Coverage.AUTO_LIABILITY, vans=[insured, uninsured])
    _policy(partner, Coverage.CARGO, vans=[insured])
    good = DriverFactory(partner=partner, licence_expires_on=DAY + timedelta(days=100))
    DriverFactory(partner=partner, licence_expires_on=DAY - timedelta(days=1))
    DriverFactory(partner=partner, status=Driver.Status.SUSPENDED)

    assert list(vehicles_assignable(partner=partner, on_date=DAY)) == [insured]
    assert list(drivers_assignable(partner=partner, on_date=DAY)) == [good]


@pytest.mark.django_db
def test_nothing_is_assignable_without_company_cover():
    van = VehicleFactory()
    _company(van.partner, skip=(Coverage.WORKERS_COMP,))
    _policy(van.partner, Coverage.AUTO_LIABILITY, fleet=True)
    _policy(van.partner, Coverage.CARGO, fleet=True)
    DriverFactory(partner=van.partner)
    assert not vehicles_assignable(partner=van.partner, on_date=DAY).exists()
    assert not drivers_assignable(partner=van.partner, on_date=DAY).exists()


@pytest.mark.django_db
def test_compliance_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    van = VehicleFactory()
    for _ in range(10):
        VehicleFactory(partner=van.partner)
        DriverFactory(partner=van.partner, licence_expires_on=DAY - timedelta(days=3))
    _policy(van.partner, Coverage.CARGO, vans=list(Vehicle.objects.all()))
    with django_assert_max_num_queries(5):
        report = fleet_compliance(partner=van.partner, on_date=DAY)
    assert len(report.vehicles) == 11 and len(report.drivers) == 10

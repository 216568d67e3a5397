"""Read queries shared by views, API, tasks and other apps (routing calls the `*_assignable` ones).

The compliance rules live in exactly one place, `fleet_compliance` (and its many-partner form used by the
admin overview and the daily job). Every page, the API, `assignable` and the grounding job read it.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.servicedays import service_today
from fleet.models import (
    BLOCKING,
    Defect,
    Driver,
    DriverEvent,
    Inspection,
    InsurancePolicy,
    OdometerReading,
    Severity,
    Vehicle,
    VehicleEvent,
)
from fleet.models.insurance import VEHICLE_COVERAGES, Coverage
from onboarding.models import Partner
from onboarding.selectors import partner_for_user, partner_scope, partner_scope_of

# --- Compliance ----------------------------------------------------------------------------------

VEHICLE_REQUIRED = (Coverage.AUTO_LIABILITY, Coverage.CARGO)
COMPANY_REQUIRED = (Coverage.GENERAL_LIABILITY, Coverage.WORKERS_COMP)


@dataclass(frozen=True)
class Problem:
    scope: str  # "company" | "vehicle" | "driver"
    code: str  # stable: no_auto_liability, no_cargo, no_general_liability, no_workers_comp, licence_expired
    message: str
    subject_id: int | None = None
    subject_label: str = ""

    @property
    def scope_label(self) -> str:
        """What the page's badge says (the scope itself is a code the API keeps)."""
        return {"company": _("Company"), "vehicle": _("Van"), "driver": _("Driver")}.get(self.scope, self.scope)


@dataclass
class ComplianceReport:
    partner_id: int
    on_date: date
    company: list[Problem] = field(default_factory=list)
    vehicles: dict[int, list[Problem]] = field(default_factory=dict)
    drivers: dict[int, list[Problem]] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Company first (it stops everything), then vans, then drivers."""
        out = list(self.company)
        for problems in self.vehicles.values():
            out.extend(problems)
        for problems in self.drivers.values():
            out.extend(problems)
        return out

    @property
    def is_compliant(self) -> bool:
        return not (self.company or self.vehicles or self.drivers)

    def vehicle_ok(self, vehicle_id) -> bool:
        return not self.company and vehicle_id not in self.vehicles

    def driver_ok(self, driver_id) -> bool:
        return not self.company and driver_id not in self.drivers

    def as_dict(self) -> dict:
        def rows(problems):
            return [{"scope": p.scope, "code": p.code, "message": p.message, "subject_id": p.subject_id,
                     "subject": p.subject_label} for p in problems]

        return {"partner_id": self.partner_id, "on_date": self.on_date.isoformat(), "compliant": self.is_compliant,
                "company": rows(self.company),
                "vehicles": [{"vehicle_id": k, "problems": rows(v)} for k, v in self.vehicles.items()],
                "drivers": [{"driver_id": k, "problems": rows(v)} for k, v in self.drivers.items()]}


_COVERAGE_MISSING = {
    Coverage.AUTO_LIABILITY: ("no_auto_liability", _("no current auto liability cover")),
    Coverage.CARGO: ("no_cargo", _("no current cargo cover")),
    Coverage.GENERAL_LIABILITY: ("no_general_liability", _("no current general liability policy")),
    Coverage.WORKERS_COMP: ("no_workers_comp", _("no current workers' compensation policy")),
}


def _missing(coverage, *, scope, subject_id=None, label=""):
    code, message = _COVERAGE_MISSING[coverage]
    text = f"{label}: {message}" if label else str(message).capitalize()
    return Problem(scope=scope, code=code, message=text, subject_id=subject_id, subject_label=label)


def vehicle_coverage_problems(*, vehicle_id: int, label: str, held: set[str]) -> list[Problem]:
    """The van rule: current auto liability and cargo. `held` is the set of coverages currently on the van."""
    return [_missing(c, scope="vehicle", subject_id=vehicle_id, label=label) for c in VEHICLE_REQUIRED if c not in held]


def _driver_problems(driver: Driver, on_date: date) -> list[Problem]:
    if driver.licence_expires_on < on_date:
        return [Problem(scope="driver", code="licence_expired", subject_id=driver.pk, subject_label=driver.full_name,
                        message=_("%(name)s: driving licence expired on %(d)s")
                        % {"name": driver.full_name, "d": driver.licence_expires_on.isoformat()})]
    return []


def _current_coverage(partner_ids, on_date):
    """{partner_id: {"company": set(coverages), "fleet": set(coverages), "by_vehicle": {vehicle_id: set}}}."""
    policies = (InsurancePolicy.objects.filter(partner_id__in=partner_ids, effective_on__lte=on_date,
                                               expires_on__gte=on_date)
                .prefetch_related(Prefetch("vehicles", queryset=Vehicle.objects.only("id"))))
    held = defaultdict(lambda: {"company": set(), "fleet": set(), "by_vehicle": defaultdict(set)})
    for policy in policies:
        entry = held[policy.partner_id]
        if policy.coverage in VEHICLE_COVERAGES:
            if policy.covers_all_vehicles:
                entry["fleet"].add(policy.coverage)
            for vehicle in policy.vehicles.all():
                entry["by_vehicle"][vehicle.pk].add(policy.coverage)
        else:
            entry["company"].add(policy.coverage)
    return held


def fleet_compliance_many(*, partner_ids, on_date: date) -> dict[int, ComplianceReport]:
    """The compliance rules, for many partners in a fixed number of queries.

    - the company has current general liability and workers' compensation;
    - every van in service (active or in maintenance) has current auto liability and cargo cover;
    - every active driver's licence is current (expires on or after `on_date`)."""
    partner_ids = list(partner_ids)
    reports = {pid: ComplianceReport(partner_id=pid, on_date=on_date) for pid in partner_ids}
    held = _current_coverage(partner_ids, on_date)
    for pid, report in reports.items():
        company = held[pid]["company"] if pid in held else set()
        report.company = [_missing(c, scope="company") for c in COMPANY_REQUIRED if c not in company]
    vehicles = Vehicle.objects.filter(partner_id__in=partner_ids, status__in=Vehicle.IN_SERVICE).order_by("plate", "pk")
    for vehicle in vehicles:
        entry = held.get(vehicle.partner_id)
        coverages = (entry["fleet"] | entry["by_vehicle"].get(vehicle.pk, set())) if entry else set()
        problems = vehicle_coverage_problems(vehicle_id=vehicle.pk, label=str(vehicle), held=coverages)
        if problems:
            reports[vehicle.partner_id].vehicles[vehicle.pk] = problems
    drivers = Driver.objects.filter(partner_id__in=partner_ids, status=Driver.Status.ACTIVE,
                                    licence_expires_on__lt=on_date)
    for driver in drivers:
        reports[driver.partner_id].drivers[driver.pk] = _driver_problems(driver, on_date)
    return reports


def fleet_compliance(*, partner, on_date: date) -> ComplianceReport:
    return fleet_compliance_many(partner_ids=[partner.pk], on_date=on_date)[partner.pk]


def vehicle_compliance_problems(*, vehicle, on_date: date) -> list[Problem]:
    """The van rule for one van whatever its status (used before putting a grounded van back on the road)."""
    entry = _current_coverage([vehicle.partner_id], on_date).get(vehicle.partner_id)
    coverages = (entry["fleet"] | entry["by_vehicle"].get(vehicle.pk, set())) if entry else set()
    return vehicle_coverage_problems(vehicle_id=vehicle.pk, label=str(vehicle), held=coverages)


def vehicles_with_open_defects(vehicle_ids=None, *, grounding_only: bool = False) -> set[int]:
    """Vans with a defect that keeps them off routes (medium or high, or only high with `grounding_only`)
    and whose work order is not done yet."""
    qs = Defect.objects.filter(closed_at__isnull=True,
                               severity__in=[Severity.HIGH] if grounding_only else list(BLOCKING))
    if vehicle_ids is not None:
        qs = qs.filter(vehicle_id__in=list(vehicle_ids))
    return set(qs.values_list("vehicle_id", flat=True).distinct().order_by())


def vehicles_assignable_many(*, partner_ids, on_date: date) -> dict[int, list[Vehicle]]:
    """The one rule for "a van a route may get on `on_date`", for many partners in a fixed number of queries:
    active (never grounded, retired or in maintenance), insured, in a compliant company, and with no open
    defect from a failed inspection. Largest first."""
    partner_ids = list(partner_ids)
    reports = fleet_compliance_many(partner_ids=partner_ids, on_date=on_date)
    ok = [pid for pid, report in reports.items() if not report.company]
    uninsured = {vid for pid in ok for vid in reports[pid].vehicles}
    vans: dict[int, list[Vehicle]] = {pid: [] for pid in partner_ids}
    candidates = list(Vehicle.objects.filter(partner_id__in=ok, status=Vehicle.Status.ACTIVE)
                      .order_by("-package_capacity", "plate", "pk"))
    defective = vehicles_with_open_defects([v.pk for v in candidates])
    for van in candidates:
        if van.pk not in uninsured and van.pk not in defective:
            vans[van.partner_id].append(van)
    return vans


def vehicles_assignable(*, partner, on_date: date) -> QuerySet[Vehicle]:
    """`vehicles_assignable_many` for one partner, as a queryset (the API pages it, routes filters it)."""
    ids = [v.pk for v in vehicles_assignable_many(partner_ids=[partner.pk], on_date=on_date)[partner.pk]]
    return Vehicle.objects.filter(pk__in=ids).order_by("-package_capacity", "plate", "pk")


# --- Capacity: whether a van carries a route's load -----------------------------------------------


def van_fits(*, capacity: int, load: int) -> bool:
    """The one capacity rule (planning's deal, assignment, the dispatch page): the van holds the whole load."""
    return int(capacity) >= int(load)


def vehicles_fitting(vehicles, *, load: int) -> list[Vehicle]:
    return [v for v in vehicles if van_fits(capacity=v.package_capacity, load=load)]


def vehicle_capacity_problem(*, vehicle, load: int) -> str | None:
    if van_fits(capacity=vehicle.package_capacity, load=load):
        return None
    return _("This van holds %(c)s packages; the route carries %(l)s.") % {"c": vehicle.package_capacity, "l": load}


# --- Inspections: may this van leave today? ------------------------------------------------------


def pretrip_block_reason(vehicle, on_date: date) -> str | None:
    """None when `vehicle` may start a route on `on_date`: it is active, has no open blocking defect, and its
    latest pre-trip inspection that day passed. Otherwise the sentence a driver or dispatcher reads."""
    if vehicle is None:
        return _("This route has no van yet: ask your dispatcher.")
    vehicle = Vehicle.objects.get(pk=vehicle.pk)
    if vehicle.status != Vehicle.Status.ACTIVE:
        reason = f": {vehicle.status_reason}" if vehicle.status_reason else ""
        return _("Van %(v)s is %(s)s%(r)s.") % {"v": vehicle.plate or vehicle.vin, "s": vehicle.get_status_display()
                                                .lower(), "r": reason}
    open_items = list(Defect.objects.filter(vehicle=vehicle, closed_at__isnull=True, severity__in=list(BLOCKING))
                      .values_list("item__label", flat=True).distinct())
    if open_items:
        return _("Van %(v)s has defects waiting for repair (%(d)s): it cannot start a route.") % {
            "v": vehicle.plate or vehicle.vin, "d": ", ".join(sorted(open_items))}
    latest = (Inspection.objects.filter(vehicle=vehicle, kind=Inspection.Kind.PRE_TRIP, service_date=on_date)
              .order_by("-created_at", "-id").first())
    if latest is None:
        return _("Van %(v)s has no pre-trip inspection today: inspect it before you start.") % {
            "v": vehicle.plate or vehicle.vin}
    if not latest.passed:
        return _("Today's pre-trip inspection of van %(v)s failed: it cannot start a route.") % {
            "v": vehicle.plate or vehicle.vin}
    return None


def vehicle_return_problems(*, vehicle, on_date: date) -> list[str]:
    """What keeps a grounded van off the road: a grounding defect still open, or its cover not current."""
    problems = []
    if vehicle.pk in vehicles_with_open_defects([vehicle.pk], grounding_only=True):
        problems.append(_("a high-severity defect is not repaired yet (its work order is not done)"))
    problems += [p.message for p in vehicle_compliance_problems(vehicle=vehicle, on_date=on_date)]
    return problems


def drivers_assignable(*, partner, on_date: date) -> QuerySet[Driver]:
    """Drivers a route may get on `on_date`: active with a current licence, in a compliant company."""
    report = fleet_compliance(partner=partner, on_date=on_date)
    if report.company:
        return Driver.objects.none()
    return (Driver.objects.filter(partner=partner, status=Driver.Status.ACTIVE, licence_expires_on__gte=on_date)
            .exclude(pk__in=list(report.drivers)).select_related("user"))


def driver_choice_labels(drivers) -> dict[int, str]:
    """How each driver is named in a pick list: the full name, and where two share it, what tells them
    apart (licence number's last four, else phone's), so a dispatcher never guesses between two "Hana Brown"."""
    drivers = list(drivers)
    names = Counter(d.full_name.casefold() for d in drivers)
    labels = {}
    for d in drivers:
        label = d.full_name
        if names[d.full_name.casefold()] > 1:
            tail = (d.licence_number or "")[-4:] or "".join(c for c in d.phone if c.isdigit())[-4:]
            label = _("%(name)s · licence …%(tail)s") % {"name": d.full_name, "tail": tail} if tail else \
                f"{d.full_name} · #{d.pk}"
        labels[d.pk] = label
    return labels


def partners_with_fleet() -> QuerySet[Partner]:
    """Partners with at least one van, driver or policy: the ones a compliance overview is about."""
    return Partner.objects.filter(Q(Exists(Vehicle.objects.filter(partner=OuterRef("pk"))))
                                  | Q(Exists(Driver.objects.filter(partner=OuterRef("pk"))))
                                  | Q(Exists(InsurancePolicy.objects.filter(partner=OuterRef("pk")))))


def fleet_compliance_rows(*, partners, on_date: date) -> list[dict]:
    """Each given partner's compliance report and van and driver counts, in the order given (a page of them)."""
    partners = list(partners)
    ids = [p.pk for p in partners]
    reports = fleet_compliance_many(partner_ids=ids, on_date=on_date)
    vans = _counts(Vehicle, ids)
    drivers = _counts(Driver, ids)
    rows = []
    for partner in partners:
        report = reports[partner.pk]
        rows.append({"partner": partner, "report": report, "vans": vans.get(partner.pk, {}),
                     "drivers": drivers.get(partner.pk, {}), "problem_count": len(report.problems),
                     "company_ok": not report.company, "vans_with_problems": len(report.vehicles),
                     "drivers_with_problems": len(report.drivers)})
    return rows


def fleet_compliance_overview(*, on_date: date) -> list[dict]:
    """Every partner with a fleet, least compliant first (the admin overview page)."""
    rows = fleet_compliance_rows(partners=partners_with_fleet().order_by("legal_name"), on_date=on_date)
    rows.sort(key=lambda r: (r["company_ok"], -r["problem_count"], r["partner"].legal_name))
    return rows


def _counts(model, partner_ids) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, status, n in (model.objects.filter(partner_id__in=partner_ids).values_list("partner_id", "status")
                           .annotate(n=Count("id")).order_by()):
        out[pid][status] = n
    return out


# --- Counts and expiries (dashboard, onboarding checklist) --------------------------------------


def vehicle_status_counts(*, partner) -> dict[str, int]:
    counts = {s: 0 for s in Vehicle.Status.values}
    counts.update(_counts(Vehicle, [partner.pk]).get(partner.pk, {}))
    return counts


def driver_status_counts(*, partner) -> dict[str, int]:
    counts = {s: 0 for s in Driver.Status.values}
    counts.update(_counts(Driver, [partner.pk]).get(partner.pk, {}))
    return counts


def partner_vehicle_count(*, partner) -> int:
    return Vehicle.objects.filter(partner=partner).exclude(status=Vehicle.Status.RETIRED).count()


def partner_driver_count(*, partner) -> int:
    return Driver.objects.filter(partner=partner).exclude(status=Driver.Status.OFFBOARDED).count()


def partner_has_current_insurance(*, partner, on_date: date | None = None) -> bool:
    """The onboarding checklist's "insurance bound": current auto liability and the company-wide policies."""

    on_date = on_date or service_today()
    needed = {Coverage.AUTO_LIABILITY, *COMPANY_REQUIRED}
    held = set(InsurancePolicy.objects.filter(partner=partner, effective_on__lte=on_date, expires_on__gte=on_date)
               .values_list("coverage", flat=True))
    return needed <= held


@dataclass(frozen=True)
class Expiry:
    kind: str  # "policy" | "licence"
    subject_id: int
    label: str
    expires_on: date
    days_left: int


def fleet_expiring(*, partner, on_date: date, within_days: int = 30) -> list[Expiry]:
    """Policies and active drivers' licences expiring in the next `within_days` days, soonest first."""
    until = on_date + timedelta(days=within_days)
    out = [Expiry("policy", p.pk, str(p), p.expires_on, (p.expires_on - on_date).days)
           for p in InsurancePolicy.objects.filter(partner=partner, expires_on__gte=on_date, expires_on__lte=until)]
    out += [Expiry("licence", d.pk, d.full_name, d.licence_expires_on, (d.licence_expires_on - on_date).days)
            for d in Driver.objects.filter(partner=partner, licence_expires_on__gte=on_date,
                                           licence_expires_on__lte=until)
            .exclude(status=Driver.Status.OFFBOARDED)]
    return sorted(out, key=lambda e: (e.expires_on, e.kind, e.label))


# --- Tenant-scoped access -----------------------------------------------------------------------


def fleet_partner_scope(*, user):
    """`fleet_partner_for_user`'s partner as a subquery a list filters by in its own statement (no query of its
    own); a user who acts for no partner matches nothing."""
    return partner_scope(user=user)


def fleet_partner_scope_of(user_id):
    """`fleet_partner_scope` for a user id (a compiled list's probe)."""
    return partner_scope_of(user_id)


def fleet_partner_for_user(*, user) -> Partner:
    """The partner whose fleet the user manages; NotFound when they act for none."""
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound(_("Your account is not linked to a delivery partner."), code="no_partner")
    return partner


def _get(qs, object_id):
    obj = qs.filter(pk=object_id).first() if str(object_id).isdigit() else None
    if obj is None:
        raise NotFound()
    return obj


def vehicle_list(*, partner, filters: dict | None = None) -> QuerySet[Vehicle]:
    """A partner's vans; `partner` is a Partner or `fleet_partner_scope(user=...)`."""
    filters = filters or {}
    qs = Vehicle.objects.filter(partner=partner)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(vin__icontains=q) | Q(plate__icontains=q) | Q(make__icontains=q) | Q(model__icontains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if ownership := filters.get("ownership"):
        qs = qs.filter(ownership=ownership)
    return qs.order_by("plate", "pk")


def partner_vehicle_get(*, user, vehicle_id) -> Vehicle:
    """A van of the user's partner; another partner's and a missing one are the same NotFound."""
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound()
    return _get(Vehicle.objects.select_related("partner").filter(partner=partner), vehicle_id)


def vehicle_detail(*, vehicle) -> dict:
    return {
        "events": VehicleEvent.objects.filter(vehicle=vehicle).select_related("actor").order_by("-created_at", "-id"),
        "readings": OdometerReading.objects.filter(vehicle=vehicle).order_by("-read_on", "-miles")[:20],
        "policies": vehicle.insurance_policies.order_by("-expires_on"),
        "fleet_policies": InsurancePolicy.objects.filter(partner_id=vehicle.partner_id, covers_all_vehicles=True)
        .order_by("-expires_on"),
    }


def vehicle_latest_miles(*, vehicle) -> int | None:
    return OdometerReading.objects.filter(vehicle=vehicle).order_by("-read_on", "-miles").values_list(
        "miles", flat=True).first()


def driver_list(*, partner, filters: dict | None = None) -> QuerySet[Driver]:
    filters = filters or {}
    qs = Driver.objects.filter(partner=partner).select_related("user")
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(first_name__icontains=q) | Q(last_name__icontains=q) | Q(email__icontains=q)
                       | Q(licence_number__icontains=q) | Q(phone__icontains=q))
    if status := filters.get("status"):
        qs = qs.filter(status=status)
    if check := filters.get("check"):
        qs = qs.filter(Q(background_check=check) | Q(driving_record_check=check))
    return qs.order_by("last_name", "first_name", "pk")


def partner_driver_get(*, user, driver_id) -> Driver:
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound()
    return _get(Driver.objects.select_related("partner", "user").filter(partner=partner), driver_id)


def driver_events(*, driver) -> QuerySet[DriverEvent]:
    return DriverEvent.objects.filter(driver=driver).select_related("actor").order_by("-created_at", "-id")


def policy_list(*, partner, filters: dict | None = None) -> QuerySet[InsurancePolicy]:
    filters = filters or {}
    qs = InsurancePolicy.objects.filter(partner=partner).prefetch_related("vehicles")
    if coverage := filters.get("coverage"):
        qs = qs.filter(coverage=coverage)
    if q := (filters.get("q") or "").strip():
        qs = qs.filter(Q(carrier__icontains=q) | Q(policy_number__icontains=q))
    on_date = filters.get("on_date")
    state = filters.get("state")
    if on_date and state == "current":
        qs = qs.filter(effective_on__lte=on_date, expires_on__gte=on_date)
    elif on_date and state == "expired":
        qs = qs.filter(expires_on__lt=on_date)
    return qs.order_by("expires_on", "coverage", "pk")


def partner_policy_get(*, user, policy_id) -> InsurancePolicy:
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound()
    return _get(InsurancePolicy.objects.select_related("partner").prefetch_related("vehicles")
                .filter(partner=partner), policy_id)

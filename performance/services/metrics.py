"""Where each metric's figures come from: one grouped query per metric over a week, never a loop per partner.

A source answers `{(partner id, driver id or None): (numerator, denominator)}` for the service dates
`first`..`last` (`done` holds the metrics computed before it, so DPMO metrics reuse DCR's delivered count).
`METRICS` lists the metrics the platform can compute today; a metric whose source rows do not exist on this
platform yet is simply absent (never estimated), and a ruleset's thresholds for it are ignored until it is:
pre-trip inspections (the upkeep work) and speeding from position pings are not measured here yet.

POD: delivered stops where a proof rule demanded proof; compliant when no required proof was rejected by an
admin. Contact: attempted stops; compliant when the driver called or texted through the platform before the
attempt. DNR / CDF: recipients' "delivered, not received" reports / ratings of 1-2 stars, per million
delivered packages."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.servicedays import service_today
from performance.models import Metric
from routes.models import (
    Package,
    PackageStatus,
    ProofStatus,
    RecipientFeedback,
    RouteStop,
    StopContact,
    StopKind,
    StopProof,
    StopStatus,
)


@dataclass(frozen=True)
class MetricSource:
    metric: str
    scale: Decimal  # value = numerator / denominator × scale
    unit: str
    numerator: str
    denominator: str
    collect: object  # fn(first, last, partner_ids) -> {(pid, did): (num, den)}
    # The stops behind a defect, for the drill-down: fn(partner_id, first, last, driver_id) -> RouteStop queryset
    defects: object = None


def _on_routes(first: date, last: date, partner_ids, prefix: str) -> Q:
    q = Q(**{f"{prefix}service_date__range": (first, last), f"{prefix}partner__isnull": False,
             f"{prefix}plan__status": "published"})
    if partner_ids is not None:
        q &= Q(**{f"{prefix}partner_id__in": list(partner_ids)})
    return q


def _settled_or_past() -> Q:
    """A package counts once its outcome is known, or once its day is over (still out after the day: a miss).
    Today's and later packages still on the van are not defects yet, so a week in progress is scored fairly."""
    return Q(status__in=[PackageStatus.DELIVERED, PackageStatus.ATTEMPTED]) | Q(service_date__lt=service_today())


def dcr_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Packages on address stops of the partner's routes (dispatched) and those delivered, per driver."""
    rows = (Package.objects.filter(_on_routes(first, last, partner_ids, "stop__route__"), _settled_or_past(),
                                   stop__kind=StopKind.ADDRESS)
            .values_list("stop__route__partner_id", "stop__route__driver_id")
            .annotate(delivered=Count("id", filter=Q(status=PackageStatus.DELIVERED)), dispatched=Count("id"))
            .order_by())
    return {(pid, did): (delivered, dispatched) for pid, did, delivered, dispatched in rows}


def dcr_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    """Stops on the partner's routes that week with a package not delivered."""
    missed = Package.objects.filter(_settled_or_past()).exclude(status=PackageStatus.DELIVERED).values("stop_id")
    stops = RouteStop.objects.filter(_on_routes(first, last, [partner_id], "route__"), kind=StopKind.ADDRESS,
                                     pk__in=missed)
    if driver_id is not None:
        stops = stops.filter(route__driver_id=driver_id)
    return stops


# --- Metrics from the driver's phone and the recipients (rows from the driver and dispatch work) -------------


def _stops(first: date, last: date, partner_ids, **filters):
    return RouteStop.objects.filter(_on_routes(first, last, partner_ids, "route__"), kind=StopKind.ADDRESS, **filters)


def _by_driver(rows) -> dict:
    return {(pid, did): (num, den) for pid, did, num, den in rows}


def _proof_required():
    return StopProof.objects.filter(stop=OuterRef("pk"), required=True).exclude(status=ProofStatus.VOID)


def pod_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Delivered stops where a proof rule demanded proof, and those whose required proof no admin rejected."""
    rejected = _proof_required().filter(status=ProofStatus.REJECTED)
    return _by_driver(_stops(first, last, partner_ids, status=StopStatus.DELIVERED).filter(Exists(_proof_required()))
                      .annotate(rejected=Exists(rejected)).values_list("route__partner_id", "route__driver_id")
                      .annotate(ok=Count("id", filter=Q(rejected=False)), n=Count("id")).order_by())


def pod_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    rejected = _proof_required().filter(status=ProofStatus.REJECTED)
    return _driver(_stops(first, last, [partner_id], status=StopStatus.DELIVERED).filter(Exists(rejected)), driver_id)


def _contacted():
    return StopContact.objects.filter(stop=OuterRef("pk"), occurred_at__lte=OuterRef("outcome_at"))


def contact_collect(first: date, last: date, partner_ids=None, done=None) -> dict:
    """Attempted stops, and those where the driver called or texted through the platform before the attempt."""
    return _by_driver(_stops(first, last, partner_ids, status=StopStatus.ATTEMPTED)
                      .annotate(contacted=Exists(_contacted())).values_list("route__partner_id", "route__driver_id")
                      .annotate(ok=Count("id", filter=Q(contacted=True)), n=Count("id")).order_by())


def contact_defects(*, partner_id: int, first: date, last: date, driver_id=None):
    return _driver(_stops(first, last, [partner_id], status=StopStatus.ATTEMPTED).exclude(Exists(_contacted())),
                   driver_id)


NEGATIVE_RATING = 2  # one or two stars out of five


def _feedback_collect(flag: Q, first: date, last: date, partner_ids, done) -> dict:
    """Recipients' reports (`flag`) per million delivered packages: the reports, over DCR's delivered count."""
    feedback = RecipientFeedback.objects.filter(flag, package__stop__kind=StopKind.ADDRESS,
                                                package__status=PackageStatus.DELIVERED).filter(
        _on_routes(first, last, partner_ids, "package__stop__route__"))
    reports = dict(((pid, did), n) for pid, did, n in feedback.values_list(
        "package__stop__route__partner_id", "package__stop__route__driver_id").annotate(n=Count("id")).order_by())
    delivered = (done or {}).get(Metric.DCR)
    if delivered is None:
        delivered = dcr_collect(first, last, partner_ids)
    return {key: (reports.get(key, 0), dcr[0]) for key, dcr in delivered.items() if dcr[0]}


def _feedback_defects(flag: Q, partner_id: int, first: date, last: date, driver_id):
    stops = RecipientFeedback.objects.filter(flag).values("package__stop_id")
    return _driver(_stops(first, last, [partner_id]).filter(pk__in=stops), driver_id)


DNR = Q(not_received=True)
CDF = Q(rating__lte=NEGATIVE_RATING)


def dnr_collect(first, last, partner_ids=None, done=None):
    return _feedback_collect(DNR, first, last, partner_ids, done)


def dnr_defects(*, partner_id, first, last, driver_id=None):
    return _feedback_defects(DNR, partner_id, first, last, driver_id)


def cdf_collect(first, last, partner_ids=None, done=None):
    return _feedback_collect(CDF, first, last, partner_ids, done)


def cdf_defects(*, partner_id, first, last, driver_id=None):
    return _feedback_defects(CDF, partner_id, first, last, driver_id)


def _driver(stops, driver_id):
    return stops.filter(route__driver_id=driver_id) if driver_id is not None else stops


METRICS: dict[str, MetricSource] = {
    Metric.DCR: MetricSource(Metric.DCR, Decimal(100), "%", _("delivered packages"), _("packages dispatched"),
                             dcr_collect, dcr_defects),
    Metric.DNR_DPMO: MetricSource(Metric.DNR_DPMO, Decimal(1_000_000), "", _("\"delivered, not received\" reports"),
                                  _("delivered packages"), dnr_collect, dnr_defects),
    Metric.POD: MetricSource(Metric.POD, Decimal(100), "%", _("deliveries with their required proof accepted"),
                             _("deliveries that required proof"), pod_collect, pod_defects),
    Metric.CONTACT: MetricSource(Metric.CONTACT, Decimal(100), "%", _("attempts after contacting the recipient"),
                                 _("attempted stops"), contact_collect, contact_defects),
    Metric.CDF_DPMO: MetricSource(Metric.CDF_DPMO, Decimal(1_000_000), "", _("ratings of 1 or 2 stars"),
                                  _("delivered packages"), cdf_collect, cdf_defects),
}

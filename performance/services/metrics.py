"""Where each metric's figures come from: one grouped query per metric over a week, never a loop per partner.

A source answers `{(partner id, driver id or None): (numerator, denominator)}` for the service dates
`first`..`last`. `METRICS` lists the metrics the platform can compute today; a metric whose source rows do
not exist on this platform yet is simply absent (never estimated), and a ruleset's thresholds for it are
ignored until it is."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core.servicedays import service_today
from performance.models import Metric
from routes.models import Package, PackageStatus, RouteStop, StopKind


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


def dcr_collect(first: date, last: date, partner_ids=None) -> dict:
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


METRICS: dict[str, MetricSource] = {
    Metric.DCR: MetricSource(Metric.DCR, Decimal(100), "%", _("delivered packages"), _("packages dispatched"),
                             dcr_collect, dcr_defects),
}

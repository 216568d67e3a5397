"""Reads of inspections, work orders and maintenance schedules, scoped to the partner who asks.

Drivers inspect the vans of the partner they drive for; owners and managers see everything of their partner.
Another partner's id and a missing one are the same NotFound."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from core.errors import NotFound
from fleet.models import (
    ChecklistItem,
    Defect,
    Driver,
    Inspection,
    MaintenanceSchedule,
    UpkeepPhoto,
    Vehicle,
    WorkOrder,
)
from fleet.upkeep.maintenance import add_months
from onboarding.selectors import partner_for_user


def inspector_for_user(*, user) -> tuple[object, Driver | None]:
    """(partner, driver) for the person inspecting: a driver inspects for their partner; an owner or manager for
    theirs (driver None). NotFound for anyone else."""
    if user is None or not user.is_authenticated:
        raise NotFound()
    driver = Driver.objects.filter(user=user, status=Driver.Status.ACTIVE).select_related("partner").first()
    if driver is not None:
        return driver.partner, driver
    partner = partner_for_user(user=user)
    if partner is None:
        raise NotFound(_("Your account is not linked to a delivery partner."), code="no_partner")
    return partner, None


def checklist() -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(active=True).order_by("position", "code")


def inspectable_vehicles(*, partner) -> QuerySet[Vehicle]:
    return Vehicle.objects.filter(partner=partner).exclude(status=Vehicle.Status.RETIRED).order_by("plate", "pk")


def _id(object_id):
    if not str(object_id).isdigit():
        raise NotFound()
    return int(object_id)


def partner_inspectable_vehicle_get(*, partner, vehicle_id) -> Vehicle:
    van = inspectable_vehicles(partner=partner).filter(pk=_id(vehicle_id)).first()
    if van is None:
        raise NotFound()
    return van


def inspection_list(*, partner, filters=None) -> QuerySet[Inspection]:
    filters = filters or {}
    qs = (Inspection.objects.filter(partner=partner).select_related("vehicle", "driver", "inspected_by")
          .prefetch_related("defects__item"))
    if (vehicle := filters.get("vehicle")) and str(vehicle).isdigit():
        qs = qs.filter(vehicle_id=int(vehicle))
    if (result := filters.get("result")) in Inspection.Result.values:
        qs = qs.filter(result=result)
    if (kind := filters.get("kind")) in Inspection.Kind.values:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def inspection_get(*, user, inspection_id) -> Inspection:
    """An inspection of the asker's partner; a driver sees only the ones they recorded."""
    partner, driver = inspector_for_user(user=user)
    qs = inspection_list(partner=partner).prefetch_related("photos")
    if driver is not None:
        qs = qs.filter(Q(driver=driver) | Q(inspected_by=user))
    found = qs.filter(pk=_id(inspection_id)).first()
    if found is None:
        raise NotFound()
    return found


def work_order_list(*, partner, filters=None) -> QuerySet[WorkOrder]:
    filters = filters or {}
    qs = WorkOrder.objects.filter(partner=partner).select_related("vehicle", "schedule")
    if (vehicle := filters.get("vehicle")) and str(vehicle).isdigit():
        qs = qs.filter(vehicle_id=int(vehicle))
    if (status := filters.get("status")) in WorkOrder.Status.values:
        qs = qs.filter(status=status)
    elif filters.get("status") == "not_done":
        qs = qs.exclude(status=WorkOrder.Status.DONE)
    return qs.order_by("-created_at", "-id")


def work_order_get(*, partner, work_order_id) -> WorkOrder:
    found = (work_order_list(partner=partner).prefetch_related("defects__item", "defects__inspection", "photos")
             .filter(pk=_id(work_order_id)).first())
    if found is None:
        raise NotFound()
    return found


def schedule_list(*, partner) -> QuerySet[MaintenanceSchedule]:
    return MaintenanceSchedule.objects.filter(partner=partner).order_by("kind", "label", "pk")


def photo_get(*, user, photo_id) -> UpkeepPhoto:
    """A photo of an inspection or work order the asker may see (the same rules as the object itself)."""
    photo = UpkeepPhoto.objects.select_related("inspection", "work_order").filter(pk=_id(photo_id)).first()
    if photo is None:
        raise NotFound()
    partner, driver = inspector_for_user(user=user)
    if photo.inspection_id:
        inspection_get(user=user, inspection_id=photo.inspection_id)
    elif driver is not None or photo.work_order.partner_id != partner.pk:
        raise NotFound()
    return photo


def open_defects(*, vehicle) -> QuerySet[Defect]:
    return (Defect.objects.filter(vehicle=vehicle, closed_at__isnull=True).select_related("item", "work_order")
            .order_by("-severity", "item__position"))


def vehicle_upkeep(*, vehicle) -> dict:
    return {"inspections": Inspection.objects.filter(vehicle=vehicle).prefetch_related("defects__item")
            .order_by("-created_at", "-id")[:10],
            "work_orders": WorkOrder.objects.filter(vehicle=vehicle).order_by("-created_at", "-id")[:10],
            "open_defects": open_defects(vehicle=vehicle)}


def monthly_costs(*, partner, until: date, months: int = 6) -> tuple[list[date], list[tuple[Vehicle, list[Decimal]]]]:
    """Cost of done work orders per van per month, the last `months` months up to `until` (oldest first).
    Returns (month starts, [(van, [cost per month])]) for vans with any cost in the window."""
    last = until.replace(day=1)
    starts = [add_months(last, -k) for k in range(months - 1, -1, -1)]
    rows = (WorkOrder.objects.filter(partner=partner, status=WorkOrder.Status.DONE, completed_on__gte=starts[0],
                                     completed_on__lte=until)
            .annotate(month=TruncMonth("completed_on")).values("vehicle_id", "month").annotate(total=Sum("cost"))
            .order_by())
    cost: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for r in rows:
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        cost[r["vehicle_id"]][month] = r["total"] or Decimal("0.00")
    vans = Vehicle.objects.filter(pk__in=list(cost)).order_by("plate", "pk")
    return starts, [(v, [cost[v.pk].get(m, Decimal("0.00")) for m in starts]) for v in vans]

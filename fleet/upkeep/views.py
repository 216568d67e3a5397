"""Pages of the vans' health: the inspection on the driver's phone, inspections and work orders for the partner,
maintenance schedules and the cost chart. Thin: parse, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import permission_required, user_has_perm
from core.errors import DomainError, found
from core.files import private_file_response
from core.forms import add_domain_error
from core.servicedays import service_today
from fleet.hooks import partner_service_today
from fleet.models import WORK_ORDER_WORKFLOW, Inspection, WorkOrder
from fleet.selectors import fleet_partner_for_user, pretrip_block_reason
from fleet.upkeep import maintenance, selectors, services
from fleet.upkeep.chart import costs_svg
from fleet.upkeep.forms import InspectionForm, NewWorkOrderForm, ScheduleForm, WorkOrderForm, WorkOrderPhotoForm
from fleet.views import _attempt, _targets

FLEET = "fleet.manage"
INSPECT = "fleet.inspect"


def _partner(request):
    return found(fleet_partner_for_user, user=request.user)


# --- The inspection (driver's phone) -------------------------------------------------------------


@permission_required(INSPECT)
def inspect(request):
    partner, driver = found(selectors.inspector_for_user, user=request.user)
    vehicles = list(selectors.inspectable_vehicles(partner=partner))
    initial = {"vehicle": request.GET.get("vehicle"), "kind": request.GET.get("kind") or Inspection.Kind.PRE_TRIP}
    form = InspectionForm(request.POST or None, request.FILES or None, vehicles=vehicles,
                          items=selectors.checklist(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        inspection = _attempt(form, lambda: services.inspection_record(
            vehicle=found(selectors.partner_inspectable_vehicle_get, partner=partner, vehicle_id=data["vehicle"]),
            kind=data["kind"], defects=form.defects(), odometer_miles=data.get("odometer_miles"),
            note=data.get("note", ""), photos=request.FILES.getlist("photos"),
            defect_photos=form.defect_photos(request.FILES), driver=driver, by=request.user,
            client_id=data.get("client_id")))
        if inspection:
            return redirect("fleet:inspection_detail", inspection_id=inspection.pk)
    return render(request, "fleet/upkeep/inspect.html", {"form": form, "today": partner_service_today(partner),
                                                         "driver": driver})


@permission_required(INSPECT)
def inspection_detail(request, inspection_id):
    inspection = found(selectors.inspection_get, user=request.user, inspection_id=inspection_id)
    today = partner_service_today(inspection.vehicle.partner)
    block = pretrip_block_reason(inspection.vehicle, today) if inspection.service_date == today else None
    return render(request, "fleet/upkeep/inspection_detail.html", {
        "inspection": inspection, "start_block": block, "vehicle": inspection.vehicle,
        "phone": not user_has_perm(request.user, FLEET)})


@permission_required(FLEET)
def inspection_list(request):
    partner = _partner(request)
    return render(request, "fleet/upkeep/inspection_list.html", {
        "inspections": selectors.inspection_list(partner=partner, filters=request.GET)[:200],
        "vehicles": selectors.inspectable_vehicles(partner=partner), "filters": request.GET,
        "results": Inspection.Result.choices, "tab": "upkeep"})


@require_GET
@login_required
def upkeep_photo(request, photo_id):
    photo = found(selectors.photo_get, user=request.user, photo_id=photo_id)
    return private_file_response(photo.file, download_name=f"upkeep-photo-{photo.pk}.jpg")


# --- Work orders ---------------------------------------------------------------------------------


@permission_required(FLEET)
def work_order_list(request):
    partner = _partner(request)
    today = service_today()
    months, rows = selectors.monthly_costs(partner=partner, until=today, months=6)
    chart = costs_svg(months=months, series=[(v.plate or v.vin[-6:], costs) for v, costs in rows],
                      title=_("Repair costs per van per month"))
    return render(request, "fleet/upkeep/work_order_list.html", {
        "work_orders": selectors.work_order_list(partner=partner, filters=request.GET)[:200],
        "statuses": WorkOrder.Status.choices, "filters": request.GET, "chart": chart, "cost_rows": rows,
        "months": months, "vehicles": selectors.inspectable_vehicles(partner=partner), "tab": "upkeep"})


@permission_required(FLEET)
def work_order_create(request):
    partner = _partner(request)
    vehicles = selectors.inspectable_vehicles(partner=partner)
    form = NewWorkOrderForm(request.POST or None, vehicles=vehicles, initial={"vehicle": request.GET.get("vehicle")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        vehicle_id = data.pop("vehicle")
        row = _attempt(form, lambda: services.work_order_create(
            vehicle=found(selectors.partner_inspectable_vehicle_get, partner=partner, vehicle_id=vehicle_id),
            by=request.user, **data))
        if row:
            messages.success(request, _("Work order %(c)s opened.") % {"c": row.code})
            return redirect("fleet:work_order_detail", work_order_id=row.pk)
    return render(request, "fleet/form.html", {"form": form, "title": _("Open a work order"),
                                               "back": "fleet:work_order_list"})


def _work_order_post(request, row):
    """The detail page's three forms: edit, status change, photo. Returns (forms, done)."""
    action = request.POST.get("action") if request.method == "POST" else None
    edit = WorkOrderForm(request.POST if action == "save" else None, instance=WorkOrder.objects.get(pk=row.pk))
    move = _transition_form(request if action == "transition" else None, row)
    photo = WorkOrderPhotoForm(request.POST if action == "photo" else None,
                               request.FILES if action == "photo" else None)
    done = False
    if action == "save" and edit.is_valid():
        done = bool(_attempt(edit, lambda: services.work_order_update(work_order=row, by=request.user,
                                                                       **edit.cleaned_data)))
    elif action == "transition" and move.is_valid():
        done = bool(_attempt(move, lambda: services.work_order_transition(work_order=row, by=request.user,
                                                                           **move.cleaned_data)))
    elif action == "photo" and photo.is_valid():
        done = bool(_attempt(photo, lambda: services.work_order_photo_add(
            work_order=row, photo=photo.cleaned_data["photo"], by=request.user)))
    return {"edit_form": edit, "transition_form": move, "photo_form": photo}, done


def _transition_form(request, row):
    from fleet.forms import TransitionForm

    targets = _targets(WORK_ORDER_WORKFLOW, row.status, dict(WorkOrder.Status.choices))
    return TransitionForm(request.POST, targets=targets) if request else TransitionForm(targets=targets)


@permission_required(FLEET)
def work_order_detail(request, work_order_id):
    partner = _partner(request)
    row = found(selectors.work_order_get, partner=partner, work_order_id=work_order_id)
    forms, done = _work_order_post(request, row)
    if done:
        row.refresh_from_db()
        row.vehicle.refresh_from_db()
        messages.success(request, _("Work order %(c)s saved.") % {"c": row.code})
        if row.status == WorkOrder.Status.DONE and row.vehicle.status == row.vehicle.Status.GROUNDED:
            messages.warning(request, _("The van stays grounded: %(why)s.") % {"why": "; ".join(
                _return_problems(row.vehicle)) or row.vehicle.status_reason})
        return redirect("fleet:work_order_detail", work_order_id=row.pk)
    return render(request, "fleet/upkeep/work_order_detail.html", {
        "wo": row, "events": row.events.select_related("actor").order_by("-created_at", "-id"), "tab": "upkeep",
        **forms})


def _return_problems(vehicle):
    from fleet.selectors import vehicle_return_problems

    return vehicle_return_problems(vehicle=vehicle, on_date=service_today())


# --- Preventive maintenance ----------------------------------------------------------------------


@permission_required(FLEET)
def maintenance_schedules(request):
    partner = _partner(request)
    form = ScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            maintenance.schedule_create(partner=partner, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Schedule added: work orders open ahead of time from tomorrow's run."))
            return redirect("fleet:maintenance_schedules")
    return render(request, "fleet/upkeep/schedules.html", {
        "schedules": selectors.schedule_list(partner=partner), "form": form, "tab": "upkeep"})

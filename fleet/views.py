"""HTML pages: parse, call one service or selector, render. Every object is looked up within the user's partner."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import permission_required
from core.errors import DomainError, NotFound, found
from core.forms import add_domain_error
from core.servicedays import service_today
from fleet import selectors, services
from fleet.forms import DriverForm, DriverImportForm, OdometerForm, PolicyForm, TransitionForm, VehicleForm
from fleet.models import DRIVER_WORKFLOW, VEHICLE_WORKFLOW, CheckStatus, Coverage, Driver, Vehicle
from fleet.upkeep import selectors as upkeep_selectors

FLEET = "fleet.manage"


def _partner(request):
    try:
        return selectors.fleet_partner_for_user(user=request.user)
    except NotFound:
        raise Http404 from None


def _attempt(form, action):
    """Run a service; a refusal becomes form errors. Returns the result, or None when refused."""
    try:
        return action()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def _targets(workflow, status, labels):
    return [(t, labels[t]) for t in workflow.targets(status)]


def _transition(request, workflow, status, labels, apply):
    """The status-change form of a detail page: (form, True) once `apply(**cleaned_data)` has moved it."""
    if request.method == "POST" and request.POST.get("action") == "transition":
        form = TransitionForm(request.POST, targets=_targets(workflow, status, labels))
        moved = form.is_valid() and _attempt(form, lambda: apply(**form.cleaned_data))
        return form, bool(moved)
    return TransitionForm(targets=_targets(workflow, status, labels)), False


def _edit(request, form, save, *, saved, title, back, detail):
    """An edit page: on a valid POST `save(**cleaned_data)`; a refusal shows on the form."""
    if request.method == "POST" and form.is_valid() and _attempt(form, lambda: save(**form.cleaned_data)):
        messages.success(request, saved)
        return redirect(detail)
    return render(request, "fleet/form.html", {"form": form, "title": title, "back": back})


# --- Dashboard -----------------------------------------------------------------------------------


@permission_required(FLEET)
def dashboard(request):
    partner = _partner(request)
    today = service_today()
    report = selectors.fleet_compliance(partner=partner, on_date=today)
    vans = selectors.vehicle_status_counts(partner=partner)
    drivers = selectors.driver_status_counts(partner=partner)
    return render(request, "fleet/dashboard.html", {
        "partner": partner, "today": today, "report": report,
        "vans": [(Vehicle.Status(s).label, s, n) for s, n in vans.items()],
        "drivers": [(Driver.Status(s).label, s, n) for s, n in drivers.items()],
        "van_total": sum(vans.values()), "driver_total": sum(drivers.values()),
        "assignable_vans": selectors.vehicles_assignable(partner=partner, on_date=today).count(),
        "assignable_drivers": selectors.drivers_assignable(partner=partner, on_date=today).count(),
        "expiring": selectors.fleet_expiring(partner=partner, on_date=today, within_days=30),
    })


# --- Vehicles ------------------------------------------------------------------------------------


@permission_required(FLEET)
def vehicle_list(request):
    partner = _partner(request)
    return render(request, "fleet/vehicle_list.html", {
        "vehicles": selectors.vehicle_list(partner=partner, filters=request.GET),
        "statuses": Vehicle.Status.choices, "ownerships": Vehicle.Ownership.choices, "filters": request.GET})


@permission_required(FLEET)
def vehicle_create(request):
    partner = _partner(request)
    form = VehicleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        vehicle = _attempt(form, lambda: services.vehicle_register(partner=partner, by=request.user,
                                                                   **form.cleaned_data))
        if vehicle:
            messages.success(request, _("Van added."))
            return redirect("fleet:vehicle_detail", vehicle_id=vehicle.pk)
    return render(request, "fleet/form.html", {"form": form, "title": _("Add a van"),
                                               "back": "fleet:vehicle_list"})


@permission_required(FLEET)
def vehicle_edit(request, vehicle_id):
    vehicle = found(selectors.partner_vehicle_get, user=request.user, vehicle_id=vehicle_id)
    form = VehicleForm(request.POST or None, instance=Vehicle.objects.get(pk=vehicle.pk))
    return _edit(request, form, lambda **data: services.vehicle_update(vehicle=vehicle, by=request.user, **data),
                 saved=_("Van updated."), title=_("Edit %(v)s") % {"v": vehicle}, back="fleet:vehicle_list",
                 detail=reverse("fleet:vehicle_detail", kwargs={"vehicle_id": vehicle.pk}))


@permission_required(FLEET)
def vehicle_detail(request, vehicle_id):
    vehicle = found(selectors.partner_vehicle_get, user=request.user, vehicle_id=vehicle_id)
    transition_form, moved = _transition(
        request, VEHICLE_WORKFLOW, vehicle.status, dict(Vehicle.Status.choices),
        lambda **data: services.vehicle_transition(vehicle=vehicle, by=request.user, **data))
    odometer_form = OdometerForm()
    if moved:
        messages.success(request, _("Status changed."))
        return redirect("fleet:vehicle_detail", vehicle_id=vehicle.pk)
    if request.method == "POST" and request.POST.get("action") == "odometer":
        odometer_form = OdometerForm(request.POST)
        if odometer_form.is_valid() and _attempt(odometer_form, lambda: services.odometer_record(
                vehicle=vehicle, by=request.user, **odometer_form.cleaned_data)):
            messages.success(request, _("Reading recorded."))
            return redirect("fleet:vehicle_detail", vehicle_id=vehicle.pk)
    today = service_today()
    report = selectors.fleet_compliance(partner=vehicle.partner, on_date=today)
    return render(request, "fleet/vehicle_detail.html", {
        "vehicle": vehicle, "problems": report.vehicles.get(vehicle.pk, []), "company_problems": report.company,
        "transition_form": transition_form, "odometer_form": odometer_form, "today": today,
        "miles": selectors.vehicle_latest_miles(vehicle=vehicle), **selectors.vehicle_detail(vehicle=vehicle),
        "upkeep": upkeep_selectors.vehicle_upkeep(vehicle=vehicle)})


# --- Drivers -------------------------------------------------------------------------------------


@permission_required(FLEET)
def driver_list(request):
    partner = _partner(request)
    return render(request, "fleet/driver_list.html", {
        "drivers": selectors.driver_list(partner=partner, filters=request.GET), "today": service_today(),
        "statuses": Driver.Status.choices, "checks": CheckStatus.choices, "filters": request.GET})


@permission_required(FLEET)
def driver_create(request):
    partner = _partner(request)
    form = DriverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        driver = _attempt(form, lambda: services.driver_create(partner=partner, by=request.user, **form.cleaned_data))
        if driver:
            messages.success(request, _("Driver added."))
            return redirect("fleet:driver_detail", driver_id=driver.pk)
    return render(request, "fleet/form.html", {"form": form, "title": _("Add a driver"), "back": "fleet:driver_list"})


@permission_required(FLEET)
def driver_edit(request, driver_id):
    driver = found(selectors.partner_driver_get, user=request.user, driver_id=driver_id)
    form = DriverForm(request.POST or None, instance=Driver.objects.get(pk=driver.pk))
    return _edit(request, form, lambda **data: services.driver_update(driver=driver, by=request.user, **data),
                 saved=_("Driver updated."), title=_("Edit %(d)s") % {"d": driver}, back="fleet:driver_list",
                 detail=reverse("fleet:driver_detail", kwargs={"driver_id": driver.pk}))


@permission_required(FLEET)
def driver_detail(request, driver_id):
    driver = found(selectors.partner_driver_get, user=request.user, driver_id=driver_id)
    form, moved = _transition(request, DRIVER_WORKFLOW, driver.status, dict(Driver.Status.choices),
                              lambda **data: services.driver_transition(driver=driver, by=request.user, **data))
    if moved:
        messages.success(request, _("Status changed."))
        return redirect("fleet:driver_detail", driver_id=driver.pk)
    if request.method == "POST" and request.POST.get("action") == "invite":
        try:
            services.driver_invite_user(driver=driver, by=request.user)
            messages.success(request, _("Account created; a password-set link was e-mailed to %(e)s.")
                             % {"e": driver.email})
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("fleet:driver_detail", driver_id=driver.pk)
    today = service_today()
    report = selectors.fleet_compliance(partner=driver.partner, on_date=today)
    return render(request, "fleet/driver_detail.html", {
        "driver": driver, "problems": report.drivers.get(driver.pk, []), "form": form, "today": today,
        "events": selectors.driver_events(driver=driver)})


@permission_required(FLEET)
def driver_import(request):
    """Upload -> preview with row errors -> import all (only when clean) or only the good rows."""
    partner = _partner(request)
    form = DriverImportForm()
    preview = content = None
    if request.method == "POST":
        step = request.POST.get("step", "preview")
        if step == "preview":
            form = DriverImportForm(request.POST, request.FILES)
            if form.is_valid():
                content = form.cleaned_data["file"].read()
                preview = _attempt(form, lambda: services.driver_import_preview(partner=partner, content=content))
                content = content.decode("utf-8-sig", errors="replace") if preview else None
        else:
            content = request.POST.get("content", "")
            try:
                result = services.driver_import(partner=partner, content=content, by=request.user,
                                                only_good_rows=step == "good_rows")
            except DomainError as exc:
                messages.error(request, exc.detail)
                preview = _attempt(form, lambda: services.driver_import_preview(partner=partner, content=content))
            else:
                messages.success(request, _("%(n)d driver(s) imported; %(s)d row(s) skipped.")
                                 % {"n": len(result.created), "s": len(result.skipped)})
                return redirect("fleet:driver_list")
    return render(request, "fleet/driver_import.html", {"form": form, "preview": preview, "content": content,
                                                        "columns": services.DRIVER_CSV_COLUMNS})


# --- Insurance -----------------------------------------------------------------------------------


@permission_required(FLEET)
def policy_list(request):
    partner = _partner(request)
    today = service_today()
    return render(request, "fleet/policy_list.html", {
        "policies": selectors.policy_list(partner=partner, filters={**request.GET.dict(), "on_date": today}),
        "coverages": Coverage.choices, "filters": request.GET, "today": today})


def _policy_fields(form):
    data = dict(form.cleaned_data)
    data["vehicles"] = list(data.get("vehicles") or [])
    return data


@permission_required(FLEET)
def policy_create(request):
    partner = _partner(request)
    form = PolicyForm(request.POST or None, partner=partner)
    if request.method == "POST" and form.is_valid():
        policy = _attempt(form, lambda: services.policy_create(partner=partner, by=request.user,
                                                               **_policy_fields(form)))
        if policy:
            messages.success(request, _("Policy recorded."))
            return redirect("fleet:policy_detail", policy_id=policy.pk)
    return render(request, "fleet/form.html", {"form": form, "title": _("Add an insurance policy"),
                                               "back": "fleet:policy_list"})


@permission_required(FLEET)
def policy_edit(request, policy_id):
    policy = found(selectors.partner_policy_get, user=request.user, policy_id=policy_id)
    form = PolicyForm(request.POST or None, instance=policy.__class__.objects.get(pk=policy.pk),
                      partner=policy.partner)
    if request.method == "POST" and form.is_valid() and _attempt(
            form, lambda: services.policy_update(policy=policy, by=request.user, **_policy_fields(form))):
        messages.success(request, _("Policy updated."))
        return redirect("fleet:policy_detail", policy_id=policy.pk)
    return render(request, "fleet/form.html", {"form": form, "title": _("Edit %(p)s") % {"p": policy},
                                               "back": "fleet:policy_list"})


@permission_required(FLEET)
def policy_detail(request, policy_id):
    policy = found(selectors.partner_policy_get, user=request.user, policy_id=policy_id)
    return render(request, "fleet/policy_detail.html", {"policy": policy, "today": service_today()})


# --- Program admins ------------------------------------------------------------------------------


@permission_required("fleet.oversee")
def compliance_overview(request):
    today = service_today()
    return render(request, "fleet/compliance_overview.html", {
        "rows": selectors.fleet_compliance_overview(on_date=today), "today": today})

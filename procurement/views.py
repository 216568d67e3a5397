"""Procurement pages: catalog, item, quote, my orders (with the deposit step), the admin queue, savings.

Views parse, call one service or selector, and render; refusals become flash messages."""

import csv
import json

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.utils.translation import gettext as _

from accounts.permissions import permission_required, user_has_perm
from core.errors import DomainError, NotFound, found
from onboarding.selectors import partner_for_user
from payments.selectors import payment_checkout_url
from procurement import selectors as sel
from procurement import services as svc
from procurement.models import ItemCategory, ItemKind, Order


def render(request, template, context):
    """Every procurement page gets the tabs its user may see."""
    context = {**context, "perms_place": user_has_perm(request.user, "orders.place"),
               "perms_decide": user_has_perm(request.user, "orders.decide")}
    return django_render(request, template, context)


def _try(request, action, success=""):
    try:
        result = action()
    except DomainError as exc:
        messages.error(request, exc.detail)
        return None
    if success:
        messages.success(request, success)
    return result if result is not None else True


# --- Catalog ---------------------------------------------------------------------------------------


@permission_required("catalog.view")
def catalog(request):
    items = list(sel.catalog_list(filters=request.GET))
    partner = partner_for_user(user=request.user)
    prices = sel.catalog_price_preview(items=items, partner=partner)
    return render(request, "procurement/catalog.html", {
        "rows": [(item, prices[item.pk]) for item in items], "filters": request.GET,
        "kinds": ItemKind.choices, "categories": ItemCategory.choices, "partner": partner,
    })


@permission_required("catalog.view")
def catalog_item(request, item_id):
    item = found(sel.catalog_item_get, item_id=item_id)
    partner = partner_for_user(user=request.user)
    if request.method == "POST":
        if not user_has_perm(request.user, "orders.place") or partner is None:
            raise Http404
        line = _try(request, lambda: svc.quote_line_set(
            partner=partner, item=item, quantity=request.POST.get("quantity"),
            periods=request.POST.get("periods") or None, by=request.user), _("Added to your quote."))
        if line:
            return redirect("procurement:quote")
    price = sel.catalog_price_preview(items=[item], partner=partner)[item.pk]
    return render(request, "procurement/item.html", {
        "item": item, "price": price, "partner": partner,
        "can_order": partner is not None and user_has_perm(request.user, "orders.place"),
    })


# --- Quote -----------------------------------------------------------------------------------------


def _buyer(request):
    try:
        return sel.buyer_partner_for_user(user=request.user)
    except NotFound:
        raise Http404 from None


@permission_required("orders.place")
def quote(request):
    partner = _buyer(request)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove":
            _try(request, lambda: svc.quote_line_remove(partner=partner, line_id=request.POST.get("line"),
                                                        by=request.user), _("Removed."))
        elif action == "update":
            line = sel.quote_for(partner=partner).lines.filter(pk=request.POST.get("line")).select_related(
                "item").first() if sel.quote_for(partner=partner) else None
            if line:
                _try(request, lambda: svc.quote_line_set(partner=partner, item=line.item,
                                                         quantity=request.POST.get("quantity"), periods=line.periods,
                                                         by=request.user), _("Quantity updated."))
        elif action == "submit":
            order = sel.quote_for(partner=partner)
            placed = order and _try(request, lambda: svc.order_submit(order=order, by=request.user),
                                    _("Order submitted. The program will review it shortly."))
            if placed:
                return redirect("procurement:order_detail", order_id=order.pk)
        return redirect("procurement:quote")
    order = sel.quote_for(partner=partner)
    if order is not None:
        order = svc.order_reprice(order=order)
    return render(request, "procurement/quote.html", {
        "order": order, "lines": list(order.lines.all()) if order else [], "partner": partner,
        "plan": sel.fleet_plan(partner=partner), "on_road": sel.vans_on_road(partner=partner),
        "on_order": sel.vans_on_open_orders(partner=partner),
    })


# --- Orders (partner) -----------------------------------------------------------------------------------


@permission_required("orders.place")
def order_list(request):
    _buyer(request)
    orders = sel.order_list(fetched_by=request.user, filters=request.GET).exclude(status=Order.Status.DRAFT)
    return render(request, "procurement/order_list.html", {"orders": orders, "admin": False,
                                                                 "statuses": Order.Status.choices,
                                                                 "filters": request.GET})


@permission_required("catalog.view")
def order_detail(request, order_id):
    order = found(sel.order_get, user=request.user, order_id=order_id)
    is_admin = user_has_perm(request.user, "orders.decide")
    if request.method == "POST":
        _order_post(request, order, is_admin=is_admin)
        return redirect("procurement:order_detail", order_id=order.pk)
    if request.GET.get("stripe") == "paid" and not is_admin:
        # Back from the card page: ask Stripe now rather than wait for its webhook.
        _try(request, lambda: _payment_sync(order), "")
        order.refresh_from_db()
    lines = list(order.lines.select_related("item"))
    return render(request, "procurement/order_detail.html", {
        "order": order, "lines": lines, "events": order.events.select_related("actor"), "is_admin": is_admin,
        "payment": order.deposit_payment,
        "checkout_url": payment_checkout_url(payment=order.deposit_payment,
                                             return_url=request.build_absolute_uri(request.path)),
        "van_lines": [(line, range(line.quantity)) for line in lines if line.kind == ItemKind.VEHICLE],
        "policy_lines": [line for line in lines if line.kind == ItemKind.INSURANCE],
        "can_cancel": order.status in (Order.Status.SUBMITTED, Order.Status.APPROVED, Order.Status.DEPOSIT_PAID),
    })


def _order_post(request, order, *, is_admin):
    action = request.POST.get("action")
    note = request.POST.get("note", "")
    partner_actions = {
        "deposit": lambda: svc.order_deposit_start(order=order, by=request.user),
        "cancel": lambda: svc.order_cancel(order=order, by=request.user, note=note),
        "refresh": lambda: _payment_sync(order),
    }
    admin_actions = {
        "approve": lambda: svc.order_approve(order=order, by=request.user, note=note),
        "reject": lambda: svc.order_reject(order=order, by=request.user, note=note),
        "fulfil": lambda: svc.order_fulfil(order=order, by=request.user, vans=_vans_from(request.POST, order),
                                           policies=_policies_from(request.POST, order)),
    }
    done = {"deposit": _("Deposit ready to pay."), "cancel": _("Order cancelled."), "refresh": "",
            "approve": _("Order approved."), "reject": _("Order rejected."),
            "fulfil": _("Order fulfilled: the vans and policies are in the partner's fleet.")}
    table = admin_actions if is_admin else partner_actions
    if action not in table:
        raise Http404
    _try(request, table[action], done[action])


def _payment_sync(order):
    from payments.services import payment_sync

    if order.deposit_payment is not None:
        payment_sync(payment=order.deposit_payment)


def _vans_from(post, order):
    out = {}
    for line in order.lines.filter(kind=ItemKind.VEHICLE):
        out[line.pk] = [{"vin": post.get(f"vin_{line.pk}_{i}", ""), "plate": post.get(f"plate_{line.pk}_{i}", ""),
                         "plate_state": post.get(f"state_{line.pk}_{i}", "")} for i in range(line.quantity)]
    return out


def _policies_from(post, order):
    return {line.pk: {"policy_number": post.get(f"policy_{line.pk}", ""),
                      "effective_on": post.get(f"effective_{line.pk}") or None}
            for line in order.lines.filter(kind=ItemKind.INSURANCE)}


# --- Admin queue -----------------------------------------------------------------------------------------


@permission_required("orders.decide")
def order_queue(request):
    status = request.GET.get("status", "submitted")
    return render(request, "procurement/order_list.html", {
        "orders": sel.order_queue(status=status), "admin": True, "statuses": Order.Status.choices[1:],
        "filters": {"status": status}, "counts": sel.order_status_counts()})


# --- Savings -----------------------------------------------------------------------------------------


def _report_partner(request):
    if user_has_perm(request.user, "orders.decide"):
        return None  # program-wide
    partner = partner_for_user(user=request.user)
    if partner is None:
        raise Http404
    return partner


@permission_required("catalog.view")
def savings(request):
    partner = _report_partner(request)
    report = sel.savings_report(partner=partner)
    chart = {"labels": [m["month"].strftime("%b %Y") for m in report["by_month"] if m["month"]],
             "list": [float(m["list_total"]) for m in report["by_month"] if m["month"]],
             "paid": [float(m["total"]) for m in report["by_month"] if m["month"]]}
    return render(request, "procurement/savings.html", {"report": report, "partner": partner,
                                                              "chart": json.dumps(chart)})


@permission_required("catalog.view")
def savings_csv(request):
    partner = _report_partner(request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="program-savings.csv"'
    writer = csv.writer(response)
    for row in sel.savings_csv_rows(partner=partner):
        writer.writerow(row)
    return response


"""HTML pages: parse, call one service or selector, render."""

import csv
import json

from allauth.account.adapter import get_adapter
from allauth.account.utils import complete_signup, setup_user_email
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from core.dates import page_day
from core.errors import DomainError, NotFound
from core.files import private_file_response
from core.forms import add_domain_error
from hubs import selectors, services
from hubs.forms import DecisionForm, EnrollmentForm, ReviewFilterForm
from hubs.models import AttemptReason, HubStatus, ParcelStatus


def _create_owner(request, form):
    adapter = get_adapter(request)
    user = adapter.new_user(request)
    user.email = form.cleaned_data["email"]
    user.full_name = form.cleaned_data["full_name"]
    user.set_password(form.cleaned_data["password1"])
    user.save()
    return user


def enroll(request):
    """Public: "Enroll your business". Signed out, it creates the account at the end (allauth sign-up,
    so e-mail verification applies). Outside the program's area it says so and offers the waitlist."""
    signed_in = request.user.is_authenticated
    form = EnrollmentForm(request.POST or None, signed_in=signed_in)
    outside = None
    if request.method == "POST" and form.is_valid():
        data, join = form.hub_data(), form.cleaned_data["join_waitlist"]
        verdict = services.eligibility_check(state=data["state"], city=data["city"])
        if not verdict.eligible and not join:
            outside = verdict.reason
        else:
            try:
                with transaction.atomic():
                    owner = request.user if signed_in else _create_owner(request, form)
                    hub = services.hub_enroll(owner=owner, data=data, join_waitlist=join)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if hub.status == HubStatus.WAITLISTED:
                    messages.info(request, _("You are on the waitlist: we will write when we open in %(city)s.")
                                  % {"city": hub.city})
                else:
                    messages.success(request, _("Thank you! Your enrollment is in review."))
                if signed_in:
                    return redirect("hubs:today")
                setup_user_email(request, owner, [])
                return complete_signup(request, owner, settings.ACCOUNT_EMAIL_VERIFICATION,
                                       reverse("hubs:today"))
    return render(request, "hubs/enroll.html", {"form": form, "outside": outside})


def _today_context(request, hub):
    day = page_day(request, default=hub.local_today()) or hub.local_today()
    parcels = list(selectors.parcels_for_day(hub=hub, service_date=day))
    config = {
        "hubId": hub.pk, "serviceDate": day.isoformat(),
        "batchUrl": reverse("api-hub-outcome-batch"),
        "outcomeUrl": reverse("api-hub-parcel-outcome", args=[0]),
        "parcels": [{"id": p.pk, "tracking_id": p.tracking_id, "status": p.status, "recipient_name": p.recipient_name,
                     "recipient_address": p.recipient_address} for p in parcels],
        "reasons": [{"value": v, "label": str(label)} for v, label in AttemptReason.choices],
        "labels": {v: str(label) for v, label in ParcelStatus.choices},
    }
    return {"hub": hub, "day": day, "parcels": parcels, "summary": selectors.day_summary(parcels),
            "config": config, "reasons": AttemptReason.choices}


@permission_required("hubs.operate")
def today(request):
    """The phone page: today's parcels, a scan box, one tap per outcome."""
    hub = selectors.hub_for_owner(user=request.user)
    if hub is None:
        return redirect("hubs:enroll")
    return render(request, "hubs/today.html", _today_context(request, hub))


@permission_required("hubs.operate")
@require_POST
def pause(request):
    hub = selectors.hub_get_for_owner(user=request.user)
    try:
        services.hub_owner_set_paused(hub=hub, owner=request.user, paused=request.POST.get("paused") == "1")
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("hubs:today")


@permission_required("hubs.operate")
def earnings(request):
    hub = selectors.hub_get_for_owner(user=request.user)
    statements = list(selectors.statements_for_hub(hub=hub)[:12])
    latest = statements[0] if statements else None
    chart = {
        "weeks": [s.week_start.isoformat() for s in reversed(statements)],
        "earnings": [str(s.earnings) for s in reversed(statements)],
        "days": [d["date"] for d in latest.days] if latest else [],
        "delivered": [d["delivered"] for d in latest.days] if latest else [],
        "attempted": [d["attempted"] for d in latest.days] if latest else [],
        "returned": [d["returned"] for d in latest.days] if latest else [],
    }
    return render(request, "hubs/earnings.html", {"hub": hub, "statements": statements, "latest": latest,
                                                  "chart": chart, "week": selectors.hub_week_so_far(hub=hub)})


@permission_required("hubs.operate")
@require_POST
def payout_setup(request):
    hub = selectors.hub_get_for_owner(user=request.user)
    back = request.build_absolute_uri(reverse("hubs:earnings"))
    try:
        url = services.hub_payout_onboarding_link(hub=hub, return_url=back, refresh_url=back)
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("hubs:earnings")
    return redirect(url)


def parcel_photo(request, pk):
    """Proof of delivery: the hub's owner and program admins only; anyone else gets 404."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        parcel = selectors.parcel_get_for_viewer(user=request.user, parcel_id=pk)
    except NotFound:
        raise Http404 from None
    if not parcel.proof_photo:
        raise Http404
    return private_file_response(parcel.proof_photo, download_name=f"pod-{parcel.tracking_id}.jpg")


# --- admin ----------------------------------------------------------------------------------------

def _review_rows(request):
    form = ReviewFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    hubs = list(selectors.hub_review_list(filters=filters))
    for hub in hubs:
        hub.success = selectors.success_rate(hub.delivered, hub.finished)
    return form, hubs


@permission_required("hubs.review")
def review_list(request):
    form, hubs = _review_rows(request)
    return render(request, "hubs/review_list.html", {"form": form, "hubs": hubs,
                                                     "query": request.GET.urlencode()})


@permission_required("hubs.review")
def review_export(request):
    _form, hubs = _review_rows(request)
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="hubs.csv"'
    writer = csv.writer(response)
    writer.writerow(["id", "legal_name", "kind", "city", "state", "status", "owner", "enrolled", "capacity",
                     "parcels_28d", "delivered_28d", "success_rate_pct", "earnings_total"])
    for h in hubs:
        writer.writerow([h.pk, h.legal_name, h.kind, h.city, h.state, h.status, h.owner.email,
                         h.created_at.date().isoformat(), h.capacity, h.volume, h.delivered,
                         "" if h.success is None else h.success, h.total_earnings])
    return response


@permission_required("hubs.review")
def review_detail(request, pk):
    try:
        hub = selectors.hub_get_for_admin(hub_id=pk)
    except NotFound:
        raise Http404 from None
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hub_decide(hub=hub, to=form.cleaned_data["decision"], decided_by=request.user,
                                note=form.cleaned_data["note"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("hubs:review_detail", pk=hub.pk)
    return render(request, "hubs/review_detail.html", {
        "hub": hub, "form": form, "log": hub.transitions.select_related("actor"),
        "statements": selectors.statements_for_hub(hub=hub)[:8], "hours": json.dumps(hub.opening_hours)})

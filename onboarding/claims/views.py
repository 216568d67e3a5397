"""Claim pages: the veteran owner's reimbursement page and claim form; the admins' queue, detail and payout run."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from core.errors import DomainError, NotFound
from core.files import private_file_response
from core.servicedays import service_today
from onboarding.claims.forms import ClaimFilterForm, ClaimForm, DecisionForm
from onboarding.claims.models import Claim, ClaimEvent
from onboarding.claims.payouts import (
    claim_payout_retry,
    claims_payout_run,
    payout_account_connect_link,
    payout_account_for,
    payout_account_refresh,
)
from onboarding.claims.selectors import (
    claim_cap_warning,
    claim_detail,
    claim_duplicates,
    claim_get,
    claim_list,
    claim_partner_for_owner,
    claim_queue,
    claim_receipt_get,
    claim_summary,
    is_claims_admin,
)
from onboarding.claims.services import claim_create, claim_decide, claim_eligibility_check
from onboarding.views.common import add_domain_error, flash_domain_error


def _owner_partner(request):
    partner = claim_partner_for_owner(user=request.user)
    if partner is None:
        raise Http404(_("You do not own a partner company."))
    return partner


@permission_required("claims.file")
def reimbursement(request):
    partner = _owner_partner(request)
    if request.GET.get("stripe") == "return":
        try:
            payout_account_refresh(partner=partner)
        except DomainError as exc:
            flash_domain_error(request, exc)
    elif request.GET.get("stripe") == "refresh":
        messages.warning(request, _("The Stripe link expired; connect again to continue."))
    try:
        claim_eligibility_check(partner=partner)
        ineligible = None
    except DomainError as exc:
        ineligible = exc
    summary = claim_summary(partner=partner)
    claims = claim_list(fetched_by=request.user).prefetch_related(
        Prefetch("events", queryset=ClaimEvent.objects.select_related("actor").order_by("created_at", "id")))
    return render(request, "onboarding/claims/reimbursement.html", {
        "partner": partner, "summary": summary, "claims": claims, "ineligible": ineligible,
        "account": payout_account_for(partner=partner),
        "chart": {"cap": str(summary.cap),
                  "labels": [_("Paid"), _("Approved, not paid yet"), _("Under review"), _("Remaining")],
                  "values": [str(summary.paid), str(summary.pending), str(summary.under_review),
                             str(max(summary.remaining - summary.under_review, 0))]},
    })


@permission_required("claims.file")
def claim_new(request):
    partner = _owner_partner(request)
    form = ClaimForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            claim = claim_create(partner=partner, created_by=request.user, category=data["category"],
                                 vendor=data["vendor"], incurred_on=data["incurred_on"], amount=data["amount"],
                                 description=data["description"], receipts=data["receipts"], submit=True)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Claim #%(id)s is filed for review.") % {"id": claim.pk})
            if warning := claim_cap_warning(claim=claim):
                messages.warning(request, warning)
            return redirect("onboarding:reimbursement")
    return render(request, "onboarding/claims/claim_form.html", {"form": form, "partner": partner})


@require_POST
@permission_required("claims.file")
def connect_stripe(request):
    partner = _owner_partner(request)
    page = request.build_absolute_uri(reverse("onboarding:reimbursement"))
    try:
        url = payout_account_connect_link(partner=partner, user=request.user, return_url=f"{page}?stripe=return",
                                          refresh_url=f"{page}?stripe=refresh")
    except DomainError as exc:
        flash_domain_error(request, exc)
        return redirect("onboarding:reimbursement")
    return redirect(url)


def _load(request, claim_id) -> Claim:
    try:
        claim = claim_get(user=request.user, claim_id=claim_id)
    except NotFound:
        raise Http404 from None
    return claim_detail(claim_id=claim.pk)


@login_required
def claim_page(request, claim_id):
    claim = _load(request, claim_id)
    is_admin = is_claims_admin(request.user)
    context = {"claim": claim, "is_admin": is_admin, "events": claim.events.all(), "receipts": claim.receipts.all()}
    if is_admin:
        context.update(duplicates=claim_duplicates(claim=claim), summary=claim_summary(partner=claim.partner),
                       decision_form=DecisionForm(initial={"approved_amount": claim.amount}),
                       own=claim.partner.memberships.filter(user=request.user).exists())
    return render(request, "onboarding/claims/claim_detail.html", context)


@login_required
def receipt_download(request, claim_id, receipt_id):
    try:
        receipt = claim_receipt_get(user=request.user, claim_id=claim_id, receipt_id=receipt_id)
    except NotFound:
        raise Http404 from None
    return private_file_response(receipt.file, download_name=receipt.original_name)


# --- Admins ----------------------------------------------------------------------------------


@permission_required("claims.review")
def queue(request):
    form = ClaimFilterForm(request.GET or {"status": "open"})
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    rows = claim_queue(fetched_by=request.user, filters=filters)
    if request.GET.get("format") == "csv":
        return _csv(rows)
    return render(request, "onboarding/claims/queue.html", {
        "form": form, "claims": rows[:500], "query": request.GET.urlencode()})


CSV_COLUMNS = ["id", "partner_id", "partner", "status", "category", "vendor", "incurred_on", "amount",
               "approved_amount", "submitted_at", "decided_at", "decided_by", "paid_at", "likely_duplicate"]


def _cell(value) -> str:
    value = str(value)
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value  # no spreadsheet formulas


def _csv(rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="claims-{service_today():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for c in rows.select_related("decided_by"):
        writer.writerow([c.pk, c.partner_id, _cell(c.partner.legal_name), c.status, _cell(c.category.name),
                         _cell(c.vendor), c.incurred_on.isoformat(), c.amount,
                         "" if c.approved_amount is None else c.approved_amount,
                         c.submitted_at.isoformat() if c.submitted_at else "",
                         c.decided_at.isoformat() if c.decided_at else "",
                         c.decided_by.email if c.decided_by else "", c.paid_at.isoformat() if c.paid_at else "",
                         "yes" if (c.dup_receipt or c.dup_purchase) else "no"])
    return response


@require_POST
@permission_required("claims.review")
def decide(request, claim_id):
    claim = _load(request, claim_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("onboarding:claim", claim.pk)
    data = form.cleaned_data
    try:
        claim = claim_decide(claim=claim, decided_by=request.user, decision=data["decision"],
                             approved_amount=data["approved_amount"] or None, note=data["note"])
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, _("Claim #%(id)s: %(status)s.") % {"id": claim.pk,
                                                                      "status": claim.get_status_display()})
    return redirect("onboarding:claim", claim.pk)


@require_POST
@permission_required("claims.review")
def retry_payout(request, claim_id):
    claim = _load(request, claim_id)
    try:
        claim_payout_retry(claim=claim, actor=request.user)
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, _("The payout was sent again."))
    return redirect("onboarding:claim", claim.pk)


@require_POST
@permission_required("claims.review")
def payout_run(request):
    result = claims_payout_run(actor=request.user)
    messages.success(request, _("Payout run: %(sent)s sent, %(failed)s failed, %(waiting)s waiting for a Stripe "
                                "account.") % {k: len(v) for k, v in result.as_dict().items()})
    return redirect(reverse("onboarding:claim_queue") + "?status=")

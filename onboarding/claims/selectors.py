"""Reads for claims: scoped by who asks (another partner's claim is NotFound), the cap summary, duplicates."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Upper
from django.utils.translation import gettext as _

from accounts.permissions import user_has_perm
from core.errors import NotFound
from core.servicedays import day_of
from onboarding.claims.models import Claim, ClaimCategory, ClaimEvent, ClaimReceipt
from onboarding.models import PartnerMembership
from onboarding.selectors import onboarding_settings, partner_for_user

S = Claim.Status


def is_claims_admin(user) -> bool:
    return user_has_perm(user, "claims.review")


def claim_category_list(*, eligible_only: bool = False) -> QuerySet[ClaimCategory]:
    qs = ClaimCategory.objects.all()
    return qs.filter(eligible=True) if eligible_only else qs


def claim_partner_for_owner(*, user):
    """The partner whose claims this user files: one they own (managers do not file claims)."""
    partner = partner_for_user(user=user)
    if partner is None or not PartnerMembership.objects.filter(
            partner=partner, user=user, role=PartnerMembership.Role.OWNER).exists():
        return None
    return partner


def _with_flags(qs: QuerySet[Claim]) -> QuerySet[Claim]:
    """Annotate the two likely-duplicate signals (without a query per row)."""
    others = Claim.objects.exclude(pk=OuterRef("pk")).exclude(status=S.DRAFT)
    same_receipt = ClaimReceipt.objects.filter(sha256__in=ClaimReceipt.objects.filter(
        claim=OuterRef(OuterRef("pk"))).values("sha256")).exclude(claim=OuterRef("pk")).exclude(
        claim__status=S.DRAFT)
    same_purchase = others.annotate(vendor_key=Upper("vendor")).filter(
        vendor_key=Upper(OuterRef("vendor")), incurred_on=OuterRef("incurred_on"), amount=OuterRef("amount"))
    return qs.annotate(dup_receipt=Exists(same_receipt), dup_purchase=Exists(same_purchase))


def _claim_qs() -> QuerySet[Claim]:
    return _with_flags(Claim.objects.select_related("partner", "category", "decided_by"))


def claim_list(*, fetched_by, filters: dict | None = None) -> QuerySet[Claim]:
    """Admins see every claim; a partner owner sees only their company's."""
    qs = _claim_qs()
    if not is_claims_admin(fetched_by):
        partner = claim_partner_for_owner(user=fetched_by)
        if partner is None:
            return qs.none()
        qs = qs.filter(partner=partner)
    filters = filters or {}
    if filters.get("status") == "open":
        qs = qs.filter(status=S.SUBMITTED)
    elif filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("partner"):
        qs = qs.filter(partner=filters["partner"])
    if filters.get("duplicates"):
        qs = qs.filter(Q(dup_receipt=True) | Q(dup_purchase=True))
    return qs


def claim_queue(*, fetched_by, filters: dict | None = None) -> QuerySet[Claim]:
    """The admin queue: submitted claims and onwards, oldest submission first."""
    return claim_list(fetched_by=fetched_by, filters=filters).exclude(status=S.DRAFT).order_by("submitted_at", "pk")


def claim_get(*, user, claim_id) -> Claim:
    if not str(claim_id).isdigit():
        raise NotFound()
    claim = claim_list(fetched_by=user).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound()
    return claim


def claim_detail(*, claim_id) -> Claim:
    return (_claim_qs().prefetch_related("receipts", Prefetch("events", queryset=ClaimEvent.objects
                                                              .select_related("actor").order_by("created_at", "id")))
            .get(pk=claim_id))


def claim_receipt_get(*, user, claim_id, receipt_id) -> ClaimReceipt:
    claim = claim_get(user=user, claim_id=claim_id)
    receipt = claim.receipts.filter(pk=receipt_id).first() if str(receipt_id).isdigit() else None
    if receipt is None:
        raise NotFound()
    return receipt


def claim_duplicates(*, claim: Claim) -> list[Claim]:
    """The other claims this one looks like (same receipt file, or same vendor, date and amount)."""
    hashes = list(claim.receipts.values_list("sha256", flat=True))
    return list(Claim.objects.select_related("partner").exclude(pk=claim.pk).exclude(status=S.DRAFT).filter(
        Q(receipts__sha256__in=hashes) | Q(vendor__iexact=claim.vendor, incurred_on=claim.incurred_on,
                                           amount=claim.amount)).distinct().order_by("pk"))


# --- The cap and the window ------------------------------------------------------------------


def claim_committed_total(*, partner, exclude_pk=None) -> Decimal:
    """Approved money counted against the cap (approved, partially approved, payout pending/failed, paid)."""
    qs = Claim.objects.filter(partner=partner, status__in=Claim.COUNTED)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.aggregate(total=Sum("approved_amount"))["total"] or Decimal("0.00")


def partner_approved_at(*, partner) -> datetime:
    """When the partner was approved: the application's decision, else the partner's creation."""
    application = partner.application
    if application is not None and application.decided_at is not None:
        return application.decided_at
    return partner.created_at


def claim_earliest_expense(*, partner, settings=None) -> date:
    """The earliest date a reimbursable start-up expense may carry: a set number of months before approval."""
    settings = settings or onboarding_settings()
    approved = day_of(partner_approved_at(partner=partner))
    return approved - relativedelta(months=settings.claim_lookback_months)


def claim_cap_left(*, partner, excluding=None) -> Decimal:
    """What the cap still allows once approved claims and the other claims awaiting a decision are counted."""
    waiting = Claim.objects.filter(partner=partner, status=S.SUBMITTED)
    if excluding is not None:
        waiting = waiting.exclude(pk=excluding.pk)
    others = waiting.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    left = onboarding_settings().claim_cap - claim_committed_total(partner=partner) - others
    return max(left, Decimal("0.00"))


def claim_cap_warning(*, claim) -> str:
    """A sentence when the claim asks for more than the cap still allows; '' otherwise.

    The claim is still filed: the reviewer may approve part of it, and the owner knows before that happens."""
    left = claim_cap_left(partner=claim.partner, excluding=claim)
    if claim.amount <= left:
        return ""
    return _("Only $%(left)s is left under the $%(cap)s cap (counting claims awaiting a decision): this claim can be "
             "approved for at most that.") % {"left": f"{left:,.2f}",
                                                "cap": f"{onboarding_settings().claim_cap:,.2f}"}


def claim_window_closes(*, partner, settings=None) -> date:
    settings = settings or onboarding_settings()
    opened = day_of(partner_approved_at(partner=partner))
    return opened + relativedelta(months=settings.claim_window_months)


@dataclass
class ClaimSummary:
    cap: Decimal
    approved: Decimal  # everything counted against the cap
    paid: Decimal
    pending: Decimal  # approved, not paid yet
    under_review: Decimal  # submitted, not decided
    remaining: Decimal
    window_closes: date


def claim_summary(*, partner) -> ClaimSummary:
    settings = onboarding_settings()
    rows = dict(Claim.objects.filter(partner=partner).values_list("status").annotate(
        total=Sum("approved_amount")))
    claimed = dict(Claim.objects.filter(partner=partner, status=S.SUBMITTED).values_list("status").annotate(
        total=Sum("amount")))
    zero = Decimal("0.00")
    approved = sum((rows.get(s) or zero for s in Claim.COUNTED), zero)
    paid = rows.get(S.PAID) or zero
    return ClaimSummary(cap=settings.claim_cap, approved=approved, paid=paid, pending=approved - paid,
                        under_review=claimed.get(S.SUBMITTED) or zero,
                        remaining=max(settings.claim_cap - approved, zero),
                        window_closes=claim_window_closes(partner=partner, settings=settings))


def claim_console_figures() -> dict:
    """Program-wide figures for the admin console: claims by status, money approved and paid, flagged duplicates."""
    by_status = {status: (n, total or Decimal("0.00")) for status, n, total in Claim.objects.values_list("status")
                 .annotate(n=Count("id"), total=Sum("approved_amount")).values_list("status", "n", "total")}
    awaiting = _with_flags(Claim.objects.filter(status=S.SUBMITTED))
    return {
        "counts": {status: n for status, (n, _t) in by_status.items()},
        "approved": sum((by_status.get(s, (0, Decimal("0.00")))[1] for s in Claim.COUNTED), Decimal("0.00")),
        "paid": by_status.get(S.PAID, (0, Decimal("0.00")))[1],
        "flagged": awaiting.filter(Q(dup_receipt=True) | Q(dup_purchase=True)).count(),
    }

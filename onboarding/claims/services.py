"""Writes for claims: file, add receipts, submit, decide under the cap.

The cap holds under concurrency because a decision locks the Partner row (`select_for_update`)
and sums what is already committed under that lock: two admins approving two claims of the same
partner at once are serialised, and the second sees the first's amount."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import user_has_perm
from core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from core.files import file_sha256, validate_upload
from core.money import parse_amount
from core.servicedays import day_of, service_today
from core.workflow import transition
from onboarding.claims.models import CLAIM_WORKFLOW, Claim, ClaimCategory, ClaimEvent, ClaimReceipt
from onboarding.claims.selectors import (
    claim_committed_total,
    claim_earliest_expense,
    claim_window_closes,
    partner_approved_at,
)
from onboarding.models import Partner, PartnerMembership
from onboarding.selectors import onboarding_settings, veteran_verified

S = Claim.Status
RECEIPT_MAX_BYTES = 10 * 1024 * 1024
MAX_RECEIPTS = 10


def claim_move(claim: Claim, to: str, *, actor=None, note: str = "", changes: dict | None = None) -> Claim:
    return transition(instance=claim, to=to, workflow=CLAIM_WORKFLOW, log_model=ClaimEvent, subject_field="claim",
                      actor=actor, note=note.strip(), changes=changes)


def claim_email_after_commit(claim_id: int, kind: str) -> None:
    """The owners hear of a decision, a payment or a failed payout once the change is committed."""
    from onboarding.emails import claim_email_queue  # emails imports this package's models

    claim_email_queue(Claim.objects.get(pk=claim_id), kind)  # the outbox row commits with the change (core.mail)


def _ensure_owner(partner: Partner, user) -> None:
    if not user_has_perm(user, "claims.file") or not PartnerMembership.objects.filter(
            partner=partner, user=user, role=PartnerMembership.Role.OWNER).exists():
        raise NotFound()


def claim_eligibility_check(*, partner: Partner, today: date | None = None) -> None:
    """Refuse claims before veteran verification or outside the window after approval."""
    if not veteran_verified(partner=partner):
        raise Conflict(_("Reimbursement is for veteran-owned partners: the owner's veteran service has not been "
                         "verified yet."), code="veteran_not_verified")
    today = today or service_today()
    if today < day_of(partner_approved_at(partner=partner)):
        raise Conflict(_("Claims open once the company is approved."), code="claim_window_not_open")
    closes = claim_window_closes(partner=partner)
    if today > closes:
        raise Conflict(_("The claim window closed on %(date)s (%(months)s months after approval).")
                       % {"date": closes.isoformat(), "months": onboarding_settings().claim_window_months},
                       code="claim_window_closed")


def _clean(*, partner, category, vendor: str, incurred_on, amount, description: str) -> dict:
    errors = {}
    if not isinstance(category, ClaimCategory):
        category = ClaimCategory.objects.filter(pk=category).first() if str(category).isdigit() else None
    if category is None:
        errors["category"] = [_("Choose a category.")]
    elif not category.eligible:
        raise ValidationFailed(_("“%(name)s” is not eligible for reimbursement.") % {"name": category.name},
                               code="category_not_eligible", fields={"category": [_("Not eligible.")]})
    vendor, description = (vendor or "").strip(), (description or "").strip()
    if not vendor:
        errors["vendor"] = [_("Name the vendor you paid.")]
    if not description:
        errors["description"] = [_("Say what the expense was for.")]
    if incurred_on is None:
        errors["incurred_on"] = [_("Give the date of the expense.")]
    elif incurred_on > service_today():
        errors["incurred_on"] = [_("The date cannot be in the future.")]
    elif incurred_on < (earliest := claim_earliest_expense(partner=partner)):
        errors["incurred_on"] = [_("Start-up costs are reimbursable from %(date)s (%(n)s months before the company's "
                                   "approval); this expense is older.") % {
            "date": earliest.isoformat(), "n": onboarding_settings().claim_lookback_months}]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], fields=errors)
    try:
        amount = parse_amount(amount)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.detail, code="amount_invalid", fields={"amount": [exc.detail]}) from None
    return {"category": category, "vendor": vendor[:150], "incurred_on": incurred_on, "amount": amount,
            "description": description[:2000]}


def claim_create(*, partner: Partner, created_by, category, vendor: str, incurred_on, amount, description: str,
                 receipts=(), submit: bool = False) -> Claim:
    """A draft claim with its receipts (all or nothing); `submit=True` files it for review at once."""
    _ensure_owner(partner, created_by)
    claim_eligibility_check(partner=partner)
    data = _clean(partner=partner, category=category, vendor=vendor, incurred_on=incurred_on, amount=amount,
                  description=description)
    checked = [_check_receipt(upload) for upload in receipts]
    with transaction.atomic():
        claim = Claim.objects.create(partner=partner, created_by=created_by, **data)
        ClaimEvent.objects.create(claim=claim, actor=created_by, from_status="", to_status=S.DRAFT)
        for upload, mime, digest in checked:
            _store_receipt(claim, upload, mime, digest, created_by)
        if submit:
            claim = claim_submit(claim=claim, submitted_by=created_by)
    return claim


def _check_receipt(upload) -> tuple:
    mime = validate_upload(upload, max_bytes=RECEIPT_MAX_BYTES, field="receipts")
    return upload, mime, file_sha256(upload)


def _store_receipt(claim, upload, mime, digest, user) -> ClaimReceipt:
    receipt = ClaimReceipt(claim=claim, original_name=(upload.name or "receipt")[-255:], content_type=mime,
                           size=upload.size, sha256=digest, uploaded_by=user)
    receipt.file.save(upload.name or "receipt", upload, save=False)
    receipt.save()
    return receipt


def claim_receipt_add(*, claim: Claim, upload, uploaded_by) -> ClaimReceipt:
    _ensure_owner(claim.partner, uploaded_by)
    upload, mime, digest = _check_receipt(upload)
    with transaction.atomic():
        row = Claim.objects.select_for_update().get(pk=claim.pk)
        if row.status != S.DRAFT:
            raise InvalidTransition(_("Receipts can be added only to a draft claim."), code="claim_not_draft")
        if row.receipts.count() >= MAX_RECEIPTS:
            raise ValidationFailed(_("A claim holds at most %(n)s receipts.") % {"n": MAX_RECEIPTS},
                                   code="too_many_receipts")
        return _store_receipt(row, upload, mime, digest, uploaded_by)


def claim_submit(*, claim: Claim, submitted_by) -> Claim:
    _ensure_owner(claim.partner, submitted_by)
    claim_eligibility_check(partner=claim.partner)
    with transaction.atomic():
        row = Claim.objects.select_for_update().get(pk=claim.pk)
        if row.status == S.DRAFT and not row.receipts.exists():
            raise ValidationFailed(_("Attach at least one receipt (PDF, JPEG or PNG)."), code="receipt_required",
                                   fields={"receipts": [_("At least one receipt is required.")]})
        return claim_move(row, S.SUBMITTED, actor=submitted_by, changes={"submitted_at": timezone.now()})


# --- Decisions -------------------------------------------------------------------------------


def _ensure_reviewer(claim: Claim, user) -> None:
    if not user_has_perm(user, "claims.review"):
        raise PermissionDenied()
    if PartnerMembership.objects.filter(partner_id=claim.partner_id, user=user).exists():
        raise PermissionDenied(_("You belong to this company, so another admin must decide its claims."),
                               code="own_company")


def claim_decide(*, claim: Claim, decided_by, decision: str, approved_amount=None, note: str = "") -> Claim:
    """Approve in full, approve part (down to what remains under the cap), or reject; under the partner lock."""
    if decision not in ("approve", "partial", "reject"):
        raise ValidationFailed(_("Choose approve, partial or reject."), fields={"decision": [_("Unknown.")]})
    _ensure_reviewer(claim, decided_by)
    target = {"approve": S.APPROVED, "partial": S.PARTIALLY_APPROVED, "reject": S.REJECTED}[decision]
    partial_amount = parse_amount(approved_amount, field="approved_amount") if decision == "partial" else None
    with transaction.atomic():
        Partner.objects.select_for_update().only("pk").get(pk=claim.partner_id)  # serialises decisions per partner
        row = Claim.objects.select_for_update().get(pk=claim.pk)
        CLAIM_WORKFLOW.check(row.status, target, note=note)
        changes = {"decided_at": timezone.now(), "decided_by": decided_by, "decision_note": note.strip()}
        if decision != "reject":
            changes["approved_amount"] = _amount_under_cap(row, partial_amount)
        row = claim_move(row, target, actor=decided_by, note=note, changes=changes)
        claim_email_after_commit(row.pk, "decided")
        return row


def _amount_under_cap(row: Claim, partial_amount):
    cap = onboarding_settings().claim_cap
    remaining = cap - claim_committed_total(partner=row.partner_id, exclude_pk=row.pk)
    if remaining <= 0:
        raise Conflict(_("This partner has reached the %(cap)s reimbursement cap; the claim can only be rejected.")
                       % {"cap": f"${cap:,.2f}"}, code="cap_reached")
    if partial_amount is None:
        if row.amount > remaining:
            raise Conflict(_("Approving %(amount)s would exceed the cap: only %(remaining)s remains. Approve part of "
                             "it instead.") % {"amount": f"${row.amount:,.2f}", "remaining": f"${remaining:,.2f}"},
                           code="cap_exceeded", fields={"approved_amount": [f"{remaining:.2f}"]})
        return row.amount
    if partial_amount >= row.amount:
        raise ValidationFailed(_("A partial approval is less than the amount claimed (%(amount)s).")
                               % {"amount": f"${row.amount:,.2f}"}, code="partial_not_less",
                               fields={"approved_amount": [_("Must be less than the amount claimed.")]})
    if partial_amount > remaining:
        raise Conflict(_("Only %(remaining)s remains under the cap.") % {"remaining": f"${remaining:,.2f}"},
                       code="cap_exceeded", fields={"approved_amount": [f"{remaining:.2f}"]})
    return partial_amount

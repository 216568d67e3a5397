"""Paying approved claims through payments (Stripe Connect), and hearing back from it.

A payout run moves each approved claim to `payout_pending` and asks `payments.transfer_create`
for one Transfer keyed by the claim (`claim-<id>`): a run repeated, or crashed half-way and run
again, finds the same row and never pays twice. The transfer's later fate (paid, failed) arrives
through the `claim` transfer listener, inside the transaction that changes the Transfer."""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import DomainError, InvalidTransition
from core.events import event_record
from onboarding.claims.models import Claim
from onboarding.claims.services import claim_email_after_commit, claim_move
from onboarding.models import Partner
from payments.models import Transfer
from payments.selectors import connected_account_for_holder, transfer_for_key
from payments.services import (
    connected_account_get_or_create,
    connected_account_onboarding_link,
    connected_account_refresh,
    transfer_create,
    transfer_retry,
)

logger = logging.getLogger(__name__)
S = Claim.Status
T = Transfer.Status
PURPOSE = "claim"


def partner_holder(partner_id: int) -> str:
    return f"partner:{partner_id}"


# --- The partner's Stripe account ------------------------------------------------------------


def payout_account_for(*, partner: Partner):
    return connected_account_for_holder(holder=partner_holder(partner.pk))


def payout_account_connect_link(*, partner: Partner, user, return_url: str, refresh_url: str) -> str:
    """The Stripe-hosted onboarding URL for the partner's Connect account (created on first use)."""
    account = connected_account_get_or_create(holder=partner_holder(partner.pk), email=user.email)
    return connected_account_onboarding_link(account=account, return_url=return_url, refresh_url=refresh_url)


def payout_account_refresh(*, partner: Partner):
    account = payout_account_for(partner=partner)
    return connected_account_refresh(account=account) if account is not None else None


# --- The payout run --------------------------------------------------------------------------


@dataclass
class PayoutRun:
    sent: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # no ready Stripe account yet: stay approved

    def as_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed, "waiting": self.waiting}


def claims_payout_run(*, actor=None) -> PayoutRun:
    """One transfer per approved claim (and per claim left pending by an interrupted run)."""
    result = PayoutRun()
    claims = (Claim.objects.filter(status__in=(*Claim.PAYABLE, S.PAYOUT_PENDING)).select_related("partner")
              .order_by("decided_at", "pk"))
    accounts = {}
    for claim in claims:
        if claim.partner_id not in accounts:
            accounts[claim.partner_id] = payout_account_for(partner=claim.partner)
        account = accounts[claim.partner_id]
        if account is None or not account.stripe_account_id:
            result.waiting.append(claim.pk)
            continue
        try:
            outcome = claim_pay(claim=claim, account=account, actor=actor)
        except DomainError as exc:
            if exc.code in ("account_not_ready", "account_not_created"):
                result.waiting.append(claim.pk)
            else:  # one bad claim must not stop the batch; it stays pending for the next run
                logger.warning("claim %s not paid: %s (%s)", claim.pk, exc.detail, exc.code)
                result.failed.append(claim.pk)
            continue
        (result.failed if outcome.status == S.PAYOUT_FAILED else result.sent).append(claim.pk)
    logger.info("claims payout run: %s", result.as_dict())
    return result


def claim_pay(*, claim: Claim, account, actor=None) -> Claim:
    """Send one claim's approved amount. The account's readiness is checked before the claim moves."""
    existing = transfer_for_key(idempotency_key=claim.idempotency_key)
    if existing is None and not account.ready_for_transfers:
        account = connected_account_refresh(account=account)
        if not account.ready_for_transfers:
            raise InvalidTransition(_("The partner has not finished Stripe onboarding."), code="account_not_ready")
    with transaction.atomic():
        row = Claim.objects.select_for_update().get(pk=claim.pk)
        if row.status in Claim.PAYABLE:
            row = claim_move(row, S.PAYOUT_PENDING, actor=actor, note=_("Payout run."))
        elif row.status != S.PAYOUT_PENDING:
            return row
    transfer_create(account=account, amount=row.approved_amount, purpose=PURPOSE, reference=row.reference,
                    idempotency_key=row.idempotency_key,
                    description=f"Veteran start-up reimbursement, claim #{row.pk}")
    row.refresh_from_db()
    return row


def claim_payout_retry(*, claim: Claim, actor=None) -> Claim:
    """Send a failed payout again (the transfer keeps its key; payments decides whether Stripe needs a new one)."""
    transfer = transfer_for_key(idempotency_key=claim.idempotency_key)
    with transaction.atomic():
        row = Claim.objects.select_for_update().get(pk=claim.pk)
        row = claim_move(row, S.PAYOUT_PENDING, actor=actor, note=_("Payout retried."))
    if transfer is None:
        account = payout_account_for(partner=row.partner)
        if account is None:
            raise InvalidTransition(_("The partner has no Stripe account."), code="account_not_created")
        return claim_pay(claim=row, account=account, actor=actor)
    transfer_retry(transfer=transfer, actor=actor)
    row.refresh_from_db()
    return row


# --- What payments tells us ------------------------------------------------------------------


def on_claim_transfer(*, transfer: Transfer, previous_status: str) -> None:
    """Transfer listener (registered in OnboardingConfig.ready): runs inside the transfer's transaction."""
    claim_id = transfer.reference.partition(":")[2]
    if not claim_id.isdigit():
        return
    claim = Claim.objects.select_for_update().filter(pk=int(claim_id)).first()
    if claim is None:
        return
    if transfer.status == T.PAID and claim.status in (S.PAYOUT_PENDING, S.PAYOUT_FAILED):
        claim = claim_move(claim, S.PAID, note=_("Paid through Stripe (%(id)s).") % {"id": transfer.stripe_transfer_id},
                           changes={"paid_at": transfer.paid_at or timezone.now()})
        event_record(type="claim.paid", subject=claim,
                     payload={"id": claim.pk, "partner_id": claim.partner_id, "amount": str(claim.approved_amount)},
                     audience=Audience.partner(claim.partner_id))
        claim_email_after_commit(claim.pk, "paid")
    elif transfer.status in (T.FAILED, T.REVERSED) and claim.status == S.PAYOUT_PENDING:
        reason = transfer.failure_message or _("Stripe reported the transfer %(status)s.") % {"status": transfer.status}
        claim_move(claim, S.PAYOUT_FAILED, note=reason)
        claim_email_after_commit(claim.pk, "payout_failed")

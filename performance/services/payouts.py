"""Paying approved statements: one Stripe transfer per statement through `payments`, keyed by the statement.

The transfer's idempotency key is the statement's, so paying twice, or two admins paying at once, makes one
transfer (payments writes the row under a unique key and sends it under the row's lock). The statement
becomes `paid` when payments learns the transfer is paid (the webhook), through the listener below."""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from onboarding.claims.payouts import payout_account_for
from payments.models import Transfer
from payments.services import transfer_create, transfer_retry
from performance.models import STATEMENT_WORKFLOW, Statement, StatementStatus
from performance.services.statements import plan_move, statement_paid_event

logger = logging.getLogger(__name__)
PURPOSE = "partner_statement"
S = StatementStatus


def statement_pay(*, statement_id: int, by=None) -> Statement:
    """Send the statement's total once. Safe to call again, and at the same time: one transfer."""
    with transaction.atomic():
        statement = Statement.objects.select_for_update().select_related("partner").get(pk=statement_id)
        if statement.status == S.PAID:
            return statement
        if statement.status not in (S.APPROVED, S.PAYOUT_FAILED):
            raise Conflict(_("Only an approved statement can be paid."), code="not_approved")
        if statement.total <= 0:
            note = _("Nothing to pay: the total is %(t)s.") % {"t": statement.total}
            return _mark(statement, S.PAID, by=by, note=note)
    account = payout_account_for(partner=statement.partner)
    if account is None:
        raise Conflict(_("%(p)s has not set up payouts yet.") % {"p": statement.partner}, code="account_not_created")
    transfer = transfer_create(account=account, amount=statement.total, purpose=PURPOSE,
                               reference=statement.reference, idempotency_key=statement.idempotency_key,
                               description=f"{statement.partner.legal_name}: week of {statement.week_start:%Y-%m-%d}")
    if transfer.status == Transfer.Status.FAILED:
        transfer = transfer_retry(transfer=transfer, actor=by)
    if statement.transfer_id != transfer.pk:
        Statement.objects.filter(pk=statement.pk, transfer__isnull=True).update(transfer=transfer)
        statement.transfer = transfer
    statement.refresh_from_db()
    return statement


def week_pay(*, week_start, by=None) -> dict:
    """Pay every approved (or failed) statement of the week; one refusal does not stop the others."""
    counts = {"sent": 0, "refused": 0}
    due = Statement.objects.filter(week_start=week_start, status__in=[S.APPROVED, S.PAYOUT_FAILED])
    for statement_id in due.values_list("pk", flat=True):
        try:
            statement_pay(statement_id=statement_id, by=by)
            counts["sent"] += 1
        except DomainError as exc:
            logger.info("partner statement %s not paid: %s", statement_id, exc.code)
            counts["refused"] += 1
    return counts


def _mark(statement: Statement, to: str, *, by=None, note: str = "") -> Statement:
    with transaction.atomic():
        row = Statement.objects.select_for_update().get(pk=statement.pk)
        if row.status == to or not STATEMENT_WORKFLOW.allowed(row.status, to):
            return row
        changes = {"paid_at": timezone.now()} if to == S.PAID else {}
        row = plan_move(row, to, by=by, note=note, changes=changes)
        if to == S.PAID:
            statement_paid_event(row)
    return row


def on_statement_transfer(*, transfer, previous_status):
    """payments listener: the statement follows its transfer to paid or payout_failed."""
    statement = Statement.objects.filter(pk=int(transfer.reference.split(":")[1])).first()
    if statement is None:
        return
    if transfer.status == Transfer.Status.PAID:
        _mark(statement, S.PAID, note=transfer.stripe_transfer_id)
    elif transfer.status in (Transfer.Status.FAILED, Transfer.Status.REVERSED):
        _mark(statement, S.PAYOUT_FAILED, note=transfer.failure_message or transfer.status)

"""Paying weekly statements: one Stripe Transfer per statement, through `payments`.

The transfer's idempotency key derives from the statement, so running the weekly job twice (or a
retry after a crash) never pays twice. The statement becomes `paid` when payments learns the
transfer is paid (its listener, registered in `HubsConfig.ready`), and records `statement.paid`.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audience import Audience
from core.errors import DomainError
from core.events import event_record
from core.workflow import transition
from hubs.models import STATEMENT_WORKFLOW, Hub, Statement, StatementStatus, StatementTransition
from payments.models import Transfer
from payments.services import (
    connected_account_get_or_create,
    connected_account_onboarding_link,
    transfer_create,
    transfer_retry,
)

logger = logging.getLogger(__name__)
PURPOSE = "hub_statement"


def hub_holder(hub: Hub) -> str:
    return f"hub:{hub.pk}"


def hub_payout_onboarding_link(*, hub: Hub, return_url: str, refresh_url: str) -> str:
    """The Stripe-hosted page where the owner sets up where their earnings are paid."""
    account = connected_account_get_or_create(holder=hub_holder(hub), email=hub.owner.email)
    return connected_account_onboarding_link(account=account, return_url=return_url, refresh_url=refresh_url)


def statement_pay(*, statement_id: int) -> Statement:
    """Send the statement's earnings once. Safe to call again: the same key returns the same transfer."""
    statement = Statement.objects.select_related("hub__owner", "transfer").get(pk=statement_id)
    if statement.status == StatementStatus.PAID:
        return statement
    if statement.earnings <= 0:
        return _mark(statement, StatementStatus.PAID, note=_("nothing to pay"))
    account = connected_account_get_or_create(holder=hub_holder(statement.hub), email=statement.hub.owner.email)
    transfer = transfer_create(
        account=account, amount=statement.earnings, purpose=PURPOSE, reference=f"statement:{statement.pk}",
        idempotency_key=statement.idempotency_key,
        description=f"{statement.hub.legal_name}: week of {statement.week_start:%Y-%m-%d}")
    if transfer.status == Transfer.Status.FAILED:
        transfer = transfer_retry(transfer=transfer)
    if statement.transfer_id != transfer.pk:
        Statement.objects.filter(pk=statement.pk).update(transfer=transfer)
        statement.transfer = transfer
    return statement


def statements_pay_due(*, before) -> dict:
    """Pay every unpaid statement whose week ended before `before`. Returns counts per outcome."""
    due = Statement.objects.filter(status__in=[StatementStatus.OPEN, StatementStatus.FAILED], week_end__lt=before)
    counts = {"sent": 0, "refused": 0}
    for statement_id in due.values_list("pk", flat=True):
        try:
            statement_pay(statement_id=statement_id)
            counts["sent"] += 1
        except DomainError as exc:  # e.g. the owner has not finished Stripe onboarding yet
            logger.info("statement %s not paid: %s", statement_id, exc.code)
            counts["refused"] += 1
    return counts


def _mark(statement: Statement, to: str, *, note: str = "") -> Statement:
    with transaction.atomic():
        row = Statement.objects.select_for_update().get(pk=statement.pk)
        if row.status == to or not STATEMENT_WORKFLOW.allowed(row.status, to):
            return row
        changes = {"paid_at": timezone.now()} if to == StatementStatus.PAID else {}
        row = transition(instance=row, to=to, workflow=STATEMENT_WORKFLOW, log_model=StatementTransition,
                         subject_field="statement", note=note, changes=changes)
        if to == StatementStatus.PAID:
            event_record(type="statement.paid", subject=row,
                         payload={"id": row.pk, "hub_id": row.hub_id, "amount": str(row.earnings)},
                         audience=Audience.hub(row.hub_id))
    return row


def on_statement_transfer(*, transfer, previous_status):
    """payments listener: a statement follows its transfer to paid or failed."""
    statement = Statement.objects.filter(pk=int(transfer.reference.split(":")[1])).first()
    if statement is None:
        return
    if transfer.status == Transfer.Status.PAID:
        _mark(statement, StatementStatus.PAID, note=transfer.stripe_transfer_id)
    elif transfer.status in (Transfer.Status.FAILED, Transfer.Status.REVERSED):
        _mark(statement, StatementStatus.FAILED, note=transfer.failure_message or transfer.status)

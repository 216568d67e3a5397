"""Read queries shared by downstream apps, views and tasks."""

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from payments.models import ConnectedAccount, Payment, Transfer


def connected_account_for_holder(*, holder: str) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(holder=holder).first()


def transfer_for_key(*, idempotency_key: str) -> Transfer | None:
    return Transfer.objects.select_related("account").filter(idempotency_key=idempotency_key).first()


def transfer_list(*, purpose: str | None = None, references=None, status: str | None = None) -> QuerySet[Transfer]:
    """Transfers by purpose and references (e.g. every "claim:<id>" of one partner)."""
    qs = Transfer.objects.select_related("account")
    if purpose:
        qs = qs.filter(purpose=purpose)
    if references is not None:
        qs = qs.filter(reference__in=list(references))
    if status:
        qs = qs.filter(status=status)
    return qs


def payment_for_key(*, idempotency_key: str) -> Payment | None:
    return Payment.objects.filter(idempotency_key=idempotency_key).first()


def payment_list(*, purpose: str | None = None, references=None) -> QuerySet[Payment]:
    qs = Payment.objects.all()
    if purpose:
        qs = qs.filter(purpose=purpose)
    if references is not None:
        qs = qs.filter(reference__in=list(references))
    return qs


def transfers_awaiting_confirmation(*, older_than: timedelta = timedelta(hours=1)) -> QuerySet[Transfer]:
    """Submitted transfers whose webhook has not arrived: the reconcile task re-fetches them."""
    return Transfer.objects.filter(status=Transfer.Status.SUBMITTED, submitted_at__lt=timezone.now() - older_than)

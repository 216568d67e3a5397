"""Read queries shared by downstream apps, views and tasks."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from payments.models import ConnectedAccount, Payment, Transfer


def connected_account_for_holder(*, holder: str) -> ConnectedAccount | None:
    return ConnectedAccount.objects.filter(holder=holder).first()


def payment_checkout_url(*, payment: Payment | None, return_url: str) -> str:
    """Where the buyer pays by card without Stripe.js: the local Stripe stand-in's card page (when the
    portal runs on it and the payment still awaits a card). Empty otherwise: Stripe.js confirms in production."""
    if (payment is None or not settings.STRIPE_STANDIN or not payment.stripe_payment_intent_id
            or payment.status != Payment.Status.REQUIRES_PAYMENT):
        return ""
    base = settings.STRIPE_API_BASE.rstrip("/")
    return f"{base}/pay/{payment.stripe_payment_intent_id}?{urlencode({'return_url': return_url})}"


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

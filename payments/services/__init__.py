"""Writes that move money through Stripe (keyword-only, atomic, lock-then-decide).

Every movement is a row written before Stripe is called, with a unique idempotency key that is
also sent to Stripe: calling a service twice with the same key never moves money twice.

Money-moving services (`transfer_create`, `transfer_retry`, `payment_refund`) do not raise when
Stripe refuses or cannot be reached: they return the row with `status="failed"` and
`failure_code`/`failure_message`, so a batch (a payout run) records the failure and goes on.
They raise `DomainError` for the caller's mistakes (bad amount, reused key, account not ready).

accounts.py: payees (Connect accounts); transfers.py: money out; incoming.py: deposits and refunds.
"""

from payments.services.accounts import (
    connected_account_apply,
    connected_account_get_or_create,
    connected_account_onboarding_link,
    connected_account_refresh,
)
from payments.services.common import stripe_dict
from payments.services.incoming import (
    charge_apply,
    payment_apply,
    payment_intent_create,
    payment_refund,
    payment_sync,
)
from payments.services.transfers import transfer_apply, transfer_create, transfer_retry, transfer_sync

__all__ = [
    "stripe_dict",
    "charge_apply",
    "connected_account_apply",
    "connected_account_get_or_create",
    "connected_account_onboarding_link",
    "connected_account_refresh",
    "payment_apply",
    "payment_intent_create",
    "payment_refund",
    "payment_sync",
    "transfer_apply",
    "transfer_create",
    "transfer_retry",
    "transfer_sync",
]

"""Connected (payee) accounts: Stripe Connect Express accounts and their onboarding links."""


from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, ValidationFailed
from payments import gateway
from payments.models import (
    ConnectedAccount,
)
from payments.services.common import stripe_dict

# --- Connected accounts -------------------------------------------------------------------


def connected_account_get_or_create(*, holder: str, email: str) -> ConnectedAccount:
    """The holder's Connect account, creating it at Stripe (Express, transfers capability) once."""
    if not holder or ":" not in holder:
        raise ValidationFailed(_('A holder looks like "partner:12".'), code="holder_invalid")
    with transaction.atomic():
        account, _created = ConnectedAccount.objects.select_for_update().get_or_create(
            holder=holder, defaults={"email": email})
        if account.stripe_account_id:
            return account
        obj = gateway.call(
            gateway.client().v1.accounts.create,
            params={"type": "express", "country": "US", "email": email,
                    "capabilities": {"transfers": {"requested": True}}, "metadata": {"holder": holder}},
            options={"idempotency_key": f"connected-account:{holder}"},
        )
        account.stripe_account_id = obj.id
        account.email = email
        _account_copy_flags(account, stripe_dict(obj))
        account.save()
    return account


def connected_account_onboarding_link(*, account: ConnectedAccount, return_url: str, refresh_url: str) -> str:
    """A one-time Stripe-hosted onboarding URL (Account Link, type account_onboarding)."""
    if not account.stripe_account_id:
        raise Conflict(_("This payout account was not created at Stripe yet."), code="account_not_created")
    link = gateway.call(
        gateway.client().v1.account_links.create,
        params={"account": account.stripe_account_id, "return_url": return_url, "refresh_url": refresh_url,
                "type": "account_onboarding"},
    )
    return link.url


def connected_account_refresh(*, account: ConnectedAccount) -> ConnectedAccount:
    """Re-read the account from Stripe and store its flags."""
    if not account.stripe_account_id:
        return account
    obj = gateway.call(gateway.client().v1.accounts.retrieve, account.stripe_account_id)
    return connected_account_apply(data=stripe_dict(obj)) or account


def connected_account_apply(*, data: dict) -> ConnectedAccount | None:
    """Store flags from a Stripe account object fetched from Stripe (never from a webhook body)."""
    with transaction.atomic():
        account = ConnectedAccount.objects.select_for_update().filter(stripe_account_id=data["id"]).first()
        if account is None:
            return None
        _account_copy_flags(account, data)
        account.save()
    return account


def _account_copy_flags(account: ConnectedAccount, data: dict) -> None:
    account.charges_enabled = bool(data.get("charges_enabled"))
    account.payouts_enabled = bool(data.get("payouts_enabled"))
    account.details_submitted = bool(data.get("details_submitted"))
    account.transfers_active = (data.get("capabilities") or {}).get("transfers") == "active"

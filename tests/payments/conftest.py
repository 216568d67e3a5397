import pytest

from payments.services import connected_account_get_or_create


@pytest.fixture
def onboarded_account(db, stripe_fake):
    """A hub's Connect account that finished Stripe onboarding (flags stored locally)."""
    account = connected_account_get_or_create(holder="hub:7", email="shop@example.com")
    stripe_fake.complete_account_onboarding(account.stripe_account_id)
    account.payouts_enabled = account.transfers_active = account.details_submitted = True
    account.save()
    return account

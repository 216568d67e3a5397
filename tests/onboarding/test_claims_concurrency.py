"""The $10,000 cap under concurrent approvals on PostgreSQL: each admin in their own thread and connection."""

from decimal import Decimal

import pytest

from onboarding.claims.models import Claim
from onboarding.claims.selectors import claim_committed_total
from onboarding.claims.services import claim_decide
from tests.concurrency import run_at_once
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import submitted_claim, veteran_partner

pytestmark = pytest.mark.django_db(transaction=True)


def _approve(claim_id, admin):
    return lambda: claim_decide(claim=Claim.objects.get(pk=claim_id), decided_by=admin, decision="approve")


def test_two_admins_approving_two_claims_at_once_never_exceed_the_cap():
    partner, owner = veteran_partner()
    first, second = submitted_claim(partner, owner, "6000.00"), submitted_claim(partner, owner, "6000.00")
    outcomes = run_at_once([_approve(first.pk, AdminFactory()), _approve(second.pk, AdminFactory())])
    assert sorted(outcomes) == [("conflict", "cap_exceeded"), ("ok", "approved")], outcomes
    assert claim_committed_total(partner=partner) == Decimal("6000.00")


def test_many_parallel_approvals_and_partial_approvals_stay_within_the_cap():
    partner, owner = veteran_partner()
    claims = [submitted_claim(partner, owner, "3000.00") for _ in range(6)]
    admins = [AdminFactory() for _ in claims]
    calls = [_approve(c.pk, a) for c, a in zip(claims[:4], admins[:4], strict=True)]
    calls += [lambda c=c, a=a: claim_decide(claim=Claim.objects.get(pk=c.pk), decided_by=a, decision="partial",
                                            approved_amount="2500.00", note="Part only.")
              for c, a in zip(claims[4:], admins[4:], strict=True)]
    outcomes = run_at_once(calls)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    assert claim_committed_total(partner=partner) <= Decimal("10000.00")
    assert sum(1 for o in outcomes if o[0] == "ok") >= 3

"""The $10,000 cap under concurrent approvals on PostgreSQL: each admin in their own thread and connection."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from core.errors import Conflict
from onboarding.claims.models import Claim
from onboarding.claims.selectors import claim_committed_total
from onboarding.claims.services import claim_decide
from tests.factories import AdminFactory
from tests.onboarding.claim_factories import submitted_claim, veteran_partner

pytestmark = pytest.mark.django_db(transaction=True)


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", call().status)
        except Conflict as exc:
            outcomes[index] = ("conflict", exc.code)
        except Exception as exc:  # noqa: BLE001 - recorded so the assertion shows what went wrong
            outcomes[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _approve(claim_id, admin):
    return lambda: claim_decide(claim=Claim.objects.get(pk=claim_id), decided_by=admin, decision="approve")


def test_two_admins_approving_two_claims_at_once_never_exceed_the_cap():
    partner, owner = veteran_partner()
    first, second = submitted_claim(partner, owner, "6000.00"), submitted_claim(partner, owner, "6000.00")
    outcomes = _race([_approve(first.pk, AdminFactory()), _approve(second.pk, AdminFactory())])
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
    outcomes = _race(calls)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    assert claim_committed_total(partner=partner) <= Decimal("10000.00")
    assert sum(1 for o in outcomes if o[0] == "ok") >= 3

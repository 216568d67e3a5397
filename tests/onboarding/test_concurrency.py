"""Two admins deciding the same application at once on PostgreSQL: exactly one wins."""

import pytest

from onboarding import services
from onboarding.models import Application, Partner
from tests.concurrency import run_at_once
from tests.factories import AdminFactory
from tests.onboarding.factories import application_in, clear_checks


def _race(application, deciders):
    """Each decider gets its own fresh copy of the application, as two admins' requests would."""
    return run_at_once([lambda decide=decide: decide(Application.objects.get(pk=application.pk))
                        for decide in deciders])


@pytest.mark.django_db(transaction=True)
def test_two_admins_approving_at_once_one_wins_the_other_gets_a_conflict():
    application = application_in("in_review")
    clear_checks(application)
    first, second = AdminFactory(), AdminFactory()
    outcomes = _race(application, [
        lambda app: services.application_approve(application=app, decided_by=first),
        lambda app: services.application_approve(application=app, decided_by=second),
    ])
    assert sorted(outcomes) == [("conflict", "invalid_transition"), ("ok", "onboarded")], outcomes
    assert Partner.objects.filter(application=application).count() == 1
    assert application.events.filter(to_status="approved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_approval_and_a_rejection_at_once_one_decision_stands():
    application = application_in("in_review")
    clear_checks(application)
    first, second = AdminFactory(), AdminFactory()
    outcomes = _race(application, [
        lambda app: services.application_approve(application=app, decided_by=first),
        lambda app: services.application_reject(application=app, decided_by=second, note="Region is full."),
    ])
    assert [kind for kind, _ in outcomes].count("ok") == 1, outcomes
    assert [kind for kind, _ in outcomes].count("conflict") == 1, outcomes
    application.refresh_from_db()
    winner = next(value for kind, value in outcomes if kind == "ok")
    assert application.status == winner
    assert application.events.filter(to_status__in=["approved", "rejected"]).count() == 1
    assert Partner.objects.filter(application=application).count() == (1 if winner == "onboarded" else 0)

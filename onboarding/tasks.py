"""Celery tasks: take ids, call one service."""

from celery import shared_task

from onboarding.claims.models import Claim
from onboarding.emails import application_email, claim_email
from onboarding.models import Application


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def application_email_send(application_id: int, kind: str) -> int:
    application = Application.objects.select_related("applicant").filter(pk=application_id).first()
    if application is None:
        return 0
    return application_email(application, kind)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def claim_email_send(claim_id: int, kind: str) -> int:
    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is None:
        return 0
    return claim_email(claim, kind)


@shared_task(acks_late=True, autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def claims_payout_run() -> dict:
    """Daily (beat) and on demand: one Stripe transfer per approved claim; safe to run twice."""
    from onboarding.claims.payouts import claims_payout_run as run

    return run().as_dict()


@shared_task(acks_late=True)
def partners_activate_ready() -> int:
    """Hourly: partners whose onboarding checklist is complete (first route run) become active."""
    from onboarding.services import partners_activate_ready as activate

    return activate()

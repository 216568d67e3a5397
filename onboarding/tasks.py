"""Celery tasks: take ids, call one service."""

from celery import shared_task


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


# E-mails now go through the outbox (core.mail) in the transaction of the change. These two only drain messages
# queued by the previous release, so a deploy loses none; remove them in the release after.
@shared_task(acks_late=True, ignore_result=True)
def application_email_send(application_id: int, kind: str) -> None:
    from onboarding.emails import application_email_queue
    from onboarding.models import Application

    application = Application.objects.select_related("applicant").filter(pk=application_id).first()
    if application is not None:
        application_email_queue(application, kind)


@shared_task(acks_late=True, ignore_result=True)
def claim_email_send(claim_id: int, kind: str) -> None:
    from onboarding.claims.models import Claim
    from onboarding.emails import claim_email_queue

    claim = Claim.objects.filter(pk=claim_id).first()
    if claim is not None:
        claim_email_queue(claim, kind)

"""Celery tasks: take ids, call one service. Safe to run twice."""

import contextlib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from hubs import services
from hubs.models import Hub, HubStatus


@shared_task(acks_late=True)
def statements_weekly():
    """Monday: compute last week's statements, then pay each one in its own task."""
    today = timezone.now().date()
    last_monday = services.week_start_of(today) - timedelta(days=7)
    services.statements_compute(week_start=last_monday)
    from hubs.models import Statement, StatementStatus

    due = Statement.objects.filter(status__in=[StatementStatus.OPEN, StatementStatus.FAILED], week_end__lt=today)
    for statement_id in due.values_list("pk", flat=True):
        statement_pay.delay(statement_id)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def statement_pay(statement_id: int):
    from core.errors import DomainError

    # Not payable yet (the owner has not finished payout onboarding): the next weekly run tries again.
    with contextlib.suppress(DomainError):
        services.statement_pay(statement_id=statement_id)


@shared_task(acks_late=True)
def parcels_close_days():
    """Daily: yesterday's (hub-local) parcels left without an outcome go back with the next pickup."""
    for hub in Hub.objects.filter(status__in=[HubStatus.ACTIVE, HubStatus.PAUSED]).only("pk", "time_zone").iterator():
        services.parcels_close_day(hub=hub, service_date=hub.local_today() - timedelta(days=1))

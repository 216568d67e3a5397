"""Celery tasks: take ids, call one service. Safe to run twice."""

import contextlib
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from core.servicedays import service_today
from hubs import services
from hubs.models import OPEN_PARCEL_STATUSES, Hub, HubStatus, Parcel


@shared_task(acks_late=True)
def statements_weekly():
    """Daily: once last week has ended at every hub (in the westernmost hub's zone too), compute its statements,
    then pay each one in its own task."""
    zones = Hub.objects.filter(status__in=[HubStatus.ACTIVE, HubStatus.PAUSED]).values_list("time_zone", flat=True)
    today = min((service_today(zone) for zone in set(zones)), default=service_today())
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
def parcels_close_days() -> int:
    """Daily: yesterday's (hub-local) parcels left without an outcome go back with the next pickup.

    One query finds the hubs that have open parcels at all; only those are closed (most hubs have none)."""
    latest = timezone.now().date()  # yesterday anywhere on Earth is on or before UTC today
    open_days = set(Parcel.objects.filter(status__in=OPEN_PARCEL_STATUSES, service_date__lte=latest,
                                          hub__status__in=[HubStatus.ACTIVE, HubStatus.PAUSED])
                    .values_list("hub_id", "service_date").distinct())
    returned = 0
    for hub in Hub.objects.filter(pk__in={hub_id for hub_id, _ in open_days}).only("pk", "time_zone"):
        day = hub.local_today() - timedelta(days=1)
        if (hub.pk, day) in open_days:
            returned += services.parcels_close_day(hub=hub, service_date=day)
    return returned

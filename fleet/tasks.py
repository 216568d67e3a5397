"""Celery tasks: take ids (or dates), call one service."""

from datetime import date

from celery import shared_task

from core.servicedays import service_today
from fleet.services import fleet_expiry_run


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def fleet_expiry_daily(on_date: str | None = None) -> dict:
    """Daily (beat): expiry reminders and grounding of vans whose cover lapsed. Safe to re-run."""
    day = date.fromisoformat(on_date) if on_date else service_today()
    return fleet_expiry_run(on_date=day)


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def preventive_maintenance_daily(on_date: str | None = None) -> dict:
    """Daily (beat): open preventive work orders falling due soon. Idempotent: one open per schedule and van."""
    from fleet.upkeep.maintenance import preventive_work_orders_open

    day = date.fromisoformat(on_date) if on_date else service_today()
    return {"opened": preventive_work_orders_open(on_date=day)}

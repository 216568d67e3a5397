"""What fleet tells, and asks, the apps above it without importing them (core/hooks.py).

- `vehicle_grounded`: a van was grounded (routes gives its routes another van). Functions
  `fn(*, vehicle_id, on_date)` run after the grounding commits, so a failing one never un-grounds a van; a failure
  is logged and the dispatcher still has the alert.
- `partner_place`: where a partner works, for its service day (routes answers with the partner's station;
  without an answer the program's zone counts).
"""

import functools
import logging

from django.db import transaction

from core.hooks import Hook

logger = logging.getLogger(__name__)

vehicle_grounded = Hook("fleet.vehicle_grounded")
partner_place = Hook("fleet.partner_place", single=True)


def _run(fn, **kwargs):
    try:
        fn(**kwargs)
    except Exception:  # noqa: BLE001 - a listener's failure must not reach the driver who inspected
        logger.exception("grounding listener %s failed for %s", getattr(fn, "__name__", fn), kwargs)


def vehicle_grounded_announce(*, vehicle_id: int, on_date) -> None:
    """Call inside the grounding transaction: each function runs once it commits."""
    for fn in vehicle_grounded.functions():
        transaction.on_commit(functools.partial(_run, fn, vehicle_id=vehicle_id, on_date=on_date))


def partner_service_today(partner, *, moment=None):
    """The partner's service day now (or at `moment`, e.g. when a phone recorded something offline)."""
    from core.servicedays import day_of, service_today

    place = partner_place.ask(None, partner) if partner is not None else None
    return day_of(moment, place) if moment is not None else service_today(place)

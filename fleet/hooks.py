"""How downstream apps hear that a van was grounded (routes gives its routes another van).

fleet never imports routes. A downstream app registers a listener in its `AppConfig.ready()`::

    from fleet.hooks import register_grounding_listener
    register_grounding_listener(routes_replace_grounded_vehicle)

Listeners run after the grounding commits (`fn(*, vehicle_id, on_date)`), so a failing listener never
un-grounds a van; a failure is logged and the dispatcher still has the alert.
"""

import functools
import logging
from collections.abc import Callable

from django.db import transaction

logger = logging.getLogger(__name__)

_grounding_listeners: list[Callable] = []


def register_grounding_listener(fn: Callable) -> Callable:
    if fn not in _grounding_listeners:  # ready() may run twice (tests, autoreload)
        _grounding_listeners.append(fn)
    return fn


def _run(fn, **kwargs):
    try:
        fn(**kwargs)
    except Exception:  # noqa: BLE001 - a listener's failure must not reach the driver who inspected
        logger.exception("grounding listener %s failed for %s", getattr(fn, "__name__", fn), kwargs)


def vehicle_grounded_announce(*, vehicle_id: int, on_date) -> None:
    """Call inside the grounding transaction: each listener runs once it commits."""
    for fn in _grounding_listeners:
        transaction.on_commit(functools.partial(_run, fn, vehicle_id=vehicle_id, on_date=on_date))


# --- Where a partner works: its service day -------------------------------------------------------
# A partner's "today" is the day at its station (routes knows stations; fleet does not). Routes registers the
# lookup; without it the program's zone answers.

_partner_place: list[Callable] = []


def register_partner_place(fn: Callable) -> Callable:
    """`fn(partner)` -> a place (station) for `core.servicedays`, or None."""
    _partner_place[:] = [fn]
    return fn


def partner_service_today(partner, *, moment=None):
    """The partner's service day now (or at `moment`, e.g. when a phone recorded something offline)."""
    from core.servicedays import day_of, service_today

    place = _partner_place[0](partner) if _partner_place and partner is not None else None
    return day_of(moment, place) if moment is not None else service_today(place)

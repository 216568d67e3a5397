"""What routes asks of the apps above it, without importing them.

Dealing orders partners by a rank a downstream app may supply (performance: the last weekly tier, so a
Fantastic partner gets its full commitment first and a Poor one is dealt last). routes never imports
performance; performance registers its ranker in its `AppConfig.ready()`. With none registered, or a
ranker answering `{}`, every partner ranks the same and dealing is by fair share alone."""

from collections.abc import Callable
from datetime import date

_rankers: list[Callable] = []


def dealing_ranker_register(fn: Callable) -> Callable:
    """`fn(*, partner_ids, service_date) -> {partner id: rank}`, lower first; partners it leaves out rank 0."""
    if fn not in _rankers:  # ready() may run twice (tests, autoreload)
        _rankers.append(fn)
    return fn


def dealing_ranker_unregister(fn: Callable) -> None:
    if fn in _rankers:
        _rankers.remove(fn)


def dealing_ranks(*, partner_ids, service_date: date) -> dict[int, int]:
    ranks: dict[int, int] = {}
    for fn in list(_rankers):
        for pid, rank in (fn(partner_ids=list(partner_ids), service_date=service_date) or {}).items():
            ranks[pid] = max(ranks.get(pid, 0), rank)
    return ranks

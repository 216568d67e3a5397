"""What routes asks of the apps above it, without importing them (core/hooks.py).

Dealing orders partners by a rank a downstream app may supply (performance: the last weekly tier, so a
Fantastic partner gets its full commitment first and a Poor one is dealt last). routes never imports
performance; performance registers its ranker on `dealing_rankers` in its `AppConfig.ready()`. With none
registered, or a ranker answering `{}`, every partner ranks the same and dealing is by fair share alone."""

from datetime import date

from core.hooks import Hook

# fn(*, partner_ids, service_date) -> {partner id: rank}, lower first; partners it leaves out rank 0
dealing_rankers = Hook("routes.dealing_rankers")


def dealing_ranks(*, partner_ids, service_date: date) -> dict[int, int]:
    ranks: dict[int, int] = {}
    for answer in dealing_rankers.send(partner_ids=list(partner_ids), service_date=service_date):
        for pid, rank in (answer or {}).items():
            ranks[pid] = max(ranks.get(pid, 0), rank)
    return ranks

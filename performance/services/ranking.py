"""The dealing order routes asks for (routes.hooks): each partner's last published tier, as a rank.

A Fantastic+ partner ranks 0 and gets its full commitment first; Poor ranks 4 and is dealt last. A partner
with no published scorecard yet ranks with Great (new partners are neither favoured nor punished).
Off when the program's setting `deal_by_tier` is off."""

from datetime import date

from performance.models import TIER_ORDER, PerformanceSettings, Scorecard, Tier

UNSCORED = TIER_ORDER.index(Tier.GREAT)


def dealing_ranker(*, partner_ids, service_date: date) -> dict[int, int]:
    if not partner_ids or not PerformanceSettings.load().deal_by_tier:
        return {}
    latest = {}
    rows = (Scorecard.objects.filter(partner_id__in=list(partner_ids), frozen_at__isnull=False,
                                     week_end__lt=service_date).exclude(tier="")
            .order_by("partner_id", "-week_start").values_list("partner_id", "tier"))
    for pid, tier in rows:
        latest.setdefault(pid, tier)
    return {pid: TIER_ORDER.index(latest[pid]) if pid in latest else UNSCORED for pid in partner_ids}

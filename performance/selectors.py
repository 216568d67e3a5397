"""Reads for pages, the API and the jobs, scoped by who asks: a partner's members see their partner's
scorecards and statements; program admins see every partner's. Another partner's id is "not found"."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from accounts.permissions import user_has_perm
from core.errors import NotFound
from onboarding.selectors import partner_for_user
from performance.models import Dispute, LineKind, Scorecard, SettlementWeek, Statement, StatementLine
from performance.services.metrics import METRICS


def is_program(user) -> bool:
    return user_has_perm(user, "performance.manage")


def _partner_ids(user):
    """None for the program (everyone), else the ids of the user's partner (possibly none)."""
    if is_program(user):
        return None
    partner = partner_for_user(user=user)
    return [partner.pk] if partner is not None else []


def scorecard_list(*, fetched_by):
    qs = Scorecard.objects.select_related("partner").order_by("-week_start", "partner_id", "id")
    ids = _partner_ids(fetched_by)
    return qs if ids is None else qs.filter(partner_id__in=ids)


def scorecard_get(*, user, scorecard_id) -> Scorecard:
    card = scorecard_list(fetched_by=user).filter(pk=_int(scorecard_id)).first() if _int(scorecard_id) else None
    if card is None:
        raise NotFound(_("No such scorecard."), code="not_found")
    return card


def scorecard_for_week(*, partner, week_start: date) -> Scorecard | None:
    return Scorecard.objects.filter(partner=partner, week_start=week_start).first()


def scorecard_trend(*, partner, until: date, weeks: int = 12) -> list[Scorecard]:
    """The partner's scorecards of the `weeks` weeks up to the one starting `until`, oldest first."""
    since = until - timedelta(days=7 * (weeks - 1))
    return list(Scorecard.objects.filter(partner=partner, week_start__range=(since, until)).order_by("week_start"))


def statement_list(*, fetched_by, week_start: date | None = None):
    qs = Statement.objects.select_related("partner").order_by("-week_start", "partner_id", "id")
    ids = _partner_ids(fetched_by)
    if ids is not None:
        qs = qs.filter(partner_id__in=ids).exclude(status="draft")  # a draft is the program's work in progress
    if week_start is not None:
        qs = qs.filter(week_start=week_start)
    return qs


def statement_get(*, user, statement_id) -> Statement:
    pk = _int(statement_id)
    statement = statement_list(fetched_by=user).select_related("scorecard", "transfer").filter(pk=pk).first() \
        if pk else None
    if statement is None:
        raise NotFound(_("No such statement."), code="not_found")
    return statement


def statement_lines(*, statement):
    return (StatementLine.objects.filter(statement=statement)
            .select_related("route__plan__station", "chargeback__package", "deduction", "peak_week", "scorecard")
            .prefetch_related("disputes").order_by("position", "id"))


def dispute_get(*, user, dispute_id) -> Dispute:
    pk = _int(dispute_id)
    qs = Dispute.objects.select_related("statement", "line")
    ids = _partner_ids(user)
    if ids is not None:
        qs = qs.filter(statement__partner_id__in=ids)
    dispute = qs.filter(pk=pk).first() if pk else None
    if dispute is None:
        raise NotFound(_("No such dispute."), code="not_found")
    return dispute


def defects(*, partner_id: int, week_start: date, metric: str, driver_id=None):
    source = METRICS.get(metric)
    if source is None or source.defects is None:
        return None
    found = source.defects(partner_id=partner_id, first=week_start, last=week_start + timedelta(days=6),
                           driver_id=driver_id)
    if source.level == "route":  # route-day metrics (safety): the routes, each with what went wrong
        return found.select_related("plan__station", "driver", "vehicle").order_by("service_date", "sequence")
    return (found.select_related("route__plan__station", "route__driver").prefetch_related("packages")
            .order_by("route__service_date", "route__sequence", "sequence"))


def defect_routes(*, metric: str, routes, week_start: date) -> list:
    """The drill-down's routes (at most a page of them), each with `detail`: what went wrong on it."""
    routes = list(routes)
    detail = METRICS[metric].detail(routes, week_start) if METRICS[metric].detail else {}
    for route in routes:
        route.detail = detail.get(route.pk, "")
    return routes


def program_weeks(*, weeks: int = 12) -> list[dict]:
    """Per week, newest first: statements by status, total owed, and the amounts by line kind (two grouped
    queries, whatever the number of partners)."""
    rows = list(SettlementWeek.objects.order_by("-week_start")[:weeks])
    if not rows:
        return []
    starts = [w.week_start for w in rows]
    totals = {r["week_start"]: r for r in Statement.objects.filter(week_start__in=starts).values("week_start")
              .annotate(n=Count("id"), owed=Sum("total"), paid_amount=Sum("total", filter=Q(status="paid")),
                        drafts=Count("id", filter=Q(status="draft")),
                        disputed=Count("id", filter=Q(status="disputed")),
                        approved=Count("id", filter=Q(status="approved")),
                        paid_n=Count("id", filter=Q(status="paid")),
                        failed=Count("id", filter=Q(status="payout_failed"))).order_by()}
    kinds = defaultdict(dict)
    for start, kind, amount in (StatementLine.objects.filter(statement__week_start__in=starts)
                                .values_list("statement__week_start", "kind").annotate(a=Sum("amount")).order_by()):
        kinds[start][kind] = amount
    out = []
    for week in rows:
        t = totals.get(week.week_start, {})
        out.append({"week": week, "statements": t.get("n", 0), "total": t.get("owed") or Decimal(0),
                    "paid": t.get("paid_amount") or Decimal(0), "drafts": t.get("drafts", 0),
                    "disputed": t.get("disputed", 0), "approved": t.get("approved", 0), "paid_n": t.get("paid_n", 0),
                    "failed": t.get("failed", 0),
                    "kinds": {k.value: kinds[week.week_start].get(k.value, Decimal(0)) for k in LineKind}})
    return out


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

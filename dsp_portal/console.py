"""The program admin console: figures and queues from every app on one page.

Each app contributes panels here through its own selectors (this package may import any app).
A panel is a callable returning a list of `Stat`s; a failing panel never hides the others.
"""

import logging
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.servicedays import service_today

logger = logging.getLogger(__name__)


@dataclass
class Stat:
    label: str
    value: object
    url: str = ""
    hint: str = ""


def _accounts_panel():
    from accounts.models import ApiToken, Role, User

    counts = dict(User.objects.values_list("role").annotate(n=Count("id")))
    stats = [Stat(label, counts.get(value, 0)) for value, label in Role.choices]
    stats.append(Stat(_("Active API tokens"), ApiToken.objects.active().count()))
    return stats


def _webhooks_panel():
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    from integrations.models import WebhookDelivery, WebhookSubscription

    subs = dict(WebhookSubscription.objects.values_list("active").annotate(n=Count("id")))
    since = timezone.now() - timedelta(hours=24)
    deliveries = dict(WebhookDelivery.objects.filter(created_at__gte=since).values_list("status")
                      .annotate(n=Count("id")))
    url = reverse("integrations:webhook_list")
    return [
        Stat(_("Active webhooks"), subs.get(True, 0), url),
        Stat(_("Disabled webhooks"), subs.get(False, 0), url, _("after repeated failures or by owner")),
        Stat(_("Deliveries retrying"), deliveries.get(WebhookDelivery.Status.FAILED, 0), hint=_("last 24 hours")),
        Stat(_("Deliveries given up"), deliveries.get(WebhookDelivery.Status.GAVE_UP, 0), hint=_("last 24 hours")),
    ]


def _onboarding_panel():
    from django.urls import reverse

    from onboarding.models import Application
    from onboarding.selectors import application_overdue_count, application_status_counts

    counts = application_status_counts()
    url = reverse("onboarding:review_queue")
    stats = [Stat(label, counts.get(value, 0), f"{url}?status={value}") for value, label in Application.Status.choices
             if value != Application.Status.DRAFT]
    stats.append(Stat(_("Past review SLA"), application_overdue_count(),
                      f"{url}?status=open&age=overdue", _("business days")))
    return stats


def _hubs_panel():
    from django.urls import reverse

    from hubs.models import HubStatus
    from hubs.selectors import console_figures, success_rate

    figures = console_figures()
    url = reverse("hubs:review_list")
    shown = (HubStatus.APPLIED, HubStatus.WAITLISTED, HubStatus.ACTIVE, HubStatus.PAUSED)
    stats = [Stat(label, figures["by_status"].get(value, 0), f"{url}?status={value}")
             for value, label in HubStatus.choices if value in shown]
    rate = success_rate(figures["delivered"], figures["finished"])
    stats.append(Stat(_("Hub parcels today"), figures["total"]))
    stats.append(Stat(_("Hub success rate today"), "–" if rate is None else f"{rate}%"))
    return stats


def _fleet_panel():
    from django.urls import reverse

    from fleet.selectors import fleet_compliance_overview

    rows = fleet_compliance_overview(on_date=service_today())
    url = reverse("fleet:compliance_overview")
    vans = sum(r["vans"].get("active", 0) for r in rows)
    grounded = sum(r["vans"].get("grounded", 0) for r in rows)
    drivers = sum(r["drivers"].get("active", 0) for r in rows)
    return [
        Stat(_("Partners with a fleet"), len(rows), url),
        Stat(_("Partners with compliance problems"), sum(1 for r in rows if r["problem_count"]), url),
        Stat(_("Partners without company cover"), sum(1 for r in rows if not r["company_ok"]), url),
        Stat(_("Active vans"), vans),
        Stat(_("Grounded vans"), grounded, url),
        Stat(_("Active drivers"), drivers),
    ]


def _procurement_panel():
    from django.urls import reverse

    from procurement.models import Order
    from procurement.selectors import order_status_counts, savings_report

    counts = order_status_counts()
    url = reverse("procurement:order_queue")
    report = savings_report()
    return [
        Stat(_("Orders to decide"), counts.get(Order.Status.SUBMITTED, 0), f"{url}?status=submitted"),
        Stat(_("Awaiting deposit"), counts.get(Order.Status.APPROVED, 0), f"{url}?status=approved"),
        Stat(_("To fulfil"), counts.get(Order.Status.DEPOSIT_PAID, 0), f"{url}?status=deposit_paid"),
        Stat(_("Fulfilled orders"), counts.get(Order.Status.FULFILLED, 0), f"{url}?status=fulfilled"),
        Stat(_("Program savings"), f"${report['savings']:,.2f}", reverse("procurement:savings"), _("list vs paid")),
    ]


def _claims_panel():
    from django.urls import reverse

    from onboarding.claims.models import Claim
    from onboarding.claims.selectors import claim_console_figures

    figures = claim_console_figures()
    counts, url = figures["counts"], reverse("onboarding:claim_queue")
    S = Claim.Status
    return [
        Stat(_("Claims to decide"), counts.get(S.SUBMITTED, 0), f"{url}?status=open"),
        Stat(_("Likely duplicates"), figures["flagged"], f"{url}?status=open&duplicates=on", _("awaiting decision")),
        Stat(_("Approved, awaiting payout"), counts.get(S.APPROVED, 0) + counts.get(S.PARTIALLY_APPROVED, 0),
             f"{url}?status=approved"),
        Stat(_("Payouts failed"), counts.get(S.PAYOUT_FAILED, 0), f"{url}?status=payout_failed"),
        Stat(_("Reimbursement approved"), f"${figures['approved']:,.2f}"),
        Stat(_("Reimbursement paid"), f"${figures['paid']:,.2f}", f"{url}?status=paid"),
    ]


# The queues admins work most come first; reference figures last.
def _routes_panel():
    from django.urls import reverse

    from routes.selectors import console_figures

    figures = console_figures()
    stations, runs = reverse("routes:station_list"), reverse("routes:planning_runs")
    plans = figures["plans"]
    return [
        Stat(_("Active stations"), figures["stations"], stations),
        Stat(_("Plans for tomorrow ready"), plans.get("ready", 0), stations),
        Stat(_("Plans for tomorrow published"), plans.get("published", 0), stations),
        Stat(_("Plans for tomorrow failed"), plans.get("failed", 0), runs),
        Stat(_("Failed planning runs"), figures["failed_runs"], runs, _("last 2 days")),
    ]


PANELS: list[tuple[str, object]] = [
    (_("Applications"), _onboarding_panel),
    (_("Reimbursement claims"), _claims_panel),
    (_("Hubs"), _hubs_panel),
    (_("Fleet"), _fleet_panel),
    (_("Procurement"), _procurement_panel),
    (_("Route planning"), _routes_panel),
    (_("Webhooks"), _webhooks_panel),
    (_("People"), _accounts_panel),
]


def console_panels():
    out = []
    for title, build in PANELS:
        try:
            out.append({"title": title, "stats": build()})
        except Exception:
            logger.exception("console panel %s failed", title)
            out.append({"title": title, "stats": [], "error": True})
    return out

"""The site's navigation, one list for every role.

Each app adds its entries here; an entry shows for users holding its permission (see
accounts.permissions) and only once its URL exists, so a half-built area never breaks a page.
The dashboard shows the same entries as cards, with their descriptions.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accounts.permissions import user_has_perm


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str
    icon: str = "circle"
    description: str = ""
    # Items sharing a group show as one dropdown in the top bar (a group with one visible item is a plain link).
    group: str = ""


COMPANY = _("My company")
PURCHASING = _("Purchasing")
REVIEW = _("Review")
DEVELOPERS = _("Developers")

NAV: list[NavItem] = [
    NavItem(_("Console"), "console", "console.view", "speedometer2", _("Program figures and queues to work.")),
    NavItem(_("Today's parcels"), "hubs:today", "hubs.operate", "box-seam",
            _("Scan today's parcels and log each delivery, even on a flaky connection.")),
    NavItem(_("Earnings"), "hubs:earnings", "hubs.operate", "cash-coin", _("Weekly statements and payouts.")),
    NavItem(_("Hubs"), "hubs:review_list", "hubs.review", "shop",
            _("Hub enrollments to review; every hub's volume, success rate and earnings."), group=REVIEW),
    NavItem(_("My application"), "onboarding:apply", "onboarding.apply", "pencil-square",
            _("Apply to run a delivery company, follow the review, answer questions."), group=COMPANY),
    NavItem(_("Applications"), "onboarding:review_queue", "onboarding.review", "inboxes",
            _("Review DSP applications: checks, veteran status, decisions."), group=REVIEW),
    NavItem(_("My company"), "onboarding:my_company", "partner.view", "building-check",
            _("Your DSP's details and the onboarding checklist up to the first route."), group=COMPANY),
    NavItem(_("Reimbursement"), "onboarding:reimbursement", "claims.file", "cash-coin",
            _("Veteran start-up costs back, up to the program's cap: file claims, follow them, get paid."),
            group=COMPANY),
    NavItem(_("Claims"), "onboarding:claim_queue", "claims.review", "receipt-cutoff",
            _("Review reimbursement claims (duplicates flagged), export for finance, run payouts."), group=REVIEW),
    NavItem(_("Fleet"), "fleet:dashboard", "fleet.manage", "truck",
            _("Vans, drivers and insurance: what is legal to go out today, and what expires soon.")),
    NavItem(_("Fleet compliance"), "fleet:compliance_overview", "fleet.oversee", "shield-check",
            _("Every partner's vans, drivers and insurance against the program's compliance rules."), group=REVIEW),
    NavItem(_("Catalog"), "procurement:catalog", "orders.place", "bag",
            _("Vans, insurance and supplies at the program's negotiated prices; build a quote."), group=PURCHASING),
    NavItem(_("Orders"), "procurement:order_list", "orders.place", "receipt",
            _("Your program orders: status, deposit, delivery."), group=PURCHASING),
    NavItem(_("Orders"), "procurement:order_queue", "orders.decide", "cart-check",
            _("Program orders to approve, reject and fulfil."), group=REVIEW),
    NavItem(_("Savings"), "procurement:savings", "catalog.view", "piggy-bank",
            _("What the program's negotiated prices saved, by category and month."), group=PURCHASING),
    NavItem(_("Stations"), "routes:station_list", "routes.plan", "geo-alt",
            _("Stations, manifests and each day's route plan with its map; publish plans.")),
    NavItem(_("Planning runs"), "routes:planning_runs", "routes.plan", "clock-history",
            _("The nightly route planning: each station's result and failures.")),
    NavItem(_("Dispatch"), "routes:dispatch", "routes.dispatch", "signpost-split",
            _("Your routes for a day: assign a driver and a van, or auto-assign; your scorecard.")),
    NavItem(_("Live board"), "routes:board", "routes.live", "broadcast-pin",
            _("Today's routes as they run: pace, positions, alerts; move stops to another driver.")),
    NavItem(_("Today's route"), "routes:today", "routes.drive", "geo",
            _("Your stops in order, with directions; mark each delivered or attempted.")),
    NavItem(_("Scorecard"), "performance:scorecard", "performance.view", "graph-up-arrow",
            _("Your weekly scorecard: each metric with its formula, the 12-week trend, each driver, every defect.")),
    NavItem(_("Statements"), "performance:statement_list", "performance.view", "receipt",
            _("What the program pays you each week, line by line; dispute a line; CSV and PDF."), group=COMPANY),
    NavItem(_("Settlement"), "performance:program", "performance.manage", "cash-stack",
            _("Partners' weekly scorecards and statements: compute, issue, resolve disputes, pay; finance CSV."),
            group=REVIEW),
    NavItem(_("Webhooks"), "integrations:webhook_list", "webhooks.manage", "broadcast",
            _("Receive signed event notifications at your URL; see every delivery attempt."), group=DEVELOPERS),
    NavItem(_("API tokens"), "accounts:api_tokens", "account.tokens", "key",
            _("Create and revoke tokens for programs that use the REST API."), group=DEVELOPERS),
]


def nav_for(user) -> list[dict]:
    """The items this user may use, in NAV order, each with its resolved URL."""
    items = []
    for item in NAV:
        if not user_has_perm(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "description": item.description,
                      "group": item.group})
    return items


def nav_bar(items: list[dict]) -> list[dict]:
    """Top-bar entries: ungrouped items as links, grouped ones folded into a dropdown where the group first
    appears (`{"label", "icon", "children"}`); a group with a single item stays a plain link."""
    sizes: dict = {}
    for item in items:
        if item["group"]:
            sizes[item["group"]] = sizes.get(item["group"], 0) + 1
    bar, groups = [], {}
    for item in items:
        group = item["group"]
        if not group or sizes[group] == 1:
            bar.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
        else:
            groups[group] = {"label": group, "icon": item["icon"], "children": [item]}
            bar.append(groups[group])
    return bar

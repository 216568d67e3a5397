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


NAV: list[NavItem] = [
    NavItem(_("Console"), "console", "console.view", "speedometer2", _("Program figures and queues to work.")),
    NavItem(_("API tokens"), "accounts:api_tokens", "account.tokens", "key",
            _("Create and revoke tokens for programs that use the REST API.")),
    NavItem(_("Today's parcels"), "hubs:today", "hubs.operate", "box-seam",
            _("Scan today's parcels and log each delivery, even on a flaky connection.")),
    NavItem(_("Earnings"), "hubs:earnings", "hubs.operate", "cash-coin", _("Weekly statements and payouts.")),
    NavItem(_("Hubs"), "hubs:review_list", "hubs.review", "shop",
            _("Hub enrollments to review; every hub's volume, success rate and earnings.")),
    NavItem(_("My application"), "onboarding:apply", "onboarding.apply", "pencil-square",
            _("Apply to run a delivery company, follow the review, answer questions.")),
    NavItem(_("Applications"), "onboarding:review_queue", "onboarding.review", "inboxes",
            _("Review DSP applications: checks, veteran status, decisions.")),
    NavItem(_("My company"), "onboarding:my_company", "partner.view", "building-check",
            _("Your DSP's details and the onboarding checklist up to the first route.")),
    NavItem(_("Reimbursement"), "onboarding:reimbursement", "claims.file", "cash-coin",
            _("Veteran start-up costs back, up to the program's cap: file claims, follow them, get paid.")),
    NavItem(_("Claims"), "onboarding:claim_queue", "claims.review", "receipt-cutoff",
            _("Review reimbursement claims (duplicates flagged), export for finance, run payouts.")),
    NavItem(_("Fleet"), "fleet:dashboard", "fleet.manage", "truck",
            _("Vans, drivers and insurance: what is legal to go out today, and what expires soon.")),
    NavItem(_("Fleet compliance"), "fleet:compliance_overview", "fleet.oversee", "shield-check",
            _("Every partner's vans, drivers and insurance against the program's compliance rules.")),
    NavItem(_("Catalog"), "fleet:catalog", "orders.place", "bag",
            _("Vans, insurance and supplies at the program's negotiated prices; build a quote.")),
    NavItem(_("Orders"), "fleet:order_list", "orders.place", "receipt",
            _("Your program orders: status, deposit, delivery.")),
    NavItem(_("Orders"), "fleet:order_queue", "orders.decide", "cart-check",
            _("Program orders to approve, reject and fulfil.")),
    NavItem(_("Savings"), "fleet:savings", "catalog.view", "piggy-bank",
            _("What the program's negotiated prices saved, by category and month.")),
    NavItem(_("Webhooks"), "integrations:webhook_list", "webhooks.manage", "broadcast",
            _("Receive signed event notifications at your URL; see every delivery attempt.")),
]


def nav_for(user) -> list[dict]:
    items = []
    for item in NAV:
        if not user_has_perm(user, item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "icon": item.icon, "description": item.description})
    return items

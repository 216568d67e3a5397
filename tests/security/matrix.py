"""The cross-tenant matrix's tables and machinery: which URL parameter names which object, what is skipped, how a
request is made and how "nothing changed" is checked. The test module walks the URL conf with these."""

from dataclasses import dataclass

from django.apps import apps
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
MISSING_ID = "987654321"

# The roles a tenant has. A program admin is no tenant: it sees everything by design.
ROLES = (Role.PARTNER_OWNER, Role.PARTNER_MANAGER, Role.DRIVER, Role.HUB_OWNER, Role.APPLICANT, Role.INTEGRATOR)

# URL patterns that name no tenant's object, with the reason. Everything else must be in TARGETS.
SKIPPED = {
    "account_confirm_email": "allauth: the key is an unguessable signed token, not a tenant's id",
    "account_reset_password_from_key": "allauth: the key is an unguessable signed token, not a tenant's id",
    "procurement:catalog_item": "the program's catalog: every buyer reads every item",
    "procurement-catalog-item": "the program's catalog: every buyer reads every item",
    "track": "a recipient's tracking link: the token is the package id signed with the site's secret, not an id",
    "track_feedback": "a recipient's tracking link: the token is signed, not an id (tests/routes/test_recipients.py)",
    "track_photo": "a recipient's tracking link: the token is signed, not an id (tests/routes/test_recipients.py)",
    "api-tracking": "a recipient's tracking link: the token is signed, not an id (tests/routes/test_recipients.py)",
    "api-tracking-feedback": "a recipient's tracking link: the token is signed, not an id",
}
SKIPPED_ROUTES = {"admin/": "the Django admin: staff only (and MFA), not a tenant surface"}


def _o(kind):
    return lambda world: world.b.objects[kind].pk


def _a(kind):
    return lambda world: world.a.objects[kind].pk


def _program(kind, attr="pk"):
    return lambda world: getattr(world.program[kind], attr)


APPLICATIONS = [{"application_id": _o("application")}, {"application_id": _o("partner_application")}]
API_APPLICATIONS = [{"pk": _o("application")}, {"pk": _o("partner_application")}]
SUBSCRIPTIONS = [{"subscription_id": _o("owner_subscription")}, {"subscription_id": _o("subscription")}]
API_SUBSCRIPTIONS = [{"pk": _o("owner_subscription")}, {"pk": _o("subscription")}]
DELIVERIES = [{"delivery_id": _o("owner_delivery")}, {"delivery_id": _o("delivery")}]
API_DELIVERIES = [{"pk": _o("owner_delivery")}, {"pk": _o("delivery")}]
STATION = [{"code": _program("station", "code")}]

# URL name -> the ways to fill its parameters with tenant B's objects (each a dict kwarg -> world -> value).
# A "mixed" variant puts tenant A's own parent around B's child: the classic nested-object leak.
TARGETS = {
    "accounts:api_token_revoke": [{"token_id": _o("owner_token")}, {"token_id": _o("token")}],
    "onboarding:application": APPLICATIONS,
    "onboarding:application_step": [{**v, "step": lambda w: 1} for v in APPLICATIONS],
    "onboarding:application_review": APPLICATIONS,
    "onboarding:application_submit": APPLICATIONS,
    "onboarding:application_withdraw": APPLICATIONS,
    "onboarding:document_download": [
        {"application_id": _o("application"), "document_id": _o("document")},
        {"application_id": _a("application"), "document_id": _o("document")},
        {"application_id": _a("partner_application"), "document_id": _o("partner_document")},
    ],
    "onboarding:review_detail": APPLICATIONS,
    "onboarding:review_start": APPLICATIONS,
    "onboarding:review_decide": APPLICATIONS,
    "onboarding:review_check": APPLICATIONS,
    "onboarding:review_veteran": APPLICATIONS,
    "onboarding:partner_detail": [{"partner_id": _o("partner")}],
    "onboarding:partner_checklist": [{"partner_id": _o("partner")}],
    "onboarding:claim": [{"claim_id": _o("claim")}, {"claim_id": _o("draft_claim")}],
    "onboarding:claim_decide": [{"claim_id": _o("claim")}],
    "onboarding:claim_retry_payout": [{"claim_id": _o("claim")}],
    "onboarding:claim_receipt": [{"claim_id": _o("claim"), "receipt_id": _o("receipt")},
                                 {"claim_id": _a("claim"), "receipt_id": _o("receipt")}],
    "fleet:vehicle_detail": [{"vehicle_id": _o("vehicle")}],
    "fleet:vehicle_edit": [{"vehicle_id": _o("vehicle")}],
    "fleet:driver_detail": [{"driver_id": _o("driver")}],
    "fleet:driver_edit": [{"driver_id": _o("driver")}],
    "fleet:policy_detail": [{"policy_id": _o("policy")}],
    "fleet:policy_edit": [{"policy_id": _o("policy")}],
    "procurement:order_detail": [{"order_id": _o("order")}],
    "hubs:parcel_photo": [{"pk": _o("delivered_parcel")}],
    "hubs:review_detail": [{"pk": _o("hub")}],
    "routes:plan_detail": STATION,
    "routes:plan_build": STATION,
    "routes:plan_progress": STATION,
    "routes:plan_publish": STATION,
    "routes:manifest_upload": STATION,
    "routes:manifest_import": [{"code": _program("station", "code"), "pk": _program("manifest_upload")}],
    "routes:route_assign": [{"pk": _o("route")}],
    "routes:route_manifest": [{"pk": _o("route")}],
    "routes:stop_outcome": [{"pk": _o("pending_stop")}],
    "routes:stop_photo": [{"pk": _o("stop")}],
    "routes:route_live": [{"pk": _o("route")}],
    "routes:route_rescue": [{"pk": _o("route")}],
    "routes:route_callout": [{"pk": _o("route")}],
    "integrations:webhook_detail": SUBSCRIPTIONS,
    "integrations:webhook_rotate": SUBSCRIPTIONS,
    "integrations:webhook_active": SUBSCRIPTIONS,
    "integrations:webhook_delete": SUBSCRIPTIONS,
    "integrations:webhook_redeliver": DELIVERIES,
    "performance:statement_detail": [{"pk": _o("statement")}],
    "performance:statement_csv": [{"pk": _o("statement")}],
    "performance:statement_pdf": [{"pk": _o("statement")}],
    "performance:statement_dispute": [{"pk": _o("statement")}],
    "performance:statement_approve": [{"pk": _o("statement")}],
    "performance:statement_pay": [{"pk": _o("statement")}],
    "performance:dispute_file": [{"pk": _o("dispute")}],
    "performance:dispute_resolve": [{"pk": _o("dispute")}],
    "performance:week_detail": [{"pk": _program("settlement_week")}],
    "performance:week_progress": [{"pk": _program("settlement_week")}],
    "performance:week_issue": [{"pk": _program("settlement_week")}],
    "performance:week_pay": [{"pk": _program("settlement_week")}],
    # REST
    "api-token-detail": [{"pk": _o("owner_token")}, {"pk": _o("token")}],
    "api-token-revoke": [{"pk": _o("owner_token")}, {"pk": _o("token")}],
    "api-application-document-download": [
        {"application_pk": _o("application"), "pk": _o("document")},
        {"application_pk": _a("application"), "pk": _o("document")},
        {"application_pk": _a("partner_application"), "pk": _o("partner_document")},
    ],
    "api-application-detail": API_APPLICATIONS,
    "api-application-checks": API_APPLICATIONS,
    "api-application-decide": API_APPLICATIONS,
    "api-application-documents": API_APPLICATIONS,
    "api-application-history": API_APPLICATIONS,
    "api-application-start-review": API_APPLICATIONS,
    "api-application-submit": API_APPLICATIONS,
    "api-application-verify-veteran": API_APPLICATIONS,
    "api-application-withdraw": API_APPLICATIONS,
    "api-partner-detail": [{"pk": _o("partner")}],
    "api-claim-detail": [{"pk": _o("claim")}, {"pk": _o("draft_claim")}],
    "api-claim-decide": [{"pk": _o("claim")}],
    "api-claim-receipt-download": [{"pk": _o("claim"), "receipt_id": _o("receipt")},
                                   {"pk": _a("claim"), "receipt_id": _o("receipt")}],
    "api-claim-receipts": [{"pk": _o("claim")}, {"pk": _o("draft_claim")}],
    "api-claim-retry-payout": [{"pk": _o("claim")}],
    "api-claim-submit": [{"pk": _o("draft_claim")}],
    "fleet-vehicle-detail": [{"pk": _o("vehicle")}],
    "fleet-vehicle-odometer": [{"pk": _o("vehicle")}],
    "fleet-vehicle-transition": [{"pk": _o("vehicle")}],
    "fleet-driver-detail": [{"pk": _o("driver")}],
    "fleet-driver-invite": [{"pk": _o("driver")}],
    "fleet-driver-transition": [{"pk": _o("driver")}],
    "fleet-policy-detail": [{"pk": _o("policy")}],
    "procurement-quote-line": [{"line_id": _o("quote_line")}],
    "procurement-order": [{"order_id": _o("order")}],
    "procurement-order-cancel": [{"order_id": _o("order")}],
    "procurement-order-deposit": [{"order_id": _o("order")}],
    "procurement-order-approve": [{"order_id": _o("order")}],
    "procurement-order-reject": [{"order_id": _o("order")}],
    "procurement-order-fulfil": [{"order_id": _o("order")}],
    "api-hub-parcel": [{"pk": _o("parcel")}],
    "api-hub-parcel-outcome": [{"pk": _o("parcel")}],
    "api-hub-statement": [{"pk": _o("statement")}],
    "api-hub-admin-decide": [{"pk": _o("hub")}],
    "api-route-manifests": STATION,
    "api-route-station-plans": STATION,
    "api-route-station-detail": STATION,
    "api-route-plan": [{"pk": _program("plan")}, {"pk": _program("draft_plan")}],
    "api-route-plan-publish": [{"pk": _program("draft_plan")}],
    "api-route-detail": [{"pk": _o("route")}],
    "api-route-job": [{"pk": _o("job")}],
    "api-route-assignment": [{"pk": _o("route")}],
    "api-route-stop-outcome": [{"pk": _o("pending_stop")}],
    "api-route-positions": [{"pk": _o("route")}],
    "api-route-track": [{"pk": _o("route")}],
    "api-route-rescue": [{"pk": _o("route")}],
    "api-route-reassign": [{"pk": _o("route")}],
    "api-performance-scorecard": [{"pk": _o("scorecard")}],
    "api-performance-statement": [{"pk": _o("statement")}],
    "api-performance-statement-dispute": [{"pk": _o("statement")}],
    "api-performance-dispute-resolve": [{"pk": _o("dispute")}],
    "api-webhook-subscription-detail": API_SUBSCRIPTIONS,
    "api-webhook-subscription-rotate": API_SUBSCRIPTIONS,
    "api-webhook-delivery-detail": API_DELIVERIES,
    "api-webhook-delivery-redeliver": API_DELIVERIES,
}

# (URL name prefix, role) pairs where the role reaches every tenant's object by design, so tenant B's id is not
# "another tenant's" for it: integrators plan routes program-wide (routes.plan) and post background-check results
# for any submitted application (onboarding.checks).
PROGRAM_WIDE = {
    ("routes:", Role.INTEGRATOR), ("api-route-", Role.INTEGRATOR), ("api-application-checks", Role.INTEGRATOR),
}

# One body for every write: fields the views read, so a view that forgot its tenancy check would act.
WRITE_BODY = {
    "to": "inactive", "note": "cross-tenant", "reason": "cross-tenant", "decision": "approve", "plate": "HACK01",
    "status": "clear", "kind": "criminal", "outcome": "delivered", "client_id": "7c9e6679-7425-40de-944b-e07fc1f77de9",
    "active": "false", "url": "http://127.0.0.1:9/evil", "miles": 99999, "driver": "", "vehicle": "",
    "training_done": "on", "ein": "98-7654321", "approved_amount": "1.00", "veteran_status": "verified",
    "quantity": 9, "legal_name": "Taken over", "first_name": "Taken", "action": "save",
}


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    callback: object

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    def allowed_methods(self):
        """What the view declares; None for a function view (probe every method, a 405 means not allowed)."""
        actions = getattr(self.callback, "actions", None)
        if actions:
            return [m.upper() for m in actions if m.upper() in METHODS]
        cls = getattr(self.callback, "view_class", None) or getattr(self.callback, "cls", None)
        if cls is not None:
            return [m for m in METHODS if hasattr(cls, m.lower())]
        return None


def _walk(patterns, namespace=None, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}:{p.namespace}" if namespace and p.namespace else (p.namespace or namespace)
            yield from _walk(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            name = f"{namespace}:{p.name}" if namespace and p.name else p.name
            yield Endpoint(name=name or "", route=prefix + str(p.pattern), callback=p.callback)


def object_endpoints():
    """Every URL pattern that takes a parameter, from the URL resolver (HTML and API alike)."""
    seen, found = set(), []
    for endpoint in _walk(get_resolver().url_patterns):
        if "<" not in endpoint.route and "(?P" not in endpoint.route:
            continue
        if endpoint.name in seen and not endpoint.route.startswith(tuple(SKIPPED_ROUTES)):
            continue
        seen.add(endpoint.name)
        found.append(endpoint)
    return found


def skip_reason(endpoint) -> str | None:
    if endpoint.name in SKIPPED:
        return SKIPPED[endpoint.name]
    for prefix, reason in SKIPPED_ROUTES.items():
        if endpoint.route.startswith(prefix):
            return reason
    return None


def program_wide(endpoint, role) -> bool:
    return any(endpoint.name.startswith(prefix) and role == r for prefix, r in PROGRAM_WIDE)


# --- "nothing changed": one fingerprint per table, read in one query ---------------------------------------------

VOLATILE = {("accounts_apitoken", "last_used_at"), ("accounts_user", "last_login")}
UNTRACKED_TABLES = {"django_session"}


def _fingerprint_sql() -> tuple[list[str], str]:
    tables, parts = [], []
    qn = connection.ops.quote_name
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if model._meta.proxy or not model._meta.managed or table in UNTRACKED_TABLES or table in tables:
            continue
        columns = [f.column for f in model._meta.concrete_fields if (table, f.column) not in VOLATILE]
        row = "ROW(" + ", ".join(f"t.{qn(c)}" for c in columns) + ")::text"
        pk = f"t.{qn(model._meta.pk.column)}"
        parts.append(f"(SELECT md5(coalesce(string_agg(md5({row}), '' ORDER BY {pk}::text), '')) FROM {qn(table)} t)")
        tables.append(table)
    return tables, "SELECT " + ", ".join(parts)


_SQL = {}


def fingerprint() -> dict[str, str]:
    """table -> hash of every row (PostgreSQL, like the rest of the suite)."""
    if "q" not in _SQL:
        _SQL["q"] = _fingerprint_sql()
    tables, sql = _SQL["q"]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return dict(zip(tables, row, strict=True))


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before if before[t] != after[t])

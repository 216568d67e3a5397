"""Permission names, and the one place that says which role holds which.

Views name the permission they need (`permission_required = "onboarding.review"`); HTML views use
`PermissionRequiredMixin`, REST views `HasPortalPermission`. Nobody writes `if user.role == ...`
in a view body. API tokens are further limited by scopes, per area: `<area>:read`/`<area>:write`,
plus `tokens:write`, without which a token cannot create tokens. With REQUIRE_ADMIN_MFA on, a program
admin (or staff user) without TOTP may only set it up: pages redirect (accounts.middleware), the API
answers 403 `mfa_required` to their browser session, and no token is minted by them or for them.
"""

from django.conf import settings
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import permissions

from accounts.models import Role

A = Role

# Permission name -> roles holding it.
PERMISSIONS: dict[str, set[str]] = {
    "account.tokens": {r.value for r in Role},
    "tokens.issue": {A.PROGRAM_ADMIN},
    "console.view": {A.PROGRAM_ADMIN},
    # onboarding
    "onboarding.apply": {A.APPLICANT, A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "onboarding.review": {A.PROGRAM_ADMIN},
    "onboarding.checks": {A.PROGRAM_ADMIN, A.INTEGRATOR},
    "partner.view": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "partner.manage": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    # reimbursement
    "claims.file": {A.PARTNER_OWNER},
    "claims.review": {A.PROGRAM_ADMIN},
    # fleet and procurement
    "fleet.manage": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "fleet.oversee": {A.PROGRAM_ADMIN},
    "catalog.view": {A.PARTNER_OWNER, A.PARTNER_MANAGER, A.PROGRAM_ADMIN},
    "catalog.manage": {A.PROGRAM_ADMIN},
    "orders.place": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "orders.decide": {A.PROGRAM_ADMIN},
    # hubs
    "hubs.operate": {A.HUB_OWNER},
    "hubs.enroll": {A.APPLICANT, A.HUB_OWNER},
    "hubs.review": {A.PROGRAM_ADMIN},
    "hubs.allocate": {A.PROGRAM_ADMIN, A.INTEGRATOR},
    # routes
    "routes.plan": {A.PROGRAM_ADMIN, A.INTEGRATOR},
    "routes.dispatch": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "routes.drive": {A.DRIVER},
    "routes.events": {A.INTEGRATOR, A.PROGRAM_ADMIN, A.DRIVER},
    "routes.live": {A.PROGRAM_ADMIN, A.PARTNER_OWNER, A.PARTNER_MANAGER},
    # integrations
    "webhooks.manage": {A.INTEGRATOR, A.PROGRAM_ADMIN, A.PARTNER_OWNER},
    # performance: the partner's scorecards and statements; the program scores, settles and pays
    "performance.view": {A.PARTNER_OWNER, A.PARTNER_MANAGER},
    "performance.read": {A.PARTNER_OWNER, A.PARTNER_MANAGER, A.PROGRAM_ADMIN},
    "performance.dispute": {A.PARTNER_OWNER},
    "performance.manage": {A.PROGRAM_ADMIN},
}

# Token scope areas; a token holds `<area>:read` and/or `<area>:write`.
SCOPE_AREAS = ["account", "onboarding", "claims", "fleet", "procurement", "hubs", "routes", "webhooks", "performance"]
# A token may create tokens only with this scope (and then none wider or longer-lived than itself).
TOKENS_MINT_SCOPE = "tokens:write"
ALL_SCOPES = [*(f"{area}:{level}" for area in SCOPE_AREAS for level in ("read", "write")), TOKENS_MINT_SCOPE]

# The scope area each permission belongs to: by its prefix, except these.
_PREFIX_AREAS = {"tokens": "account", "console": "account", "partner": "onboarding", "catalog": "procurement",
                 "orders": "procurement"}


def permission_area(name: str) -> str:
    prefix = name.split(".", 1)[0]
    return _PREFIX_AREAS.get(prefix, prefix)


assert all(permission_area(p) in SCOPE_AREAS for p in PERMISSIONS), "every permission needs a scope area"


def role_areas(role: str) -> set[str]:
    """The scope areas a role works in: those where it holds at least one permission."""
    return {permission_area(name) for name, roles in PERMISSIONS.items() if role in roles}


# Webhooks (integrations): which permission makes a role a reader of its own objects, per audience kind
# (core.audience). A partner member reads their partner's objects, a hub owner their hub's, an applicant
# their application; each also only in the areas the role works in (partner managers never see claims).
AUDIENCE_KIND_PERMISSIONS = {"partner": "partner.view", "hub": "hubs.operate", "applicant": "onboarding.apply"}


def role_reads_audience_kind(role: str, kind: str) -> bool:
    return role in PERMISSIONS[AUDIENCE_KIND_PERMISSIONS[kind]]


def webhook_scopes_allowed(role: str) -> list[str]:
    """The read scopes a webhook subscription of this role may carry: integrators receive program-wide
    events of an area only with its read scope, limited to the areas their role works in. Other roles
    take none (program admins receive everything; tenants receive what is theirs)."""
    if role != A.INTEGRATOR:
        return []
    return [f"{area}:read" for area in SCOPE_AREAS if area in role_areas(role)]


def user_has_perm(user, name: str) -> bool:
    if name not in PERMISSIONS:
        raise KeyError(f"Unknown portal permission {name!r}: add it to accounts.permissions.PERMISSIONS")
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    # Purely by role: a Django superuser who is not a program admin gets the Django admin, not the portal's powers.
    return user.role in PERMISSIONS[name]


def mfa_setup_pending(user) -> bool:
    """True when REQUIRE_ADMIN_MFA holds this account to setting up TOTP before anything else."""
    if not settings.REQUIRE_ADMIN_MFA or user is None or not user.is_authenticated:
        return False
    if not (user.is_program_admin or user.is_staff):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_setup_message() -> str:
    return _("Program admins must turn on two-factor authentication first: set it up at %(url)s.") % {
        "url": reverse("mfa_activate_totp")}


class PermissionRequiredMixin(AccessMixin):
    """HTML views: `permission_required = "name"`. Signed-out users go to login, others get 403."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not user_has_perm(request.user, self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def permission_required(name):
    """The same check for function views."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_has_perm(request.user, name):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class HasPortalPermission(permissions.BasePermission):
    """REST views: `permission_required = "name"` or `{"GET": "a", "POST": "b", "*": "c"}`."""

    def has_permission(self, request, view):
        needed = getattr(view, "permission_required", None)
        if isinstance(needed, dict):
            needed = needed.get(request.method, needed.get("*"))
        if not needed:
            return True
        return user_has_perm(request.user, needed)


class AdminMfaSetUp(permissions.BasePermission):
    """A browser session of an admin without TOTP gets 403 `mfa_required` from the API, as pages redirect it.

    Token requests pass: no token is minted by or for such an account while the rule is on, and a token's own use
    follows the rule it was issued under (tokens from before the rule keep working until revoked)."""

    code = "mfa_required"

    def has_permission(self, request, view):
        if hasattr(request.auth, "has_scope") or not mfa_setup_pending(request.user):
            return True
        self.message = mfa_setup_message()
        return False


class HasTokenScope(permissions.BasePermission):
    """Token requests need the view's `api_area` scope: read for safe methods, write otherwise.

    Browser sessions are not limited by scopes (the role permissions still apply)."""

    message = "This API token does not have the scope this request needs."

    def has_permission(self, request, view):
        token = request.auth
        if not hasattr(token, "has_scope"):
            return True
        area = getattr(view, "api_area", "account")
        level = "read" if request.method in permissions.SAFE_METHODS else "write"
        if token.has_scope(f"{area}:{level}"):
            return True
        self.message = f"This API token lacks the “{area}:{level}” scope."
        return False

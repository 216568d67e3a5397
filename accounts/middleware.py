from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.permissions import mfa_setup_pending

# Paths a program admin may use before setting up TOTP (to set it up, or leave). The API answers its own 403
# (accounts.permissions.AdminMfaSetUp) rather than a redirect.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/api/")


class AdminMfaMiddleware:
    """With REQUIRE_ADMIN_MFA on, a program admin (or any staff user) without TOTP is sent to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if not request.path.startswith(_ALLOWED_PREFIXES) and mfa_setup_pending(user):
            messages.warning(request, _("Program admins must turn on two-factor authentication first."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


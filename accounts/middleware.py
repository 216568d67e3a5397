from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

# Paths a program admin may use before setting up TOTP (to set it up, or leave).
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/api/")


class AdminMfaMiddleware:
    """With REQUIRE_ADMIN_MFA on, a program admin (or any staff user) without TOTP is sent to set it up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_ADMIN_MFA
            and user is not None
            and user.is_authenticated
            and (user.is_program_admin or user.is_staff)
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not _has_totp(user)
        ):
            messages.warning(request, _("Program admins must turn on two-factor authentication first."))
            return redirect("mfa_activate_totp")
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

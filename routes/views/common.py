"""Helpers the routes pages share."""

from django.http import Http404

from core.errors import NotFound
from onboarding.selectors import partner_for_user


def or_404(fn, **kwargs):
    """Call a selector that raises NotFound; answer an HTML 404 instead."""
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def partner_or_404(request):
    """The signed-in user's partner; 404 for a user who belongs to none."""
    partner = partner_for_user(user=request.user)
    if partner is None:
        raise Http404
    return partner


def hms(seconds) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"

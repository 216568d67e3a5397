"""Throttles that tell the client its remaining quota (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]).

Kept apart from core.api: DRF's APIView reads the throttle classes while rest_framework.views is
being imported, and core.api imports that module."""

from rest_framework import throttling


class _QuotaHeadersMixin:
    """Adds `X-RateLimit-Limit` / `X-RateLimit-Remaining` to every throttled view's response.

    DRF copies `view.headers` onto the response (errors included), so the throttle writes there.
    With several throttles the tightest remaining quota wins. 429 + Retry-After stay DRF's."""

    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if self.rate is None or getattr(self, "key", None) is None:
            return allowed
        remaining = max(self.num_requests - len(self.history), 0)
        headers = getattr(view, "headers", None)
        if headers is None:
            return allowed
        current = headers.get("X-RateLimit-Remaining")
        if current is None or remaining < int(current):
            headers["X-RateLimit-Limit"] = str(self.num_requests)
            headers["X-RateLimit-Remaining"] = str(remaining)
        return allowed


class AnonRateThrottle(_QuotaHeadersMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_QuotaHeadersMixin, throttling.UserRateThrottle):
    pass

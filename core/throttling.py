"""Throttles that tell the client its remaining quota (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]).

Kept apart from core.api: DRF's APIView reads the throttle classes while rest_framework.views is
being imported, and core.api imports that module.

A fixed window counted in the cache, not DRF's sliding history: DRF reads and rewrites the whole list of
timestamps (up to the rate, 1,200 for a user) on every request, two round trips and a pickle of the list.
Here a request costs one round trip to Redis (INCR and EXPIRE sent together on a connection the thread keeps); a
client may at most burst twice its rate across a window's edge, which is what a rate limit is for (stopping floods),
not accounting."""

import time

from django.core.cache import cache
from rest_framework import throttling

from core import cache as fail_open


def _hit(key: str, seconds: int) -> int:
    """Count one request in the window `key` (which expires after `seconds`) and return the count so far."""
    full = cache.make_and_validate_key(key)
    try:
        answers = fail_open.redis_commands([("INCR", full), ("EXPIRE", full, seconds + 1, "NX")])
    except fail_open.UNREACHABLE as exc:  # fail open, like every other cache call (one outage log, core.cache)
        fail_open.outage.failed("throttle", exc)
        return 0
    if answers is not None:
        fail_open.outage.succeeded()
        return int(answers[0])
    cache.add(key, 0, seconds + 1)  # the embedded default's local memory: no round trip to save
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, seconds + 1)
        return 1


class _WindowQuotaMixin:
    """One counter per client and window; adds `X-RateLimit-Limit` / `X-RateLimit-Remaining` to the response.

    DRF copies `view.headers` onto the response (errors included), so the throttle writes there.
    With several throttles the tightest remaining quota wins. 429 + Retry-After stay DRF's."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        self.window_ends = (window + 1) * self.duration
        count = _hit(f"{self.key}:{window}", self.duration)
        remaining = max(self.num_requests - count, 0)
        headers = getattr(view, "headers", None)
        if headers is not None:
            current = headers.get("X-RateLimit-Remaining")
            if current is None or remaining < int(current):
                headers["X-RateLimit-Limit"] = str(self.num_requests)
                headers["X-RateLimit-Remaining"] = str(remaining)
        return count <= self.num_requests

    def wait(self):
        return max(self.window_ends - time.time(), 1.0)


class AnonRateThrottle(_WindowQuotaMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_WindowQuotaMixin, throttling.UserRateThrottle):
    pass

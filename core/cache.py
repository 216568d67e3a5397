"""A Redis cache that fails open: with Redis unreachable every read is a miss and every write is dropped.

What lives in the cache here is rate-limit history (DRF throttles, allauth's login limits), the readiness probe's
key and short-lived page scratch; none of it is worth a 500. So a dead Redis makes rate limits fail open (nobody
is throttled until it returns) instead of failing every login and every API call. Sessions are in the database
(Django's default SESSION_ENGINE), never here.

The outage is logged as one WARNING when it starts, then at most once a minute while it lasts (with how many calls
failed meanwhile), and one INFO line when Redis answers again. /readyz still reports the cache as down: its
write-then-read check gets a miss back.

Set small socket timeouts in OPTIONS (settings do) so a dead Redis costs milliseconds, not seconds."""

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
WARN_EVERY_SECONDS = 60.0


class _Outage:
    """Remembers whether the cache is down, so an outage is one log line a minute, not one per request."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since: float | None = None
        self.last_warned = 0.0
        self.suppressed = 0

    def failed(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        with self._lock:
            first = self.down_since is None
            if first:
                self.down_since = now
            if not first and now - self.last_warned < WARN_EVERY_SECONDS:
                self.suppressed += 1
                return
            suppressed, self.suppressed, self.last_warned = self.suppressed, 0, now
        logger.warning("Cache unreachable (%s: %s); rate limits fail open until it is back%s", operation,
                       exc.__class__.__name__, f" ({suppressed} more failed calls)" if suppressed else "")

    def succeeded(self) -> None:
        if self.down_since is None:  # the common case: no lock taken
            return
        with self._lock:
            if self.down_since is None:
                return
            seconds, self.down_since, self.suppressed = time.monotonic() - self.down_since, None, 0
        logger.info("Cache reachable again after %.0f s", seconds)


outage = _Outage()


def _fail_open(miss):
    """Run the cache call; on a connection error log (see `_Outage`) and return `miss(*args, **kwargs)`."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                outage.failed(method.__name__, exc)
                return miss(*args, **kwargs)
            outage.succeeded()
            return result

        return wrapper

    return decorate


def _incr_miss(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found")  # what incr says about a missing key


class FailOpenRedisCache(RedisCache):
    """`django.core.cache.backends.redis.RedisCache` whose calls never raise for an unreachable Redis."""

    add = _fail_open(lambda *a, **kw: True)(RedisCache.add)  # the key was absent: allauth's lock is "taken"
    get = _fail_open(lambda key, default=None, *a, **kw: default)(RedisCache.get)
    set = _fail_open(lambda *a, **kw: None)(RedisCache.set)
    touch = _fail_open(lambda *a, **kw: False)(RedisCache.touch)
    delete = _fail_open(lambda *a, **kw: False)(RedisCache.delete)
    get_many = _fail_open(lambda *a, **kw: {})(RedisCache.get_many)
    has_key = _fail_open(lambda *a, **kw: False)(RedisCache.has_key)
    incr = _fail_open(_incr_miss)(RedisCache.incr)
    set_many = _fail_open(lambda *a, **kw: [])(RedisCache.set_many)
    delete_many = _fail_open(lambda *a, **kw: None)(RedisCache.delete_many)
    clear = _fail_open(lambda *a, **kw: False)(RedisCache.clear)

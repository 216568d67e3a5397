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
import os
import threading
import time

from django.core.cache import cache
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


# --- hot paths: commands on a connection each thread keeps ---------------------------------------------------------

class _KeptConnection:
    """A connection to the cache's Redis server kept by one thread, for the commands of every request (the
    throttle's count, a batch's dispatch flag): commands written together, every answer read. Borrowing a
    connection from redis-py's pool and giving it back (and the pipeline object around it) cost a request three
    times the round trip itself (measured: 115 against 40 us of CPU). Made with the pool's own connection class and
    settings (address, timeouts); a connection that fails is dropped and the next call connects again."""

    def __init__(self, pool):
        self.pool, self.pid, self.connection = pool, os.getpid(), None

    def run(self, commands: list[tuple]) -> list:
        connection = self.connection
        if connection is None:
            connection = self.connection = self.pool.connection_class(**self.pool.connection_kwargs)
        try:
            connection.send_packed_command(connection.pack_commands(commands), check_health=False)
            return [connection.read_response() for _ in commands]
        except BaseException:
            self.connection = None
            connection.disconnect()
            raise


_local = threading.local()


def _kept(client) -> _KeptConnection:
    """This thread's connection for the cache connection `client` (a new one after a fork or a settings change)."""
    pool = getattr(client, "_kept_pool", None)
    if pool is None:  # the write server's pool, looked up once per cache connection
        pool = client._kept_pool = client.get_client(None, write=True).connection_pool
    kept = getattr(_local, "kept", None)
    if kept is None or kept.pool is not pool or kept.pid != os.getpid():
        kept = _local.kept = _KeptConnection(pool)
    return kept


def redis_commands(commands) -> list | None:
    """Run `commands` (tuples like `("INCR", key)`, keys already made with `cache.make_and_validate_key`) on the
    default cache's Redis in one round trip and return their answers; None when the cache is not Redis (the
    embedded default's local memory: the caller uses the cache's own methods). Raises `UNREACHABLE` errors."""
    client = getattr(cache, "_cache", None)
    if not hasattr(client, "get_client"):
        return None
    return _kept(client).run(list(commands))


def add_flag(key: str, seconds: int) -> bool:
    """`cache.add(key, 1, seconds)` for a path that runs it every request: True when the key was absent (and is now
    set). Fails open as `FailOpenRedisCache.add` does (True, one outage log)."""
    try:
        answers = redis_commands([("SET", cache.make_and_validate_key(key), 1, "EX", seconds, "NX")])
    except UNREACHABLE as exc:
        outage.failed("add", exc)
        return True
    if answers is None:
        return cache.add(key, 1, seconds)
    outage.succeeded()
    return answers[0] is not None


def raw_get_many(keys: list[str]) -> list | None:
    """The bytes kept under `keys` by `raw_set_many` (None where there are none), in one round trip on the thread's
    kept connection; None when the cache is not Redis (the caller does without) or does not answer (fails open, as
    misses, with one outage log). Raw bytes, not pickled: for a hot path's text that only its own code reads."""
    try:
        answers = redis_commands([("MGET", *(cache.make_and_validate_key(k) for k in keys))])
    except UNREACHABLE as exc:
        outage.failed("get_many", exc)
        return None
    if answers is None:
        return None
    outage.succeeded()
    return answers[0]


def raw_set_many(values: dict[str, bytes], seconds: int) -> None:
    """Keep each of `values` under its key for `seconds`, in one round trip; dropped when the cache is not Redis or
    does not answer."""
    if not values:
        return
    try:
        redis_commands([("SET", cache.make_and_validate_key(k), v, "EX", seconds) for k, v in values.items()])
    except UNREACHABLE as exc:
        outage.failed("set_many", exc)

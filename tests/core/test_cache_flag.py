"""`core.cache.add_flag`: `cache.add(key, 1, seconds)` on the thread's kept Redis connection (the cache's key
prefix and version, an expiry), and the cache's own `add` where the cache is not Redis."""

import pytest
from django.core.cache import cache

from core.cache import add_flag, redis_commands


def test_a_flag_is_set_once_until_deleted_under_the_caches_own_key():
    assert add_flag("flag:a", 30) is True
    assert add_flag("flag:a", 30) is False
    assert cache.get("flag:a") == 1  # the same key the cache's methods use
    [ttl] = redis_commands([("TTL", cache.make_and_validate_key("flag:a"))])
    assert 0 < ttl <= 30
    cache.delete("flag:a")
    assert add_flag("flag:a", 30) is True


def test_without_redis_the_caches_own_add_answers(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert redis_commands([("PING",)]) is None
    assert add_flag("flag:b", 30) is True
    assert add_flag("flag:b", 30) is False


@pytest.fixture(autouse=True)
def _fresh_flags():
    cache.delete_many(["flag:a", "flag:b"])

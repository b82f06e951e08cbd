"""A Redis cache that fails open: Redis being down is a cache miss, not a server error.

What lives in the cache is rebuildable or advisory: throttling counters, page-count totals, the
reviewer dashboard's numbers. With `CACHE_URL=redis://...` (shared counters between workers,
see docs/production.md) Django's own Redis backend would turn a Redis outage into a 500 on every
API request, since the throttle reads the cache first. This one logs the outage (at most once a
minute per process) and carries on: reads miss, writes are dropped, throttling is off until
Redis is back. Short socket timeouts keep an unreachable Redis from stalling requests.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
# Any Redis failure: down, timed out, and also a read-only replica after a failover or an
# out-of-memory refusal (both ResponseErrors), which would otherwise be a 500 per request.
OUTAGE = (RedisError,)
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
_last_warning = 0.0


def _outage(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("cache unavailable, serving without it: %s", error)


def _fail_open(method, fallback):
    """`method`, answering `fallback(*args)` instead of raising when Redis is unreachable."""

    @functools.wraps(method)
    def call(self, *args):
        try:
            return method(self, *args)
        except OUTAGE as error:
            _outage(error)
            return fallback(*args)

    return call


def _missing_key(key, delta):
    raise ValueError(f"Key '{key}' not found (cache unavailable)")


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **{**SOCKET_TIMEOUTS, **options})

    # Reads miss, writes are dropped, and what they return says so.
    get = _fail_open(RedisCacheClient.get, lambda key, default: default)
    get_many = _fail_open(RedisCacheClient.get_many, lambda keys: {})
    has_key = _fail_open(RedisCacheClient.has_key, lambda key: False)
    add = _fail_open(RedisCacheClient.add, lambda key, value, timeout: False)
    set = _fail_open(RedisCacheClient.set, lambda key, value, timeout: None)
    set_many = _fail_open(RedisCacheClient.set_many, lambda data, timeout: list(data))
    touch = _fail_open(RedisCacheClient.touch, lambda key, timeout: False)
    delete = _fail_open(RedisCacheClient.delete, lambda key: False)
    delete_many = _fail_open(RedisCacheClient.delete_many, lambda keys: None)
    incr = _fail_open(RedisCacheClient.incr, _missing_key)
    clear = _fail_open(RedisCacheClient.clear, lambda: False)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient

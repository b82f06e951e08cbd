"""A Redis cache that fails open: Redis being down is a cache miss, not a server error.

What lives in the cache is rebuildable or advisory: throttling counters, page-count totals, the
reviewer dashboard's numbers. With `CACHE_URL=redis://...` (shared counters between workers,
see docs/production.md) Django's own Redis backend would turn a Redis outage into a 500 on every
API request, since the throttle reads the cache first. This one logs the outage (at most once a
minute per process) and carries on: reads miss, writes are dropped, throttling is off until
Redis is back. Short socket timeouts keep an unreachable Redis from stalling requests.
"""

import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
OUTAGE = (RedisConnectionError, RedisTimeoutError)
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.5}
_last_warning = 0.0


def _outage(error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 60:
        _last_warning = now
        logger.warning("cache unavailable, serving without it: %s", error)


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, **options):
        super().__init__(servers, **{**SOCKET_TIMEOUTS, **options})

    def get(self, key, default):
        try:
            return super().get(key, default)
        except OUTAGE as error:
            _outage(error)
            return default

    def get_many(self, keys):
        try:
            return super().get_many(keys)
        except OUTAGE as error:
            _outage(error)
            return {}

    def has_key(self, key):
        try:
            return super().has_key(key)
        except OUTAGE as error:
            _outage(error)
            return False

    def add(self, key, value, timeout):
        try:
            return super().add(key, value, timeout)
        except OUTAGE as error:
            _outage(error)
            return False

    def set(self, key, value, timeout):
        try:
            super().set(key, value, timeout)
        except OUTAGE as error:
            _outage(error)

    def set_many(self, data, timeout):
        try:
            return super().set_many(data, timeout)
        except OUTAGE as error:
            _outage(error)
            return list(data)

    def touch(self, key, timeout):
        try:
            return super().touch(key, timeout)
        except OUTAGE as error:
            _outage(error)
            return False

    def delete(self, key):
        try:
            return super().delete(key)
        except OUTAGE as error:
            _outage(error)
            return False

    def delete_many(self, keys):
        try:
            super().delete_many(keys)
        except OUTAGE as error:
            _outage(error)

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except OUTAGE as error:
            _outage(error)
            raise ValueError(f"Key '{key}' not found (cache unavailable)") from error

    def clear(self):
        try:
            return super().clear()
        except OUTAGE as error:
            _outage(error)
            return False


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient

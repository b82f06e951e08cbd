"""alliance.cache.FailOpenRedisCache: Redis down is a cache miss, Redis up is a cache."""

import os

import pytest

from alliance.cache import FailOpenRedisCache
from tests.faults.processes import free_port


def _cache(url: str) -> FailOpenRedisCache:
    return FailOpenRedisCache(url, {"TIMEOUT": 60})


def test_with_nothing_listening_reads_miss_and_writes_are_dropped(caplog):
    cache = _cache(f"redis://127.0.0.1:{free_port()}/0")
    assert cache.get("k", "default") == "default"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["k"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    with pytest.raises(ValueError):
        cache.incr("k")
    assert "cache unavailable" in caplog.text


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL (CI sets it)")
def test_with_redis_up_it_is_a_cache():
    cache = _cache(os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0] + "/6")
    cache.set("alliance-test-key", {"n": 1}, 30)
    assert cache.get("alliance-test-key") == {"n": 1}
    assert cache.add("alliance-test-key", 2) is False
    cache.delete("alliance-test-key")
    assert cache.get("alliance-test-key") is None


def test_a_redis_that_refuses_writes_is_a_miss_too():
    """Out of memory with noeviction (or a read-only replica after a failover): Redis answers
    with an error rather than going away; writes are dropped and reads still work."""
    from tests.faults.processes import redis_server

    with redis_server() as server:
        client = server.client()
        client.set("alliance-test-key", b"kept")
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", "1")
        cache = _cache(server.url)
        cache.set("another", 1)  # OOM command not allowed: dropped, no exception
        assert cache.add("another", 1) is False
        assert cache.get("another") is None

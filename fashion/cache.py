"""A Redis cache that degrades to "miss" when Redis is down or slow, instead of failing the request.

What that means for its users: throttles count nothing while Redis is away (requests are let through, and a warning
is logged), cached values are recomputed. Short socket timeouts (settings) bound how long a hung Redis can hold a
request. Throttling resumes by itself when Redis answers again.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from functools import wraps

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
_last_warning = 0.0


def _warn(operation: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > 10:  # at most one line per 10 s per process while Redis is away
        _last_warning = now
        logger.warning("cache unavailable (%s: %s); serving without it", operation, exc)


def _degrade(method, fallback):
    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            _warn(method.__name__, exc)
            return fallback(*args, **kwargs)

    return wrapper


class ResilientRedisCache(RedisCache):
    get = _degrade(RedisCache.get, lambda key, default=None, version=None: default)
    set = _degrade(RedisCache.set, lambda *a, **k: None)
    add = _degrade(RedisCache.add, lambda *a, **k: False)
    touch = _degrade(RedisCache.touch, lambda *a, **k: False)
    delete = _degrade(RedisCache.delete, lambda *a, **k: False)
    get_many = _degrade(RedisCache.get_many, lambda *a, **k: {})
    set_many = _degrade(RedisCache.set_many, lambda *a, **k: [])
    delete_many = _degrade(RedisCache.delete_many, lambda *a, **k: None)
    has_key = _degrade(RedisCache.has_key, lambda *a, **k: False)
    incr = _degrade(RedisCache.incr, lambda key, delta=1, version=None: delta)
    clear = _degrade(RedisCache.clear, lambda *a, **k: False)


# ---------------------------------------------------------------- rate limits that hold across workers and hosts

# One atomic step in Redis: drop hits older than the window, count, and record this hit only when under the limit.
# (A read-then-write from Python, as DRF's throttles do, lets parallel requests in different workers all see "4 of 5"
# and all pass.) Returns {allowed, seconds until the oldest hit leaves the window}.
_SLIDING_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
  return {1, '0'}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, tostring(tonumber(oldest[2]) + window - now)}
"""
_local_lock = threading.Lock()


def rate_limit_hit(cache, key: str, *, limit: int, window: float) -> tuple[bool, float]:
    """Count one hit against `key` (at most `limit` per sliding `window` seconds): (allowed, seconds to wait).

    Atomic in Redis (shared by every worker and host); with a per-process cache (development, tests) a process lock
    makes it exact within the process. Redis away: allowed (logged), as every other cache use degrades.
    """
    now = time.time()
    if isinstance(cache, ResilientRedisCache):
        try:
            full_key = cache.make_and_validate_key(key)
            client = cache._cache.get_client(full_key, write=True)
            allowed, wait = client.eval(_SLIDING_WINDOW, 1, full_key, now, window, limit, uuid.uuid4().hex)
            return bool(int(allowed)), max(0.0, float(wait))
        except (RedisError, OSError) as exc:
            _warn("rate limit", exc)
            return True, 0.0
    with _local_lock:
        history = [hit for hit in cache.get(key, []) if hit > now - window]
        if len(history) >= limit:
            return False, max(0.0, history[0] + window - now)
        history.append(now)
        cache.set(key, history, int(window) + 1)
        return True, 0.0

"""A Redis cache that degrades to "miss" when Redis is down or slow, instead of failing the request.

What that means for its users: throttles count nothing while Redis is away (requests are let through, and a warning
is logged), cached values are recomputed. Short socket timeouts (settings) bound how long a hung Redis can hold a
request. Throttling resumes by itself when Redis answers again.
"""

from __future__ import annotations

import logging
import time
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

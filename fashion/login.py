"""A limit on failed logins (the stylist console and the API's browsable login): per client address and per user name.

Each failed attempt (a POST that does not end in a redirect) counts against both keys for the window of LOGIN_THROTTLE
(e.g. "10/min"); once either key is spent, logins from it answer 429 until the window passes. Counts live in the
shared cache, so every worker and host sees them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from fashion.clients import client_ip


def _limit() -> tuple[int, int] | None:
    rest_framework = cast(dict[str, Any], settings.REST_FRAMEWORK)
    rate = rest_framework.get("DEFAULT_THROTTLE_RATES", {}).get("login")
    if not rate:
        return None
    # parse_rate does not use self; the stub types it as an instance method.
    allowed, window = SimpleRateThrottle.parse_rate(None, rate)  # type: ignore[arg-type]
    if allowed is None or window is None:  # only for a missing rate, ruled out above
        return None
    return allowed, window


def _keys(request: HttpRequest) -> list[str]:
    keys = [f"login-fail:ip:{client_ip(request)}"]
    username = (request.POST.get("username") or "").strip().lower()
    if username:
        keys.append(f"login-fail:user:{username[:150]}")
    return keys


def login_attempts_limited(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a login view: refuse with 429 (and Retry-After) once too many attempts failed."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        limit = _limit()
        if request.method != "POST" or limit is None:
            return view(request, *args, **kwargs)
        allowed, window = limit
        keys = _keys(request)
        counts = cache.get_many(keys)
        if any(counts.get(key, 0) >= allowed for key in keys):
            response: HttpResponseBase = HttpResponse(
                _("Too many failed logins. Please wait a minute and try again."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(window)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code != 302:  # a failed login shows the form again
            for key in keys:
                if not cache.add(key, 1, window):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired between add and incr
                        cache.add(key, 1, window)
        return response

    return wrapper

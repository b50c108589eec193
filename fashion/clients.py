"""Who is asking: the client's address as far as the configured proxies vouch for it.

Only the last TRUSTED_PROXY_COUNT entries of X-Forwarded-For were written by proxies we run (nginx, the load
balancer); anything to their left came from the client and can say anything. With TRUSTED_PROXY_COUNT = 0 (nothing in
front of the app) the header is ignored and the socket's address is the client.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or the address the outermost trusted proxy saw."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Fewer hops than proxies: the request did not come through all of them (misconfiguration or a direct
        # connection); the socket is the only address nobody could forge.
        return remote
    return forwarded[-proxies]


def client_key(request: HttpRequest) -> str:
    """A stable, non-reversible key for one client: the account when logged in, else the address (never stored raw)."""
    user = getattr(request, "user", None)
    ident = f"user:{user.pk}" if user is not None and user.is_authenticated else f"ip:{client_ip(request)}"
    return hashlib.sha256(f"{settings.SECRET_KEY}|{ident}".encode()).hexdigest()[:40]

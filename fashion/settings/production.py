"""Production: DEBUG off, the secret key and hosts required from the environment, HTTPS-only cookies and HSTS.

Passes `manage.py check --deploy` with no warnings (fashion/tests/test_production.py runs it). TLS normally ends at
the load balancer, which must set X-Forwarded-Proto; see the README's "Running in production and at scale".
"""

from .base import *  # noqa: F403
from .base import cache_config, env

DEBUG = False
# No default: a production process without its own key must not start.
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

# The load balancer terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Load balancers probe over plain HTTP; a redirect would read as "unhealthy".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Throttle counts must be shared by every worker and host: Redis, no per-process fallback.
CACHES = {"default": cache_config(env("CACHE_URL"))}
if CACHES["default"]["BACKEND"] != "fashion.cache.ResilientRedisCache":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Set CACHE_URL=redis://host:6379/<db>: production needs a shared cache for throttles.")

# Keep database connections open between requests (one per gunicorn worker thread).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.security.DisallowedHost": {"handlers": ["null"], "propagate": False}},
}

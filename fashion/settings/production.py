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
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
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

# Keep database connections open between requests (one per gunicorn worker thread). A copy, not base's dict mutated
# in place: a process that imports both modules (a test reading these settings) keeps base's values.
DATABASES = {
    **DATABASES,  # noqa: F405
    "default": {
        **DATABASES["default"],  # noqa: F405
        "CONN_MAX_AGE": env.int("DB_CONN_MAX_AGE", default=60),
        "CONN_HEALTH_CHECKS": True,
    },
}

# Logs: JSON lines on stderr (LOG_FORMAT=plain for people reading a terminal), each with the request id and, once a
# photo is read, the model version; one line per request with its latency (fashion/observability.py).
_log_format = env("LOG_FORMAT", default="json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "fashion.observability.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "fashion.observability.JsonLinesFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(process)d [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain" if _log_format == "plain" else "json",
            "filters": ["context"],
        },
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # The request line is ours (with latency and request id): Django's own per-request lines would repeat it.
        "django.server": {"level": "WARNING"},
        "fashion.request": {"level": env("REQUEST_LOG_LEVEL", default="INFO")},
        # A bad Host is the sender's problem: answered 400, not logged with a traceback.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}

# Static files with content hashes in their names (css/site.3f2a….css): browsers and CDNs may cache them for a year.
# Needs `manage.py collectstatic` at build time (the manifest lists the names); whitenoise serves them compressed.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}  # noqa: F405

# Errors to Sentry when SENTRY_DSN is set (sentry-sdk), tagged with the request id and model version.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from fashion.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=env("SENTRY_RELEASE", default=None),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

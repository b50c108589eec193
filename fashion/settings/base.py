"""Settings shared by every environment. Every deploy-time value comes from the environment (django-environ)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "catalog",
    "classifier",
    "recommender",
    "jobs",
]

MIDDLEWARE = [
    # First: the request id and the latency cover everything below (redirects, static files, errors).
    "fashion.observability.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fashion.middleware.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fashion.middleware.database_unavailable",
]

ROOT_URLCONF = "fashion.urls"
WSGI_APPLICATION = "fashion.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Seconds before a database that does not answer is given up on (the request gets a 503, not a hang): connecting,
# and each read or write on an open connection. /healthz has its own, shorter bound (fashion/health.py).
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=2)
DB_READ_TIMEOUT = env.int("DB_READ_TIMEOUT", default=5)
DB_WRITE_TIMEOUT = env.int("DB_WRITE_TIMEOUT", default=5)
# After a lost database connection a worker answers 503 at once for this long rather than queue more requests on it.
DB_BREAKER_SECONDS = env.float("DB_BREAKER_SECONDS", default=2.0)
# /healthz reports the database as failed when it has not answered SELECT 1 within this many seconds.
HEALTHZ_DB_TIMEOUT = env.float("HEALTHZ_DB_TIMEOUT", default=1.5)
# Seconds a client is told to wait (Retry-After) when the database is unavailable.
DB_UNAVAILABLE_RETRY_AFTER = env.int("DB_UNAVAILABLE_RETRY_AFTER", default=10)
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    # utf8mb4 so Korean garment names and stylist notes round-trip.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "connect_timeout": DB_CONNECT_TIMEOUT,
            "read_timeout": DB_READ_TIMEOUT,
            "write_timeout": DB_WRITE_TIMEOUT,
        }
    )
    DATABASES["default"].setdefault("TEST", {}).update({"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers (gunicorn threads, several workers) wait for the write lock instead of failing at once with
    # "database is locked" when a read transaction upgrades to a write.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))

# Media go to S3 (django-storages) when a bucket is configured, to MEDIA_ROOT otherwise.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=True),
            "file_overwrite": False,
            "default_acl": None,
        },
    }

# Uploads: anything bigger than this is refused before it is decoded.
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Decoded images larger than this many pixels are refused (decompression-bomb guard).
UPLOAD_MAX_PIXELS = env.int("UPLOAD_MAX_PIXELS", default=40_000_000)
# Memory one decode may take (width × height × bands, plus the RGB copy), decided from the header before decoding
# (classifier/imaging.py); with 2 threads per worker, two decodes at once stay well inside a 450 MB worker.
UPLOAD_MAX_DECODE_BYTES = env.int("UPLOAD_MAX_DECODE_BYTES", default=96 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = UPLOAD_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "fashion.uploads.UploadSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# The shared clothing dataset (demo catalog, training, evaluation). Falls back to ../shared when it exists.
_shared_dataset = BASE_DIR.parent / "shared" / "datasets" / "clothing-dataset"
FASHION_DATASET_DIR = env("FASHION_DATASET_DIR", default=str(_shared_dataset) if _shared_dataset.is_dir() else "")
# Clothing Co-Parsing (street photos of worn outfits with garment masks): training and evaluation of the CNN on worn
# garments and whole outfits (classifier/coparsing.py). Falls back to ../shared when it exists.
_shared_coparsing = BASE_DIR.parent / "shared" / "datasets" / "clothing-co-parsing"
FASHION_COPARSING_DIR = env(
    "FASHION_COPARSING_DIR", default=str(_shared_coparsing) if _shared_coparsing.is_dir() else ""
)

# ImageNet weights the CNN is trained from (EfficientNet-Lite0 as NumPy arrays); training and the port's tests only.
_shared_weights = BASE_DIR.parent / "shared" / "weights"
CLASSIFIER_WEIGHTS_DIR = Path(env("CLASSIFIER_WEIGHTS_DIR", default=str(_shared_weights)))

# The CNN: backend ("tflite", "keras" or "fake") and the versioned artifact folder it loads.
CLASSIFIER_BACKEND = env("CLASSIFIER_BACKEND", default="tflite")
CLASSIFIER_MODEL_DIR = Path(env("CLASSIFIER_MODEL_DIR", default=str(BASE_DIR / "classifier" / "artifacts" / "current")))
# CPU threads of one TFLite interpreter (one per web worker process).
CLASSIFIER_NUM_THREADS = env.int("CLASSIFIER_NUM_THREADS", default=2)
# Below these confidences a head's reading is shown as uncertain: shoppers are asked to confirm it, stylists to review
# it. Chosen on the validation split with lite0-224-v2 (share of photos asked; accuracy above / below the threshold):
# type 0.5 (19%; 91% / 43%), slot 0.6 (12%; 96% / 55%), colour 0.4 (22%; 90% / 60%); with the served lite0-224-v3:
# type 18%; 90% / 49%, slot 9%; 95% / 51%, colour 19%; 92% / 56%. The colour head is trained
# with the acceptable alternative as a soft target, so its top confidence runs lower. One value for every head:
# CLASSIFIER_CONFIRM_THRESHOLD.
_confirm_all = env.float("CLASSIFIER_CONFIRM_THRESHOLD", default=None)
CLASSIFIER_CONFIRM_THRESHOLDS = {
    "type": _confirm_all if _confirm_all is not None else 0.5,
    "slot": _confirm_all if _confirm_all is not None else 0.6,
    "color": _confirm_all if _confirm_all is not None else 0.4,
}

# Attributes coordination uses (pattern, audience, warmth, formality, shoe kind) count only when read at least this
# confidently; below, they are unknown, and an unknown attribute never excludes a garment from the suggestions.
CLASSIFIER_ATTRIBUTE_THRESHOLDS = {
    "pattern": env.float("CLASSIFIER_PATTERN_THRESHOLD", default=0.7),
    # lite0-224-v7's audience head is surer than v6's: at 0.6 it called 59% of the CC0 validation photos, 78% of them
    # right (v6: 47%, 82%); at 0.7, 45% with 86% right (as many right as v6 at 0.6, 32 wrong instead of 41), and
    # evaluate_looks --attributes read on validation: women's pieces with men's 223 -> 128 items, 95 -> 64 looks.
    "audience": env.float("CLASSIFIER_AUDIENCE_THRESHOLD", default=0.7),
    "warmth": env.float("CLASSIFIER_WARMTH_THRESHOLD", default=0.6),
    "formality": env.float("CLASSIFIER_FORMALITY_THRESHOLD", default=0.6),
    "kind": env.float("CLASSIFIER_KIND_THRESHOLD", default=0.5),
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "fashion.schema.ErrorEnvelopeAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_THROTTLE_RATES": {
        "anon_upload": env("API_THROTTLE_ANON", default="30/min"),
        "feedback": env("API_THROTTLE_FEEDBACK", default="60/min"),
        "correction": env("API_THROTTLE_CORRECTION", default="30/min"),
        "login": env("LOGIN_THROTTLE", default="10/min"),
    },
    "EXCEPTION_HANDLER": "fashion.api_errors.api_exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Fashion coordination API",
    "DESCRIPTION": "Upload a garment photo, get what to wear it with — with the stylist's reason.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema enum per vocabulary (the same choices appear in many fields).
    "ENUM_NAME_OVERRIDES": {
        "SlotEnum": "catalog.models.SLOT_CHOICES",
        "TypeEnum": "catalog.models.TYPE_CHOICES",
        "ColorEnum": "catalog.models.COLOR_CHOICES",
        "KindEnum": "catalog.models.KIND_CHOICES",
        "PatternEnum": "catalog.models.PATTERN_CHOICES",
        "AudienceEnum": "catalog.models.AUDIENCE_CHOICES",
        "WarmthEnum": "catalog.models.WARMTH_CHOICES",
        "FormalityEnum": "catalog.models.FORMALITY_CHOICES",
    },
}

# How many reverse proxies in front of the app append to X-Forwarded-For (nginx of `make serve`: 1; nginx behind a
# load balancer: 2). The client is the address the outermost of them saw; 0 ignores the header (fashion/clients.py).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)


# Per-process memory by default; with several hosts set CACHE_URL=redis://host:6379/0 so the per-IP upload throttle
# (and anything else cached) is shared by every worker. Required in production (fashion/settings/production.py).
def cache_config(url: str) -> dict:
    config = env.cache_url_config(url)
    if "key_prefix" in config:  # CACHE_URL=redis://host:6379/0?key_prefix=shop: several sites on one Redis
        config["KEY_PREFIX"] = config.pop("key_prefix")
    if config["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
        # Redis down or hung: a cache miss within half a second, never a failed request (fashion/cache.py).
        config["BACKEND"] = "fashion.cache.ResilientRedisCache"
        config.setdefault("OPTIONS", {}).update({"socket_connect_timeout": 0.5, "socket_timeout": 0.5})
    return config


CACHES = {"default": cache_config(env("CACHE_URL", default="locmemcache://"))}

CSRF_FAILURE_VIEW = "fashion.middleware.csrf_failure"
# After logging in without a `next`: staff to the stylist console, others to the shop.
LOGIN_REDIRECT_URL = "/admin/"
# Content-Security-Policy of every page: scripts and styles from this site only (the style attributes of colour
# swatches need 'unsafe-inline' for styles, never for scripts); images also from https: (S3 or a CDN).
CONTENT_SECURITY_POLICY = env(
    "CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: "
    "https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Browsers and proxies may keep a stored photo this long (names are random and never reused).
MEDIA_CACHE_SECONDS = env.int("MEDIA_CACHE_SECONDS", default=60 * 60 * 24 * 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "fashion.observability.RequestContextFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["context"]},
        "null": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # Django's default config gives the "django" logger its own console handler (DEBUG only) that also propagates to
    # the root one: every line twice in `make run`. One handler, the root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # One line per request (fashion/observability.py): production logs them; runserver prints its own.
        "fashion.request": {"level": env("REQUEST_LOG_LEVEL", default="WARNING")},
        # A request with a Host we do not serve is the sender's problem (scanners, misrouted DNS): a 400, no traceback.
        "django.security.DisallowedHost": {"handlers": ["null"], "propagate": False},
    },
}
# Prometheus /metrics: scrapers send "Authorization: Bearer <METRICS_TOKEN>"; without a token it answers only in DEBUG.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# Serve local media from Django itself (the single-machine `make run` default); behind a real deployment, media come
# from S3 or the web server instead.
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not AWS_STORAGE_BUCKET_NAME)
STATICFILES_DIRS = [BASE_DIR / "static"]

# Background jobs on Celery (fashion/celery.py). Without a broker, tasks run in-process (eager) — `make run` and tests.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only once it has finished: a worker killed mid-task leaves it on the queue for another worker
# (every task is idempotent: it resumes or repeats harmlessly). One task at a time per process: no hoarding.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress and results live in the Job table (jobs app), not a result backend
# Redis: a message a dead worker had taken goes back to the queue after the visibility timeout (seconds; keep it above
# the longest task), found by a sweep every interval x throttle seconds. RabbitMQ redelivers as soon as the worker's
# connection drops.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    # The sweep holds a lock in Redis; a worker killed while holding it blocks every sweep until the lock expires.
    "unacked_mutex_expire": env.int("CELERY_UNACKED_MUTEX_EXPIRE", default=300),
}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Keep the "looks similar" index fresh: a cheap check every 30 s, a rebuild only when the catalog changed.
    "similarity-index-refresh": {"task": "catalog.tasks.similarity_index_refresh", "schedule": 30.0},
    # Retention of shoppers' photos, daily.
    "purge-uploads": {
        "task": "recommender.tasks.uploads_purge_scheduled",
        "schedule": 24 * 3600.0,
    },
}
# Retention (days) of shoppers' photos for the scheduled purge.
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=30)
# "Looks similar": where each host keeps its copy of the nearest-neighbour index (memory-mapped by every worker).
SIMILARITY_INDEX_DIR = Path(env("SIMILARITY_INDEX_DIR", default=str(BASE_DIR / "var" / "similarity")))
SIMILARITY_CHECK_SECONDS = env.float("SIMILARITY_CHECK_SECONDS", default=5.0)
# Garments changed since the index was built that each worker searches exactly (the latest ones; catalog/similarity.py).
SIMILARITY_DELTA_LIMIT = env.int("SIMILARITY_DELTA_LIMIT", default=2000)
# Queue name (one per deployment or test run sharing a broker).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="celery")

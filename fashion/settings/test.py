"""Settings for the test suite: fast hashing, media in a temp folder (set by a fixture), no throttling surprises."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon_upload": "1000/min",
        "feedback": "1000/min",
        "correction": "1000/min",
        "login": "1000/min",
    },
}
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: there, concurrent live-server requests fail with "table is locked" instead of
    # waiting as they do on a real SQLite file. One file per test process (several people run the suite at once).
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"fashion-test-{os.getpid()}.sqlite3")}  # noqa: F405

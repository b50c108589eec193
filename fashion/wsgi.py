"""WSGI entry point (gunicorn fashion.wsgi): the Django application, with chunked request bodies read whole first
(fashion.chunked)."""

import os

from django.core.wsgi import get_wsgi_application

from fashion.chunked import ChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fashion.settings.production")

application = ChunkedBodies(get_wsgi_application())

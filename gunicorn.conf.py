"""gunicorn settings: `gunicorn -c gunicorn.conf.py fashion.wsgi` (every value can be overridden from the environment).

Each worker process loads its own copy of the model (lazily imported, warmed in post_worker_init so the first shopper
does not wait for it and /healthz tells the truth). Inference is CPU-bound: one worker per core is the starting point.
"""

from __future__ import annotations

import os

from prometheus_client import multiprocess

# One BLAS thread per worker (set before any worker imports numpy): the workers already share the cores, and the
# similar-items delta search (a few thousand × 256 matrix-vector product) took 23 ms with OpenBLAS's two threads
# contending on a busy 2-core host against 0.35 ms with one (benchmark_similarity).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
# Threads let a worker keep reading a slow upload while another request runs; the TFLite interpreter is locked.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak can never take a host down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))
# Trust X-Forwarded-* only from the load balancer's addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# GUNICORN_ACCESSLOG="" turns the access log off (e.g. for the load benchmark).
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
wsgi_app = "fashion.wsgi:application"


def child_exit(server, worker) -> None:
    """With PROMETHEUS_MULTIPROC_DIR set, drop a dead worker's live gauges (its counters stay in the totals)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:
    """Load the model before the worker takes requests (a broken artifact shows in the log and in /healthz)."""
    # lazy: the master reads this file before the app is set up; each worker loads the model after the fork
    from classifier.predictor import get_predictor  # noqa: PLC0415

    try:
        predictor = get_predictor()
    except Exception:
        worker.log.exception("worker %s: the model could not be loaded", worker.pid)
    else:
        worker.log.info("worker %s: model %s loaded", worker.pid, predictor.model_version)

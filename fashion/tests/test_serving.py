"""The production serving stack as `make serve` runs it: real nginx in front of real gunicorn (production settings)
and a private Redis. Slow clients, oversized bodies and spoofed X-Forwarded-For are handled where users meet them."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
from PIL import Image

from fashion.cache import ResilientRedisCache, rate_limit_hit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from serve import Deployment, free_port  # noqa: E402

pytestmark = pytest.mark.slow


def _ensure(binary: str) -> str:
    found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if found is None:
        subprocess.run([str(ROOT / "scripts" / "system-deps.sh"), "--serve"], check=False, capture_output=True)
        found = shutil.which(binary) or (f"/usr/sbin/{binary}" if Path(f"/usr/sbin/{binary}").exists() else None)
    if found is None:
        pytest.skip(f"{binary} is not installed and scripts/system-deps.sh --serve could not install it (no apt-get)")
    return found


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    """A private redis-server for this module (never the shared one)."""
    binary = _ensure("redis-server")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def served(redis_url, tmp_path_factory):
    _ensure("nginx")
    workdir = tmp_path_factory.mktemp("served")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
        "DJANGO_SECRET_KEY": "s" * 30 + "-serving-test-secret-" + "t" * 30,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "CACHE_URL": redis_url,
        "CLASSIFIER_BACKEND": "fake",
        "API_THROTTLE_ANON": "3/min",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESSLOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput", "-v", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    deployment = Deployment(
        prefix=workdir / "nginx", env=env, listen_port=free_port(), client_timeout=3, access_log=False
    )
    deployment.start(wait_seconds=90)
    yield deployment
    deployment.stop()


def jpeg(color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def slow_socket(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /api/v1/recommendations/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 100000\r\n\r\n--b\r\n"
    )
    return sock


def test_slow_clients_wait_in_nginx_not_in_gunicorn(served):
    # More stalled uploads than gunicorn has threads (2 × 2): without nginx every request would queue behind them.
    sockets = [slow_socket(served.listen_port) for _ in range(12)]
    try:
        health, uploads = [], []
        for _ in range(4):
            for sock in sockets:
                sock.send(b"x")
            began = time.perf_counter()
            assert requests.get(f"{served.url}/healthz", timeout=5).status_code == 200
            health.append(time.perf_counter() - began)
            began = time.perf_counter()
            response = requests.post(
                f"{served.url}/api/v1/recommendations/",
                files={"image": ("p.jpg", jpeg(), "image/jpeg")},
                headers={"X-Forwarded-For": "192.0.2.1"},
                timeout=10,
            )
            uploads.append((response.status_code, time.perf_counter() - began))
            time.sleep(0.5)
        assert max(health) < 1.0, health
        assert uploads[0][0] == 200 and uploads[0][1] < 5, uploads
        # A client that stops sending for longer than the body timeout (3 s here) is dropped by nginx.
        time.sleep(4.5)
        dropped = 0
        for sock in sockets:
            try:
                sock.settimeout(2)
                data = sock.recv(1024)
                dropped += data == b"" or b" 408 " in data
            except OSError:
                dropped += 1
        assert dropped == len(sockets)
    finally:
        for sock in sockets:
            sock.close()


def test_a_body_over_the_cap_is_refused_by_nginx_before_the_app(served):
    with socket.create_connection(("127.0.0.1", served.listen_port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/v1/recommendations/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 52428800\r\n\r\n"
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413")


@pytest.mark.parametrize("through", ["nginx", "gunicorn"])
def test_a_chunked_body_reaches_the_app_whole(served, through):
    # Clients that stream a body send it chunked, without a Content-Length. nginx reads it and passes it on with a
    # length; met directly, gunicorn ends it and fashion.chunked reads it whole (Django alone would read it as empty).
    url = served.url if through == "nginx" else f"http://127.0.0.1:{served.upstream_port}"
    body = b'{"garment_id": 987654, "vote": "like", "slot": "top", "color": "black"}'
    response = requests.post(
        f"{url}/api/v1/feedback/",
        data=iter([body[:20], body[20:]]),
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    # Read whole, the body is valid and names a garment that does not exist; read empty, it would be a 400.
    assert response.status_code == 404, response.text


def test_a_chunked_body_over_the_cap_is_refused_by_gunicorn_directly(served):
    chunk = b"x" * (1024 * 1024)
    response = requests.post(
        f"http://127.0.0.1:{served.upstream_port}/api/v1/feedback/",
        data=iter([chunk] * 12),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413 and response.json()["code"] == "request_too_large"


def test_spoofed_forwarded_for_through_nginx_counts_the_real_client(served):
    codes = []
    for index in range(5):
        response = requests.post(
            f"{served.url}/api/v1/recommendations/",
            files={"image": ("p.jpg", jpeg(), "image/jpeg")},
            headers={"X-Forwarded-For": f"203.0.113.{index}, 198.51.100.{index}"},
            timeout=10,
        )
        codes.append(response.status_code)
    # The slow-client test may have used one of the 3 per minute already; never more than 3 in all.
    assert codes.count(200) <= 3 and codes[-2:] == [429, 429], codes
    assert response.json()["code"] == "throttled" and int(response.headers["Retry-After"]) > 0


def test_pages_and_static_files_through_nginx(served):
    page = requests.get(f"{served.url}/recommend/", timeout=10)
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["Server"] == "nginx"
    script = requests.get(f"{served.url}/static/js/site.js", timeout=10)
    assert script.status_code == 200 and "public" in script.headers["Cache-Control"]
    assert requests.get(f"{served.url}/api/v1/nowhere/", timeout=10).json()["code"] == "not_found"


def test_the_redis_rate_limit_is_atomic_under_parallel_hits(redis_url):
    """20 hits at once from 20 threads (as from several workers) against a limit of 5: exactly 5 pass."""
    cache = ResilientRedisCache(redis_url, {"KEY_PREFIX": uuid.uuid4().hex})
    barrier = threading.Barrier(20)
    results: list[bool] = []

    def hit() -> None:
        barrier.wait()
        results.append(rate_limit_hit(cache, "upload:198.51.100.1", limit=5, window=60)[0])

    threads = [threading.Thread(target=hit) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 5
    allowed, wait = rate_limit_hit(cache, "upload:198.51.100.1", limit=5, window=60)
    assert not allowed and 0 < wait <= 60

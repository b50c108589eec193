#!/usr/bin/env python
"""Hardening benchmarks (issue 10): the production serving stack (nginx → gunicorn, `make serve`) under attack.

    python benchmarks/hardening.py all                 # every scenario below, one after the other (~6 min)
    python benchmarks/hardening.py slow-clients        # 50 sockets sending 1 byte / 2 s for 60 s + a normal client
    python benchmarks/hardening.py hostile-images      # 30 decompression-bomb-shaped images at concurrency 8
    python benchmarks/hardening.py spoofed-xff         # varied X-Forwarded-For at API_THROTTLE_ANON=5/min
    python benchmarks/hardening.py db-faults           # a private mariadbd killed, restarted, hung during uploads
    python benchmarks/hardening.py concurrent-edits    # 50 rounds of two parallel saves of one rule and one garment

Each scenario builds a throwaway deployment in a temp folder (production settings, DEBUG off, the demo catalog,
SQLite unless --database-url, a private MariaDB for db-faults), starts it exactly as `make serve` does
(scripts/serve.py: nginx in front of gunicorn with 2 workers × 2 threads), talks to it over 127.0.0.1 only, prints
each figure next to its target and writes build/hardening-<scenario>.json. Counts and durations are bounded. The
figures depend on the machine (and on what else runs on it): quote them with the conditions printed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "benchmarks")]

from load import RssSampler, children, default_dataset_dir, percentile, test_split_photos  # noqa: E402
from serve import Deployment, free_port  # noqa: E402

CORPUS = ROOT / "fashion" / "tests" / "bad_inputs"
UPLOAD_PATH = "/api/v1/recommendations/"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def ms(values: list[float], fraction: float) -> float | None:
    return round(percentile(values, fraction) * 1000, 1) if values else None


def ms_within(values: list[float], fraction: float, limit: float) -> bool:
    """There are values, and their percentile in ms is at most limit."""
    measured = ms(values, fraction)
    return measured is not None and measured <= limit


def machine() -> dict:
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "loadavg_at_start": [round(v, 2) for v in load],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# ---------------------------------------------------------------- the deployment under test


@dataclass
class Site:
    workdir: Path
    deployment: Deployment
    env: dict[str, str]
    photos: list[tuple[str, bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.deployment.url

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
        return result.stdout

    def stop(self, keep: bool) -> None:
        self.deployment.stop()
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)


def build_site(args, *, name: str, database_url: str = "", extra_env: dict[str, str] | None = None) -> Site:
    workdir = Path(tempfile.mkdtemp(prefix=f"fashion-hardening-{name}-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; TLS is the load balancer's job
        "DATABASE_URL": database_url or args.database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "FASHION_DATASET_DIR": str(args.dataset),
        "CLASSIFIER_BACKEND": args.backend,
        # A fresh key prefix per run: counts of earlier runs (same minute, same 127.0.0.1) never leak in.
        "CACHE_URL": f"{args.redis_url}?key_prefix=hardening-{uuid.uuid4().hex[:8]}",
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_FEEDBACK": "1000000/min",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESSLOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    site = Site(workdir, Deployment(prefix=workdir / "nginx", env=env, listen_port=free_port(), access_log=False), env)
    log(f"{name}: deployment in {workdir} ({env['DATABASE_URL'].split(':')[0]}, backend {args.backend})")
    site.manage("migrate", "--noinput")
    site.manage("collectstatic", "--noinput")
    site.manage("load_demo_catalog", "--tagger", "dataset", "--per-cell", "2", "--no-download")
    site.deployment.start()
    site.photos = test_split_photos(args.dataset, 40)
    log(f"{name}: serving on {site.url} (nginx → gunicorn {args.workers} workers × {args.threads} threads)")
    return site


def post_photo(session: requests.Session, url: str, photo: tuple[str, bytes], timeout: float = 30) -> tuple:
    """(seconds, status, json-or-None, headers) of one upload; status 0 for a failed connection."""
    began = time.perf_counter()
    try:
        response = session.post(
            f"{url}{UPLOAD_PATH}", files={"image": (photo[0], photo[1], "image/jpeg")}, timeout=timeout
        )
    except requests.RequestException as exc:
        return time.perf_counter() - began, 0, {"error": repr(exc)}, {}
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text[:200]}
    return time.perf_counter() - began, response.status_code, body, dict(response.headers)


class NormalClient(threading.Thread):
    """One shopper uploading photos one after another until stopped; records (t, seconds, status, body, headers)."""

    def __init__(self, site: Site, stop: threading.Event, pause: float = 0.3, timeout: float = 30) -> None:
        super().__init__(daemon=True)
        self.site, self.stop, self.pause, self.timeout = site, stop, pause, timeout
        self.results: list[tuple[float, float, int, dict, dict]] = []
        self.started_at = time.monotonic()

    def run(self) -> None:
        session = requests.Session()
        index = 0
        while not self.stop.is_set():
            photo = self.site.photos[index % len(self.site.photos)]
            began = time.monotonic() - self.started_at
            seconds, status, body, headers = post_photo(session, self.site.url, photo, self.timeout)
            self.results.append((began, seconds, status, body, headers))
            index += 1
            self.stop.wait(self.pause)


class HealthProbe(threading.Thread):
    """GET /healthz every `every` seconds; records (t sent, seconds, status)."""

    def __init__(self, url: str, stop: threading.Event, every: float = 0.5, started_at: float | None = None) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.every = url, stop, every
        self.started_at = started_at or time.monotonic()
        self.results: list[tuple[float, float, int]] = []

    def run(self) -> None:
        session = requests.Session()
        while not self.stop.is_set():
            sent = time.monotonic() - self.started_at
            began = time.perf_counter()
            try:
                status = session.get(f"{self.url}/healthz", timeout=10).status_code
            except requests.RequestException:
                status = 0
            self.results.append((sent, time.perf_counter() - began, status))
            self.stop.wait(self.every)


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


# (metric, measured, target, met: None when there is no target)
Row = tuple[str, object, str, bool | None]


def report(name: str, rows: list[Row], data: dict, args) -> dict:
    print(f"\n{name}")
    print(f"{'metric':46} {'measured':>22} {'target':>16}  result")
    for metric, measured, target, ok in rows:
        print(f"{metric:46} {measured!s:>22} {target:>16}  {verdict(ok)}")
    data["met_targets"] = all(ok for *_, ok in rows if ok is not None)
    data["machine"] = machine()
    out = args.out_dir / f"hardening-{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"written to {out}\n")
    return data


# ---------------------------------------------------------------- 1. slow clients


def slow_clients(args) -> dict:
    site = build_site(args, name="slow-clients")
    try:
        port = site.deployment.listen_port if args.target == "nginx" else site.deployment.upstream_port
        boundary = "slowclientboundary"
        head = (
            f"POST {UPLOAD_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 1000000\r\n\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="slow.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        sockets: list[socket.socket | None] = []
        sock: socket.socket | None
        for _ in range(args.slow_clients):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(head)
            sockets.append(sock)
        log(f"slow-clients: {len(sockets)} sockets sending 1 byte every 2 s to port {port} ({args.target})")
        stop = threading.Event()
        started = time.monotonic()
        normal = NormalClient(site, stop)
        probe = HealthProbe(site.url, stop, every=0.5, started_at=started)
        normal.start()
        probe.start()
        closed_at: list[float] = []
        while time.monotonic() - started < args.duration:
            for index, sock in enumerate(sockets):
                if sock is None:
                    continue
                try:
                    sock.send(b"\xff")
                except OSError:
                    closed_at.append(time.monotonic() - started)
                    sock.close()
                    sockets[index] = None
            time.sleep(2)
        stop.set()
        normal.join(timeout=60)
        probe.join(timeout=30)
        still_open = sum(1 for sock in sockets if sock is not None)
        for sock in sockets:
            if sock is not None:
                sock.close()
    finally:
        site.stop(args.keep)
    uploads = [(seconds, status) for _, seconds, status, _, _ in normal.results]
    upload_ok = [seconds for seconds, status in uploads if status == 200]
    health = [seconds for _, seconds, status in probe.results]
    health_ok = sum(1 for *_, status in probe.results if status == 200)
    statuses = Counter(status for _, status in uploads)
    rows: list[Row] = [
        ("/healthz p95 (ms)", ms(health, 0.95), "<= 200", ms_within(health, 0.95, 200)),
        ("/healthz answered 200", f"{health_ok} / {len(health)}", "all", health_ok == len(health) > 0),
        (
            "normal uploads answered 200",
            f"{len(upload_ok)} / {len(uploads)}",
            "all",
            len(upload_ok) == len(uploads) > 0,
        ),
        ("normal upload p95 (ms)", ms(upload_ok, 0.95), "<= 1000", ms_within(upload_ok, 0.95, 1000)),
        ("normal upload p50 (ms)", ms(upload_ok, 0.5), "-", None),
        ("slow sockets still open at the end", still_open, "-", None),
    ]
    return report(
        "slow-clients",
        rows,
        {
            "target": args.target,
            "slow_clients": args.slow_clients,
            "duration_s": args.duration,
            "upload_statuses": dict(statuses),
            "health_p50_ms": ms(health, 0.5),
            "health_max_ms": ms(health, 1.0),
            "slow_sockets_closed_at_s": closed_at[:10],
            "rows": rows,
        },
        args,
    )


# ---------------------------------------------------------------- 2. hostile images


def png_header_only(width: int, height: int, bit_depth: int = 8, colour: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    idat = zlib.compress(b"\0" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def big_jpeg(width: int = 6000, height: int = 4500) -> bytes:
    """A legitimate large photo (27 M pixels): decoded at a reduced scale (JPEG draft), read correctly."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def hostile_images(args) -> dict:
    shapes = {
        "strip_1x40000000.png": (CORPUS / "strip_1x40000000.png").read_bytes(),
        "bitmap_6300x6300.png": (CORPUS / "bitmap_6300x6300.png").read_bytes(),
        "bomb_12000x12000.png": (CORPUS / "bomb.png").read_bytes(),
        "header_20000x20000.png": png_header_only(20000, 20000),
        "rgba_6000x6000.png": png_header_only(6000, 6000, 8, 6),
        "big_photo_6000x4500.jpg": big_jpeg(),
    }
    site = build_site(args, name="hostile-images")
    try:
        sampler = RssSampler(site.deployment.processes()[0].pid)
        sampler.sample()
        baseline = dict(sampler.peak)
        sampler.start()
        stop = threading.Event()
        normals = [NormalClient(site, stop, pause=0.05) for _ in range(args.normal_clients)]
        for normal in normals:
            normal.start()
        time.sleep(2)
        names = list(shapes)
        attack_started = time.monotonic()
        attack_offset = attack_started - normals[0].started_at

        def attack(index: int) -> tuple[str, int, str, float]:
            name = names[index % len(names)]
            session = requests.Session()
            seconds, status, body, _ = post_photo(session, site.url, (name, shapes[name]), timeout=60)
            return name, status, (body or {}).get("code", "") or (body or {}).get("detail", ""), seconds

        with ThreadPoolExecutor(args.attack_concurrency) as pool:
            attacks = list(pool.map(attack, range(args.hostile)))
        attack_seconds = time.monotonic() - attack_started
        time.sleep(2)
        stop.set()
        for normal in normals:
            normal.join(timeout=60)
        sampler.stopped.set()
        sampler.join()
        sampler.sample()
    finally:
        site.stop(args.keep)
    # Uploads that started while the attack ran (each client's clock starts when it does; close enough at 2 s offset).
    during = [
        seconds
        for normal in normals
        for began, seconds, status, _, _ in normal.results
        if status == 200 and attack_offset <= began <= attack_offset + attack_seconds
    ]
    all_normal = [status for normal in normals for _, _, status, _, _ in normal.results]
    outcomes: dict[str, Counter] = {}
    for name, status, code, _ in attacks:
        outcomes.setdefault(name, Counter())[f"{status} {code}".strip()] += 1
    acceptable = all(
        400 <= status < 500 or (status == 200 and name.startswith("big_photo")) for name, status, _, _ in attacks
    )
    peak = max(sampler.peak.values(), default=0.0)
    rows: list[Row] = [
        (
            "hostile uploads refused 4xx or read (200)",
            f"{len(attacks)} / {len(attacks)}" if acceptable else "no",
            "all",
            acceptable,
        ),
        ("worker peak RSS (MB)", ", ".join(f"{mb:.0f}" for mb in sampler.peak.values()), "<= 450 each", peak <= 450),
        ("normal uploads during the attack", len(during), "-", None),
        (
            "normal upload p95 during the attack (ms)",
            ms(during, 0.95),
            "<= 1000",
            ms_within(during, 0.95, 1000),
        ),
        (
            "normal uploads answered 200 (whole run)",
            f"{all_normal.count(200)} / {len(all_normal)}",
            "all",
            all_normal.count(200) == len(all_normal),
        ),
        ("attack duration (s)", round(attack_seconds, 1), "-", None),
    ]
    return report(
        "hostile-images",
        rows,
        {
            "hostile": args.hostile,
            "concurrency": args.attack_concurrency,
            "outcomes": {name: dict(counter) for name, counter in outcomes.items()},
            "attack_latency_max_ms": round(max(s for *_, s in attacks) * 1000, 1),
            "normal_during_attack_ms": sorted(round(v * 1000, 1) for v in during),
            "normal_outside_attack_p95_ms": ms(
                [
                    seconds
                    for normal in normals
                    for began, seconds, status, _, _ in normal.results
                    if status == 200 and not attack_offset <= began <= attack_offset + attack_seconds
                ],
                0.95,
            ),
            "worker_rss_before_mb": {str(k): round(v, 1) for k, v in baseline.items()},
            "worker_peak_rss_mb": {str(k): round(v, 1) for k, v in sampler.peak.items()},
            "rows": rows,
        },
        args,
    )


# ---------------------------------------------------------------- 3. spoofed X-Forwarded-For


def multipart_photo(photo: tuple[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{photo[0]}"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + photo[1]
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def spoofed_xff(args) -> dict:
    site = build_site(args, name="spoofed-xff", extra_env={"API_THROTTLE_ANON": "5/min"})
    per_client: dict[str, Counter] = {}
    try:
        port = site.deployment.listen_port
        body, content_type = multipart_photo(site.photos[0])
        started = time.monotonic()

        def upload_from(source: str, index: int) -> tuple[str, int]:
            spoof = f"{10 + index % 200}.{index % 250}.{(index * 7) % 250}.{(index * 13) % 250}"
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
            headers = {"Content-Type": content_type, "X-Forwarded-For": spoof, "X-Real-IP": spoof}
            if index % 3 == 0:
                headers["X-Forwarded-For"] = f"{spoof}, 127.0.0.{index % 250}"  # looks like a chain of proxies
            connection.request("POST", UPLOAD_PATH, body=body, headers=headers)
            status = connection.getresponse().status
            connection.close()
            return source, status

        jobs = [(source, index) for index in range(args.spoof_requests) for source in ("127.0.0.1", "127.0.0.2")]
        with ThreadPoolExecutor(4) as pool:
            for source, status in pool.map(lambda job: upload_from(*job), jobs):
                per_client.setdefault(source, Counter())[status] += 1
        elapsed = time.monotonic() - started
    finally:
        site.stop(args.keep)
    rows: list[Row] = []
    for source, counter in sorted(per_client.items()):
        rows.append(
            (
                f"uploads accepted for real client {source}",
                f"{counter[200]} / {sum(counter.values())}",
                "<= 5",
                counter[200] <= 5,
            )
        )
        rows.append((f"  refused 429 for {source}", counter[429], "-", None))
    rows.append(("within (s)", round(elapsed, 1), "< 60", elapsed < 60))
    return report(
        "spoofed-xff",
        rows,
        {
            "rate": "5/min",
            "workers": args.workers,
            "per_client": {k: dict(v) for k, v in per_client.items()},
            "rows": rows,
        },
        args,
    )


# ---------------------------------------------------------------- 4. database killed and hung


class PrivateMariaDB:
    """A throwaway mariadbd on its own port and datadir (never the shared server on 3306)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.datadir = folder / "data"
        self.socket = folder / "mysqld.sock"

    def install(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--user=root",
                "--skip-test-db",
                "--auth-root-authentication-method=normal",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"mariadb-install-db failed:\n{result.stderr[-2000:]}")

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "/usr/sbin/mariadbd",
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                "--user=root",
                "--skip-grant-tables",
                "--innodb-buffer-pool-size=32M",
                "--skip-log-bin",
                f"--pid-file={self.folder / 'mysqld.pid'}",
                f"--log-error={self.folder / 'error.log'}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.answers():
                return
            time.sleep(0.2)
        raise SystemExit(f"private mariadbd did not start: {(self.folder / 'error.log').read_text()[-2000:]}")

    def answers(self) -> bool:
        result = subprocess.run(
            [
                "mariadb-admin",
                "--no-defaults",
                "--protocol=tcp",
                "-h127.0.0.1",
                f"-P{self.port}",
                "-uroot",
                "--connect-timeout=1",
                "ping",
            ],
            capture_output=True,
            check=False,
        )
        return result.returncode == 0

    def sql(self, statement: str) -> str:
        result = subprocess.run(
            [
                "mariadb",
                "--no-defaults",
                "--protocol=tcp",
                "-h127.0.0.1",
                f"-P{self.port}",
                "-uroot",
                "-N",
                "-e",
                statement,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return result.stdout

    def signal(self, signum: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signum)  # the mariadbd this object started, by its id

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGCONT)
            os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def db_faults(args) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="fashion-hardening-mariadb-"))
    database = PrivateMariaDB(folder)
    database.install()
    database.start()
    database.sql("CREATE DATABASE fashion CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    url = f"mysql://root@127.0.0.1:{database.port}/fashion"
    log(f"db-faults: private mariadbd on 127.0.0.1:{database.port} (datadir {database.datadir})")
    site = None
    events: list[tuple[str, float]] = []
    try:
        site = build_site(args, name="db-faults", database_url=url)
        workers_before = set(children(site.deployment.processes()[0].pid))
        stop = threading.Event()
        started = time.monotonic()
        clients = [NormalClient(site, stop, pause=0.1, timeout=30) for _ in range(2)]
        for client in clients:
            client.started_at = started
            client.start()
        probe = HealthProbe(site.url, stop, every=0.2, started_at=started)
        probe.start()
        plan = [(10, "kill"), (20, "restart"), (34, "hang"), (44, "resume")]
        for at, action in plan:
            time.sleep(max(0.0, at - (time.monotonic() - started)))
            now = time.monotonic() - started
            if action == "kill":
                database.signal(signal.SIGKILL)
                if database.process is not None:
                    database.process.wait(timeout=10)
            elif action == "restart":
                database.start()
            elif action == "hang":
                database.signal(signal.SIGSTOP)
            elif action == "resume":
                database.signal(signal.SIGCONT)
            events.append((action, round(now, 2)))
            log(f"db-faults: t={now:.1f} s {action}")
        time.sleep(max(0.0, args.duration - (time.monotonic() - started)))
        stop.set()
        for client in clients:
            client.join(timeout=60)
        probe.join(timeout=30)
        time.sleep(1)
        rows_in_db = [
            line.split("\t")
            for line in database.sql("SELECT public_id, image FROM fashion.recommender_shopperupload").splitlines()
            if line.strip()
        ]
        media = Path(site.env["MEDIA_ROOT"])
        files = {f"uploads/{p.name}" for p in (media / "uploads").glob("*")} if (media / "uploads").exists() else set()
        workers_after = set(children(site.deployment.processes()[0].pid))
        same_processes = site.deployment.processes()[0].poll() is None and workers_after == workers_before
    finally:
        if site is not None:
            site.stop(args.keep)
        database.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)

    results = [r for client in clients for r in client.results]
    statuses = Counter(status for _, _, status, _, _ in results)
    server_errors = [r for r in results if r[2] >= 500 and r[2] != 503]
    unavailable = [r for r in results if r[2] == 503]
    without_retry_after = [r for r in unavailable if "Retry-After" not in r[4]]
    non_json_503 = [r for r in unavailable if r[3].get("code") != "service_unavailable"]
    accepted_ids = {r[3].get("upload_id") for r in results if r[2] == 200}
    db_ids = {row[0].replace("-", "") for row in rows_in_db}
    missing_rows = [i for i in accepted_ids if i and i.replace("-", "") not in db_ids]
    db_images = {row[1] for row in rows_in_db}
    orphan_files = sorted(files - db_images)
    rows_without_file = sorted(db_images - files)

    def red_within(at: float) -> float | None:
        for sent, seconds, status in probe.results:
            if sent >= at and status != 200:
                return round(sent + seconds - at, 2)
        return None

    def green_after(at: float) -> float | None:
        for sent, seconds, status in probe.results:
            if sent >= at and status == 200:
                return round(sent + seconds - at, 2)
        return None

    def upload_ok_after(at: float) -> float | None:
        times = sorted(began + seconds for began, seconds, status, _, _ in results if status == 200 and began >= at)
        return round(times[0] - at, 2) if times else None

    when = dict(events)
    health_latency = [seconds for _, seconds, _ in probe.results]
    red_kill, red_hang = red_within(when["kill"]), red_within(when["hang"])
    rows: list[Row] = [
        ("uploads answered", sum(statuses.values()), "-", None),
        (
            "  200 / 503 / other",
            f"{statuses[200]} / {statuses[503]} / {sum(statuses.values()) - statuses[200] - statuses[503]}",
            "-",
            None,
        ),
        ("5xx other than 503", len(server_errors), "0", not server_errors),
        (
            "503 without Retry-After or JSON code",
            len(without_retry_after) + len(non_json_503),
            "0",
            not without_retry_after and not non_json_503,
        ),
        ("/healthz red after the kill (s)", red_kill, "<= 2", red_kill is not None and red_kill <= 2),
        ("/healthz red after the hang (s)", red_hang, "<= 2", red_hang is not None and red_hang <= 2),
        ("/healthz slowest answer (s)", round(max(health_latency), 2), "-", None),
        (
            "uploads 200 again after restart (s)",
            upload_ok_after(when["restart"]),
            "recovers",
            upload_ok_after(when["restart"]) is not None,
        ),
        (
            "uploads 200 again after resume (s)",
            upload_ok_after(when["resume"]),
            "recovers",
            upload_ok_after(when["resume"]) is not None,
        ),
        (
            "/healthz green again after resume (s)",
            green_after(when["resume"]),
            "recovers",
            green_after(when["resume"]) is not None,
        ),
        ("same gunicorn master and workers throughout", "yes" if same_processes else "no", "yes", same_processes),
        ("accepted uploads missing from the DB", len(missing_rows), "0", not missing_rows),
        ("photo files no row refers to (orphans)", len(orphan_files), "0", not orphan_files),
        ("rows whose photo file is missing", len(rows_without_file), "0", not rows_without_file),
    ]
    return report(
        "db-faults",
        rows,
        {
            "events_s": events,
            "statuses": dict(statuses),
            "rows_in_db": len(rows_in_db),
            "files": len(files),
            "orphan_files": orphan_files[:10],
            "rows_without_file": rows_without_file[:10],
            "server_error_samples": [r[3] for r in server_errors[:5]],
            "health_timeline": [(round(s, 2), round(d, 3), c) for s, d, c in probe.results],
            "rows": rows,
        },
        args,
    )


# ---------------------------------------------------------------- 5. concurrent edits


def concurrent_edits(args) -> dict:
    site = build_site(args, name="concurrent-edits")
    try:
        token = (
            site.manage(
                "shell",
                "-c",
                "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token; "
                "u = User.objects.create_superuser('bench', 'bench@example.com', 'bench-pw-1'); "
                "print(Token.objects.create(user=u).key)",
            )
            .strip()
            .splitlines()[-1]
        )
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        rule_id = session.get(f"{site.url}/api/v1/rules/", timeout=30).json()["results"][0]["id"]
        garment_id = session.get(f"{site.url}/api/v1/garments/", timeout=30).json()["results"][0]["id"]
        targets = {
            "rule": (
                f"{site.url}/api/v1/rules/{rule_id}/",
                lambda i: ({"weight": 1 + i % 100}, {"note": f"Bench note {i}"}),
            ),
            "garment": (
                f"{site.url}/api/v1/garments/{garment_id}/",
                lambda i: ({"name": f"Bench name {i}"}, {"season": ("spring", "summer", "autumn", "winter")[i % 4]}),
            ),
        }
        outcome: dict[str, Counter[str | int]] = {kind: Counter() for kind in targets}
        lost = {kind: 0 for kind in targets}
        for round_index in range(args.rounds):
            for kind, (url, edits) in targets.items():
                version = session.get(url, timeout=30).json()["version"]
                barrier = threading.Barrier(2)

                def save(change: dict, url=url, version=version, barrier=barrier, kind=kind) -> tuple[int, dict]:
                    own = requests.Session()
                    own.headers["Authorization"] = f"Token {token}"
                    barrier.wait()
                    response = own.patch(url, json={**change, "version": version}, timeout=30)
                    if response.status_code == 409:  # told: re-read, re-apply on top of the winner's change
                        outcome[kind]["retried"] += 1
                        fresh = own.get(url, timeout=30).json()["version"]
                        response = own.patch(url, json={**change, "version": fresh}, timeout=30)
                    return response.status_code, change

                with ThreadPoolExecutor(2) as pool:
                    results = list(pool.map(save, edits(round_index)))
                for status, _ in results:
                    outcome[kind][status] += 1
                after = session.get(url, timeout=30).json()
                for _status, change in results:
                    lost[kind] += any(after[key] != value for key, value in change.items())
                outcome[kind]["versions_gained"] += after["version"] - version
    finally:
        site.stop(args.keep)
    rows: list[Row] = []
    for kind in targets:
        rows.append((f"{kind}: lost changes in {args.rounds} rounds", lost[kind], "0", lost[kind] == 0))
        rows.append((f"{kind}: stale saves refused (409) and retried", outcome[kind]["retried"], "-", None))
        rows.append(
            (
                f"{kind}: saves that ended 200",
                outcome[kind][200],
                f"{2 * args.rounds}",
                outcome[kind][200] == 2 * args.rounds,
            )
        )
    return report(
        "concurrent-edits",
        rows,
        {"rounds": args.rounds, "outcome": {k: dict(v) for k, v in outcome.items()}, "lost": lost, "rows": rows},
        args,
    )


SCENARIOS = {
    "slow-clients": slow_clients,
    "hostile-images": hostile_images,
    "spoofed-xff": spoofed_xff,
    "db-faults": db_faults,
    "concurrent-edits": concurrent_edits,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=[*SCENARIOS, "all"])
    parser.add_argument("--backend", choices=["tflite", "keras", "fake"], default="tflite", help="classifier backend")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument("--dataset", type=Path, default=default_dataset_dir(), help="clothing dataset folder")
    parser.add_argument("--database-url", default="", help="default: SQLite in the temp deployment")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    parser.add_argument("--duration", type=float, default=60, help="seconds of slow-clients and db-faults")
    parser.add_argument("--slow-clients", type=int, default=50)
    parser.add_argument("--target", choices=["nginx", "gunicorn"], default="nginx", help="slow clients talk to")
    parser.add_argument("--hostile", type=int, default=30)
    parser.add_argument("--attack-concurrency", type=int, default=8)
    parser.add_argument("--normal-clients", type=int, default=2, help="shoppers uploading during the attack")
    parser.add_argument("--spoof-requests", type=int, default=20, help="uploads per real client (two clients)")
    parser.add_argument("--rounds", type=int, default=50, help="concurrent-edits rounds")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "build")
    parser.add_argument("--keep", action="store_true", help="keep the temp deployments")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    met = True
    for name in names:
        met &= SCENARIOS[name](args).get("met_targets", False)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

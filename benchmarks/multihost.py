#!/usr/bin/env python
"""Several web hosts on one machine: 3 gunicorn instances, one MariaDB, one Redis, one Celery worker (with beat).

    .venv/bin/python benchmarks/multihost.py --database-url mysql://root@127.0.0.1:3306/scale_mh --seconds 60

Builds a throwaway deployment (production settings, the demo catalog tagged by the dataset's labels, media in a temp
folder standing in for the S3 bucket), starts the Celery worker (broker and cache on Redis, DB 2 by default), waits for
it to build the similarity index, then starts 3 gunicorn instances on 3 ports. Client threads spread requests over
the 3 hosts round-robin — a mix of recommendations by tag, similar items and photo uploads — and halfway through one
instance is killed (SIGKILL to its whole process group). Two client policies are counted separately, as a load
balancer would differ: "raw" (what a client sent to the dead host saw) and "with retry" (the request tried once on the
next host after a connection failure, as a load balancer with retries does). Prints throughput, p50/p95 before and
after the kill, errors by kind, and writes build/multihost.json.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from load import default_dataset_dir, percentile, run, test_split_photos  # noqa: E402

SLOTS_COLORS = [("top", "red"), ("top", "white"), ("bottom", "blue"), ("bottom", "black"), ("shoes", "white")]


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response = requests.get(f"{base}/healthz", timeout=5)
            if response.status_code == 200:
                return response.json()
        except requests.ConnectionError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"{base} exited:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    raise SystemExit(f"{base} never became healthy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a MariaDB database of your own (created if missing)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2", help="cache and Celery broker")
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per host")
    parser.add_argument("--clients", type=int, default=6, help="client threads")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-at", type=float, default=0.5, help="fraction of the run when one host is killed")
    parser.add_argument("--upload-share", type=float, default=0.2, help="share of requests that upload a photo")
    parser.add_argument("--backend", default="tflite")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "multihost.json")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    dataset = default_dataset_dir()
    photos = test_split_photos(dataset, 40)
    workdir = Path(tempfile.mkdtemp(prefix="fashion-multihost-"))
    ports = [8411 + i for i in range(args.hosts)]
    database = args.database_url.rsplit("/", 1)[1]
    subprocess.run(
        ["mysql", "-h127.0.0.1", "-uroot", "-e", f"CREATE DATABASE IF NOT EXISTS `{database}` CHARACTER SET utf8mb4"],
        check=True,
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": args.database_url,
        "CACHE_URL": args.redis,
        "CELERY_BROKER_URL": args.redis,
        "CELERY_QUEUE": f"multihost-{secrets.token_hex(4)}",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "SIMILARITY_INDEX_DIR": str(workdir / "index"),
        "FASHION_DATASET_DIR": str(dataset),
        "CLASSIFIER_BACKEND": args.backend,
        "CLASSIFIER_NUM_THREADS": "1",
        "API_THROTTLE_ANON": "1000000/min",
        "API_THROTTLE_FEEDBACK": "1000000/min",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESSLOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    python = sys.executable
    print(
        f"deployment in {workdir}: {args.hosts} hosts x {args.workers} workers, MariaDB {database}, Redis {args.redis}"
    )
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "collectstatic", "--noinput"], env)
    run([python, "manage.py", "load_demo_catalog", "--tagger", "dataset", "--per-cell", "3", "--no-download"], env)

    procs: list[subprocess.Popen] = []
    celery_log = workdir / "celery.log"
    celery = subprocess.Popen(
        [python, "-m", "celery", "-A", "fashion", "worker", "-B", "--concurrency=1", "-l", "warning",
         "-Q", env["CELERY_QUEUE"], "-s", str(workdir / "beat-schedule")],
        cwd=ROOT, env=env, stdout=celery_log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    procs.append(celery)
    hosts = []
    try:
        manifest = Path(env["MEDIA_ROOT"]) / "similarity" / "manifest.json"
        for _ in range(240):
            if manifest.exists():
                break
            time.sleep(0.5)
        print(f"similarity index built by the worker: {manifest.exists()}")
        for port in ports:
            log = workdir / f"gunicorn-{port}.log"
            proc = subprocess.Popen(
                [str(Path(python).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
                cwd=ROOT, env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
                stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            procs.append(proc)
            hosts.append((port, proc, log))
        for port, proc, log in hosts:
            print(f"host :{port} healthy: {wait_healthy(f'http://127.0.0.1:{port}', proc, log)}")
        garment_ids = requests.get(f"http://127.0.0.1:{ports[0]}/api/v1/garments/?page_size=100", timeout=10).json()
        garment_ids = [item["id"] for item in garment_ids["results"]]

        records: list[dict] = []
        lock = threading.Lock()
        rr = itertools.count()
        stop_at = time.monotonic() + args.seconds
        kill_at = time.monotonic() + args.seconds * args.kill_at
        killed_port = ports[1]

        def one_request(session: requests.Session, base: str, rng: random.Random) -> requests.Response:
            roll = rng.random()
            if roll < args.upload_share:
                name, content = photos[rng.randrange(len(photos))]
                return session.post(f"{base}/api/v1/recommendations/", files={"image": (name, content)}, timeout=30)
            if roll < args.upload_share + 0.25:
                return session.get(f"{base}/api/v1/garments/{rng.choice(garment_ids)}/similar/", timeout=30)
            slot, color = rng.choice(SLOTS_COLORS)
            return session.get(f"{base}/api/v1/recommendations/?slot={slot}&color={color}", timeout=30)

        def client(seed: int) -> None:
            session, rng = requests.Session(), random.Random(seed)
            while time.monotonic() < stop_at:
                first = next(rr) % len(ports)
                began = time.perf_counter()
                outcome, retried, port = "ok", False, ports[first]
                for attempt in range(2):
                    port = ports[(first + attempt) % len(ports)]
                    try:
                        response = one_request(session, f"http://127.0.0.1:{port}", rng)
                        outcome = "ok" if response.status_code < 400 else f"http {response.status_code}"
                        break
                    except requests.ConnectionError:
                        outcome, retried = "connection error", True
                        session = requests.Session()
                    except requests.Timeout:
                        outcome = "timeout"
                        break
                with lock:
                    records.append(
                        {
                            "t": time.monotonic(),
                            "ms": 1000 * (time.perf_counter() - began),
                            "outcome": outcome,
                            "retried": retried,
                            "first_port": ports[first],
                            "port": port,
                        }
                    )

        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        victim = hosts[1][1]
        while time.monotonic() < kill_at:
            time.sleep(0.1)
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        print(f"killed host :{killed_port} at {killed_at - started:.1f} s")
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        def summary(rows: list[dict], seconds: float) -> dict:
            ms = [r["ms"] for r in rows if r["outcome"] == "ok"]
            return {
                "requests": len(rows),
                "ok": len(ms),
                "throughput_rps": round(len(ms) / seconds, 2) if seconds else 0,
                "p50_ms": round(percentile(ms, 0.5), 1) if ms else None,
                "p95_ms": round(percentile(ms, 0.95), 1) if ms else None,
                "outcomes": dict(Counter(r["outcome"] for r in rows)),
                "needed_a_retry": sum(r["retried"] for r in rows),
                "per_host": dict(Counter(str(r["port"]) for r in rows if r["outcome"] == "ok")),
            }

        before = [r for r in records if r["t"] < killed_at]
        after = [r for r in records if r["t"] >= killed_at]
        result = {
            "hosts": args.hosts,
            "workers_per_host": args.workers,
            "clients": args.clients,
            "seconds": round(elapsed, 1),
            "killed_port": killed_port,
            "killed_at_s": round(killed_at - started, 1),
            "all": summary(records, elapsed),
            "before_kill": summary(before, killed_at - started),
            "after_kill": summary(after, started + elapsed - killed_at),
            "raw_errors_seen_without_retry": sum(r["retried"] for r in records),
            "errors_after_retry": sum(r["outcome"] != "ok" for r in records),
            "load": os.getloadavg(),
        }
        print(json.dumps(result, indent=2))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
    finally:
        for proc in procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        queue = env["CELERY_QUEUE"]
        with contextlib.suppress(Exception):  # the run's queue and its bindings on the shared broker
            redis.Redis.from_url(args.redis).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            subprocess.run(
                ["mysql", "-h127.0.0.1", "-uroot", "-e", f"DROP DATABASE IF EXISTS `{database}`"], check=False
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python
"""Load benchmark: the real server (nginx → gunicorn as `make serve` runs it, production settings, DEBUG off) under
concurrent photo uploads.

    python benchmarks/load.py --backend tflite      # or: make bench [BENCH_BACKEND=fake]

Builds a throwaway deployment in a temp folder (SQLite by default, or --database-url mysql://...), loads the demo
catalog (tagged from the dataset's labels: quick), starts it like `make serve` (scripts/serve.py: nginx in front of
gunicorn with 2 workers; `--direct` talks to gunicorn itself), uploads real photos from the
dataset's test split (FASHION_DATASET_DIR) to POST /api/v1/recommendations/ from --concurrency client threads, and
reports requests/second, p50/p95 latency, errors and each worker's RSS (from /proc). Writes build/bench.json.
Not a unit test: the figures depend on the machine; the targets are printed next to them.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from serve import Deployment  # noqa: E402

TARGETS = {"p50_ms": 60.0, "req_per_s": 40.0, "errors": 0, "rss_mb_per_worker": 450.0}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def default_dataset_dir() -> Path:
    shared = ROOT.parent / "shared" / "datasets" / "clothing-dataset"
    return Path(os.environ.get("FASHION_DATASET_DIR") or shared)


def test_split_photos(dataset_dir: Path, count: int) -> list[tuple[str, bytes]]:
    """The first `count` photos of the test split (never in the demo catalog), as (name, bytes)."""
    with (dataset_dir / "splits.csv").open(newline="", encoding="utf-8") as handle:
        ids = sorted(row["image"] for row in csv.DictReader(handle) if row["split"] == "test")
    photos = []
    for image_id in ids:
        path = dataset_dir / "images" / f"{image_id}.jpg"
        if path.exists():
            photos.append((path.name, path.read_bytes()))
        if len(photos) == count:
            break
    if not photos:
        raise SystemExit(f"no test-split photos under {dataset_dir}")
    return photos


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


class RssSampler(threading.Thread):
    """Peak RSS of each gunicorn worker, sampled every 0.2 s while the load runs."""

    def __init__(self, master_pid: int) -> None:
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.peak: dict[int, float] = {}
        self.stopped = threading.Event()

    def sample(self) -> None:
        for pid in children(self.master_pid):
            with contextlib.suppress(OSError):
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss_mb(pid))

    def run(self) -> None:
        while not self.stopped.wait(0.2):
            self.sample()


def run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["tflite", "keras", "fake"], default="tflite", help="classifier backend")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=3,
        help="client threads uploading at once (one more than the workers keeps both busy)",
    )
    parser.add_argument("--requests", type=int, default=400, help="measured uploads (after the warm-up)")
    parser.add_argument("--photos", type=int, default=100, help="distinct test-split photos to cycle through")
    parser.add_argument("--dataset", type=Path, default=default_dataset_dir(), help="clothing dataset folder")
    parser.add_argument("--database-url", default="", help="default: a SQLite file in the temp deployment")
    parser.add_argument("--tagger", choices=["dataset", "cnn"], default="dataset", help="who tags the demo catalog")
    parser.add_argument("--model-dir", default="", help="CLASSIFIER_MODEL_DIR (default: the settings' default)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    parser.add_argument("--keep", action="store_true", help="keep the temp deployment (database, media, gunicorn log)")
    parser.add_argument("--direct", action="store_true", help="upload to gunicorn itself, not through nginx")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    args = parser.parse_args()

    photos = test_split_photos(args.dataset, args.photos)
    workdir = Path(tempfile.mkdtemp(prefix="fashion-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fashion.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # plain HTTP on loopback; TLS is the load balancer's job
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "FASHION_DATASET_DIR": str(args.dataset),
        "CLASSIFIER_BACKEND": args.backend,
        "API_THROTTLE_ANON": "1000000/min",
        # Production needs a shared cache; a fresh key prefix keeps earlier runs' counts out.
        "CACHE_URL": f"{args.redis_url}?key_prefix=bench-{secrets.token_hex(4)}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
        "GUNICORN_ACCESSLOG": "",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    if args.model_dir:
        env["CLASSIFIER_MODEL_DIR"] = args.model_dir
    python = sys.executable
    print(f"deployment in {workdir} ({'MariaDB/MySQL' if args.database_url else 'SQLite'}, backend {args.backend})")
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "collectstatic", "--noinput"], env)
    started = time.monotonic()
    run([python, "manage.py", "load_demo_catalog", "--tagger", args.tagger, "--no-download"], env)
    print(f"demo catalog loaded in {time.monotonic() - started:.0f} s")

    deployment = Deployment(prefix=workdir / "nginx", env=env, listen_port=port, access_log=False)
    deployment.start()
    server, _nginx = deployment.processes()
    base = deployment.url if not args.direct else f"http://127.0.0.1:{deployment.upstream_port}"
    try:
        health = requests.get(f"{base}/healthz", timeout=10)
        if health.status_code != 200:
            raise SystemExit(f"/healthz never said ok: {health.text}")
        model_version = health.json()["model"]
        local = threading.local()

        def upload(index: int) -> tuple[float, int, str]:
            session = getattr(local, "session", None) or requests.Session()
            local.session = session
            name, content = photos[index % len(photos)]
            began = time.perf_counter()
            try:
                response = session.post(
                    f"{base}/api/v1/recommendations/", files={"image": (name, content, "image/jpeg")}, timeout=60
                )
                status, detail = response.status_code, "" if response.ok else response.text[:200]
            except requests.RequestException as exc:
                status, detail = 0, repr(exc)
            return (time.perf_counter() - began) * 1000, status, detail

        with ThreadPoolExecutor(args.concurrency) as pool:  # warm-up: sessions, caches, the model's first calls
            list(pool.map(upload, range(args.concurrency * 4)))
        sampler = RssSampler(server.pid)
        sampler.sample()
        sampler.start()
        began = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(upload, range(args.requests)))
        elapsed = time.perf_counter() - began
        sampler.stopped.set()
        sampler.join()
        sampler.sample()
    finally:
        deployment.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    latencies = [ms for ms, status, _ in results if status == 200]
    errors = [(status, detail) for _, status, detail in results if status != 200]
    worker_rss = {str(pid): round(mb, 1) for pid, mb in sorted(sampler.peak.items())}
    report = {
        "backend": args.backend,
        "model_version": model_version,
        "database": "mysql" if args.database_url else "sqlite",
        "served_by": "gunicorn" if args.direct else "nginx → gunicorn",
        "workers": args.workers,
        "threads_per_worker": args.threads,
        "concurrency": args.concurrency,
        "requests": len(results),
        "photos": len(photos),
        "seconds": round(elapsed, 2),
        "req_per_s": round(len(results) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "errors": len(errors),
        "error_samples": errors[:5],
        "worker_peak_rss_mb": worker_rss,
        "targets": TARGETS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
    }
    max_rss = max(worker_rss.values(), default=0.0)
    checks = [
        (
            "requests/second",
            f"{report['req_per_s']}",
            f">= {TARGETS['req_per_s']:.0f}",
            report["req_per_s"] >= TARGETS["req_per_s"],
        ),
        (
            "p50 latency (ms)",
            f"{report['p50_ms']}",
            f"<= {TARGETS['p50_ms']:.0f}",
            report["p50_ms"] is not None and report["p50_ms"] <= TARGETS["p50_ms"],
        ),
        ("p95 latency (ms)", f"{report['p95_ms']}", "-", None),
        ("errors", f"{report['errors']} / {len(results)}", "0", report["errors"] == 0),
        (
            "worker RSS, peak (MB)",
            ", ".join(f"{mb:.0f}" for mb in worker_rss.values()),
            f"<= {TARGETS['rss_mb_per_worker']:.0f} each",
            bool(worker_rss) and max_rss <= TARGETS["rss_mb_per_worker"],
        ),
    ]
    report["met_targets"] = all(ok for *_, ok in checks if ok is not None)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"\nPOST /api/v1/recommendations/ — {report['served_by']}, backend {args.backend} (model {model_version}), "
        f"{args.workers} gunicorn "
        f"workers × {args.threads} threads, {args.concurrency} concurrent clients, {len(results)} uploads of "
        f"{len(photos)} test-split photos, {report['database']}"
    )
    print(f"{'metric':24} {'measured':>18} {'target':>16}  result")
    for name, measured, target, ok in checks:
        verdict = "" if ok is None else ("ok" if ok else "MISSED")
        print(f"{name:24} {measured:>18} {target:>16}  {verdict}")
    if errors:
        print("first errors:", errors[:3])
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

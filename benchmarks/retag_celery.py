#!/usr/bin/env python
"""Re-tag a large catalog through Celery with several workers, and check the site stays responsive meanwhile.

    .venv/bin/python benchmarks/retag_celery.py --garments 20000 --workers 2 \
        --database-url mysql://root@127.0.0.1:3306/scale_retag

A throwaway deployment (its own MariaDB database, media in a temp folder whose garment photos are links to the
clothing dataset's photos) gets N garments in bulk, tagged "old"; `--workers` Celery workers (one process each, TFLite,
one thread) take the job's chunks from Redis; one gunicorn host serves meanwhile and a probe requests a recommendation
and a garment page every half second. Prints the wall time, garments/s, and the probe's p50/p95 before and during the
job; writes build/retag_celery.json.
"""

from __future__ import annotations

import argparse
import contextlib
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
from pathlib import Path

import django
import redis
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from load import default_dataset_dir, percentile, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/2")
    parser.add_argument("--garments", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8431)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "retag_celery.json")
    args = parser.parse_args()

    dataset = default_dataset_dir()
    workdir = Path(tempfile.mkdtemp(prefix="fashion-retag-"))
    media = workdir / "media"
    (media / "garments").mkdir(parents=True)
    photos = sorted((dataset / "images").glob("*.jpg"))
    if not photos:
        raise SystemExit(f"no photos in {dataset / 'images'} (set FASHION_DATASET_DIR)")
    for i, photo in enumerate(photos):
        (media / "garments" / f"ds-{i}.jpg").symlink_to(photo)
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
        "CELERY_QUEUE": f"retag-{secrets.token_hex(4)}",
        "MEDIA_ROOT": str(media),
        "STATIC_ROOT": str(workdir / "static"),
        "CLASSIFIER_BACKEND": "tflite",
        "CLASSIFIER_NUM_THREADS": "1",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)
    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput"], env)
    run([python, "manage.py", "collectstatic", "--noinput"], env)
    sys.path.insert(0, str(ROOT))
    django.setup()
    # lazy: the project's models can be imported only after django.setup() (settings come from the env set above)
    from catalog.models import Garment  # noqa: PLC0415
    from catalog.services import starter_rules_load  # noqa: PLC0415
    from catalog.tasks import retag_job_start  # noqa: PLC0415
    from jobs.models import Job, JobStatus  # noqa: PLC0415
    from vocabulary import COLOR_CODES, TYPE_CODES, slot_of_type  # noqa: PLC0415

    starter_rules_load()
    rng = random.Random(0)
    started = time.monotonic()
    batch = []
    for n in range(args.garments):
        type_code = rng.choice(TYPE_CODES)
        batch.append(
            Garment(
                name=f"garment {n}",
                image=f"garments/ds-{n % len(photos)}.jpg",
                type=type_code,
                slot=slot_of_type(type_code),
                color=rng.choice(COLOR_CODES),
                model_version="old",
                source_key=f"retag-bench:{n}",
            )
        )
    Garment.objects.bulk_create(batch, batch_size=5000)
    print(f"{args.garments} garments created in {time.monotonic() - started:.1f} s")

    procs = []
    try:
        for i in range(args.workers):
            procs.append(
                subprocess.Popen(
                    [python, "-m", "celery", "-A", "fashion", "worker", "--concurrency=1", "-l", "warning",
                     "-n", f"retag{i}@%h", "-Q", env["CELERY_QUEUE"]],
                    cwd=ROOT, env=env, stdout=(workdir / f"worker{i}.log").open("w"), stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )  # fmt: skip
        web = subprocess.Popen(
            [str(Path(python).parent / "gunicorn"), "-c", "gunicorn.conf.py"],
            cwd=ROOT, env=env, stdout=(workdir / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        procs.append(web)
        base = f"http://127.0.0.1:{args.port}"
        for _ in range(240):
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        some_id = Garment.objects.order_by("id").values_list("id", flat=True)[5]
        probes: list[tuple[float, str, float, int]] = []
        stop = threading.Event()
        phase = {"name": "before"}

        def probe() -> None:
            session = requests.Session()
            urls = [f"{base}/api/v1/recommendations/?slot=top&color=red", f"{base}/garments/{some_id}/"]
            i = 0
            while not stop.is_set():
                url = urls[i % 2]
                i += 1
                began = time.perf_counter()
                try:
                    status = session.get(url, timeout=30).status_code
                except requests.RequestException:
                    status = 0
                probes.append((time.monotonic(), phase["name"], 1000 * (time.perf_counter() - began), status))
                time.sleep(0.5)

        prober = threading.Thread(target=probe)
        prober.start()
        time.sleep(15)
        phase["name"] = "during"
        job = retag_job_start()
        began = time.monotonic()
        last = -1
        while time.monotonic() - began < args.timeout:
            job.refresh_from_db()
            if job.status in (JobStatus.DONE, JobStatus.FAILED):
                break
            if job.done // 1000 != last:
                last = job.done // 1000
                print(f"  {time.monotonic() - began:6.0f} s: {job.done + job.failed}/{job.total}", flush=True)
            time.sleep(2)
        wall = time.monotonic() - began
        stop.set()
        prober.join()
        job = Job.objects.get(pk=job.pk)

        def stats(name: str) -> dict:
            ms = [p[2] for p in probes if p[1] == name and p[3] == 200]
            errors = sum(1 for p in probes if p[1] == name and p[3] != 200)
            return {
                "requests": len([p for p in probes if p[1] == name]),
                "errors": errors,
                "p50_ms": round(percentile(ms, 0.5), 1) if ms else None,
                "p95_ms": round(percentile(ms, 0.95), 1) if ms else None,
                "max_ms": round(max(ms), 1) if ms else None,
            }

        result = {
            "garments": args.garments,
            "workers": args.workers,
            "status": job.status,
            "done": job.done,
            "failed": job.failed,
            "wall_s": round(wall, 1),
            "garments_per_s": round(job.done / wall, 1) if wall else None,
            "job_created_to_finished_s": round((job.finished_at - job.created_at).total_seconds(), 1)
            if job.finished_at
            else None,
            "probe_before": stats("before"),
            "probe_during": stats("during"),
            "model_versions": sorted(set(Garment.objects.values_list("model_version", flat=True))),
            "load": os.getloadavg(),
        }
        print(json.dumps(result, indent=2))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        queue = env["CELERY_QUEUE"]
        with contextlib.suppress(Exception):  # the run's queue and its bindings on the shared broker
            redis.Redis.from_url(args.redis).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        connection.close()
        subprocess.run(["mysql", "-h127.0.0.1", "-uroot", "-e", f"DROP DATABASE IF EXISTS `{database}`"], check=False)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

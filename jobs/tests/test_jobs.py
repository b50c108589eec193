"""Background jobs: in-process (no broker) through the admin and the services, and once on a real Celery worker."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import Garment
from catalog.services import garments_set_active
from catalog.similarity import _delta_index, garments_similar_to, host_index, read_manifest, similarity_index_build
from catalog.tasks import import_photos, import_photos_job_start, retag_chunk, retag_job_start, similarity_index_refresh
from catalog.tests.factories import garment_factory, image_bytes
from catalog.vector_index import EmbeddingIndex
from fashion.celery import app
from jobs.models import Job, JobChunk, JobKind, JobStatus
from recommender.models import CorrectionStatus, ShopperUpload, TagCorrection
from recommender.services import uploads_expired, uploads_purge_batched

pytestmark = pytest.mark.django_db


@pytest.fixture
def stylist_client() -> Client:
    user = User.objects.create_superuser("stylist", "s@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_of_photos_becomes_garments_and_the_job_records_each_file(stylist_client):
    archive = _zip(
        {
            "shoot/blue_shirt.jpg": image_bytes("blue"),
            "shoot/IMG_0001.HEIC": (Path(settings.BASE_DIR) / "fashion/tests/bad_inputs/phone.heic").read_bytes(),
            "shoot/notes.jpg": b"not a photo",
            "__MACOSX/shoot/._blue_shirt.jpg": b"junk",
            "readme.txt": b"ignored",
        }
    )
    files = [
        SimpleUploadedFile("looks.zip", archive, content_type="application/zip"),
        SimpleUploadedFile("red_tee.jpg", image_bytes("red"), content_type="image/jpeg"),
    ]
    response = stylist_client.post("/admin/catalog/garment/upload/", {"photos": files})
    assert response.status_code == 200
    html = response.content.decode()
    assert "3 garments added." in html and "1 file could not be used." in html and "notes.jpg" in html
    job = Job.objects.get()
    assert (job.kind, job.status, job.total, job.done, job.failed) == (JobKind.IMPORT_PHOTOS, "done", 4, 3, 1)
    assert Garment.objects.count() == 3  # a phone's HEIC photo in the zip is a garment too
    assert {"Blue shirt", "Red tee"} <= set(Garment.objects.values_list("name", flat=True))
    assert not list((settings.MEDIA_ROOT / "imports").rglob("*.*"))  # the kept uploads are deleted afterwards
    # The job's page gives each file's reason in the console's language (the catalog registers how its reasons read).
    page = stylist_client.get(f"/admin/jobs/job/{job.pk}/change/", HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "looks.zip/shoot/notes.jpg" in page and "읽을 수 있는 사진 파일이 아닙니다" in page


def test_a_repeated_import_task_adds_nothing_twice():
    job = import_photos_job_start(files=[SimpleUploadedFile("a.jpg", image_bytes("red"))])
    assert Garment.objects.count() == 1
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)  # as if the worker died before finishing
    import_photos.apply(args=(job.pk,))  # the broker delivers the message again (acks late)
    assert Garment.objects.count() == 1
    job.refresh_from_db()
    assert (job.status, job.done) == ("done", 1)


def test_retag_job_counts_each_chunk_once(stylist_client):
    garments = [garment_factory(color="red") for _ in range(3)]
    job = retag_job_start(garment_ids=[g.pk for g in garments])
    assert (job.status, job.total, job.done, job.result) == ("done", 3, 3, {"retagged": 3, "skipped": 0})
    retag_chunk.apply(args=(job.pk, 0, [g.pk for g in garments]))  # delivered twice
    job.refresh_from_db()
    assert job.done == 3 and JobChunk.objects.filter(job=job).count() == 1


def test_job_list_shows_progress_and_starts_catalog_jobs(stylist_client):
    garment_factory(color="red")
    response = stylist_client.post("/admin/jobs/job/start/similarity_index/")
    job = Job.objects.get(kind=JobKind.SIMILARITY_INDEX)
    assert response.status_code == 302 and response["Location"].endswith(f"/admin/jobs/job/{job.pk}/change/")
    assert job.status == JobStatus.DONE and job.result["size"] == 1
    html = stylist_client.get("/admin/jobs/job/").content.decode()
    assert 'class="job-progress"' in html and "Build the similarity index" in html
    assert stylist_client.get(f"/admin/jobs/job/{job.pk}/change/").status_code == 200
    assert stylist_client.get("/admin/jobs/job/start/retag/").status_code == 405


def test_purge_deletes_in_batches_and_keeps_what_is_needed(django_capture_on_commit_callbacks):
    old = timezone.now() - timedelta(days=40)
    ShopperUpload.objects.bulk_create(
        [
            ShopperUpload(
                detected_type="t-shirt",
                detected_slot="top",
                detected_color="red",
                type_confidence=0.9,
                slot_confidence=0.9,
                color_confidence=0.9,
                image=f"uploads/x{i}.jpg",
            )
            for i in range(25)
        ]
    )
    ShopperUpload.objects.filter(pk__in=list(ShopperUpload.objects.values_list("pk", flat=True)[:23])).update(
        created_at=old
    )
    queries = []
    record = connection.execute_wrapper(lambda execute, sql, *a: queries.append(sql) or execute(sql, *a))
    with django_capture_on_commit_callbacks(execute=True), record:
        deleted = uploads_purge_batched(uploads=uploads_expired(older_than_days=30), batch=10)
    assert deleted == 23 and ShopperUpload.objects.count() == 2
    selects = [q for q in queries if q.lstrip().upper().startswith("SELECT") and "LIMIT 10" in q.upper()]
    assert len(selects) == 4  # 10 + 10 + 3, then an empty batch


def test_similar_items_use_the_built_index_and_see_changes_at_once(settings):
    settings.SIMILARITY_CHECK_SECONDS = 0
    red = [garment_factory(color="red") for _ in range(3)]
    blue = garment_factory(color="blue")
    manifest = similarity_index_build()
    assert manifest["size"] == 4 and host_index() is not None and host_index().size == 4
    before = [m.garment.pk for m in garments_similar_to(garment=red[0], k=3)]
    assert set(before[:2]) == {red[1].pk, red[2].pk}
    garments_set_active(garments=[red[1]], active=False)  # bulk: no save(), but updated_at moves
    after = [m.garment.pk for m in garments_similar_to(garment=red[0], k=3)]
    assert red[1].pk not in after and red[2].pk in after
    new = garment_factory(color="red")  # not in the index yet: found through the delta
    assert new.pk in [m.garment.pk for m in garments_similar_to(garment=red[0], k=2)]
    Garment.objects.filter(pk=blue.pk).update(model_version="older-model", updated_at=timezone.now())
    assert blue.pk not in [m.garment.pk for m in garments_similar_to(garment=red[0], k=10)]


def test_a_stale_index_is_rebuilt_by_the_scheduled_refresh():
    garment_factory(color="red")
    assert similarity_index_refresh.apply().get() is True
    assert similarity_index_refresh.apply().get() is False  # nothing changed
    garment_factory(color="blue")
    assert similarity_index_refresh.apply().get() is True and read_manifest()["size"] == 2


# ---------------------------------------------------------------- a real worker on a real broker


def _broker_url() -> str:
    return os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"mysql://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"


def _start_worker(queue: str, log) -> subprocess.Popen:
    """A worker whose output goes to `log` (a file: a pipe nobody reads would stall a chatty worker)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fashion.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": _broker_url(),
        "CELERY_QUEUE": queue,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CLASSIFIER_BACKEND": "fake",
        # Redis redelivers a dead worker's unacknowledged message after this (RabbitMQ: as soon as it disconnects).
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_UNACKED_RESTORE_INTERVAL": "1",
        "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        # The killed worker may die holding the sweep's lock: the next worker must not wait the default 300 s for it.
        "CELERY_UNACKED_MUTEX_EXPIRE": "10",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fashion", "worker", "--pool=solo", "-l", "info", "-Q", queue],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _drop_connection_pools(app) -> None:
    """Forget the app's broker connection and producer pools (Celery keeps them across a broker_url change)."""
    if app._pool is not None:
        app._pool.force_close_all()
    app._after_fork()


def _tail(path, lines: int = 40) -> str:
    """The end of a worker's log, for a failure message."""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def _wait(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_retag_job_and_one_killed_mid_job_is_taken_over(settings, tmp_path):
    """Celery worker subprocesses on the broker (Redis DB 2 unless TEST_CELERY_BROKER_URL): a job started from the web
    side finishes on the worker; a second job's worker is killed (SIGKILL) with messages still unacknowledged, and a
    new worker finishes it."""
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(_broker_url(), socket_timeout=2).ping()
    except Exception as exc:  # pragma: no cover - CI starts a broker (.ci/run)
        pytest.skip(f"no broker at {_broker_url()}: {exc}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "task_default_queue")}
    app.conf.update(task_always_eager=False, broker_url=_broker_url(), task_default_queue=queue)
    _drop_connection_pools(app)  # earlier eager tasks built a producer pool for the default broker (amqp://localhost)
    settings.CLASSIFIER_BACKEND = "fake"
    garments = [garment_factory(color="red") for _ in range(250)]  # 3 chunks of RETAG_CHUNK
    Garment.objects.update(type="shirt", model_version="old")
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    log = logs[0].open("w")
    worker = _start_worker(queue, log)
    try:
        job = retag_job_start(garment_ids=[g.pk for g in garments])
        assert job.status in (JobStatus.QUEUED, JobStatus.RUNNING)  # not run in-process
        assert _wait(lambda: Job.objects.get(pk=job.pk).status == JobStatus.DONE, 300), _tail(logs[0])
        job.refresh_from_db()
        assert (job.done, job.failed) == (250, 0)
        assert set(Garment.objects.values_list("model_version", flat=True)) == {"fake"}

        # A worker killed mid-job: its unacknowledged chunk goes back to the queue (acks late) for the next worker.
        Garment.objects.update(model_version="old")
        second = retag_job_start(garment_ids=[g.pk for g in garments])
        assert _wait(lambda: JobChunk.objects.filter(job=second).exists(), 120), _tail(logs[0])
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        log.close()
        killed_at = Job.objects.get(pk=second.pk)
        log = logs[1].open("w")
        worker = _start_worker(queue, log)
        finished = _wait(lambda: Job.objects.get(pk=second.pk).status == JobStatus.DONE, 300)
        second.refresh_from_db()
        chunks = list(JobChunk.objects.filter(job=second).values_list("number", flat=True))
        assert finished, (killed_at.done, second.done, chunks, _tail(logs[0]), _tail(logs[1]))
        print(f"killed with {killed_at.done} of 250 done")
        assert (second.done, second.failed) == (250, 0), (killed_at.done, second.done)
        assert JobChunk.objects.filter(job=second).count() == 3
        assert set(Garment.objects.values_list("model_version", flat=True)) == {"fake"}
    finally:
        worker.kill()
        worker.wait(10)
        log.close()
        redis.Redis.from_url(_broker_url()).delete(
            queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
        )
        app.conf.update(saved)
        _drop_connection_pools(app)


def test_the_index_vectors_are_what_the_catalog_holds():
    garment = garment_factory(color="green")
    similarity_index_build()
    index = host_index()
    stored = np.frombuffer(bytes(garment.embedding), dtype=np.float32)
    assert index.nearest(stored, 1)[0][0] == garment.pk


def test_every_worker_maps_the_one_index_file_instead_of_loading_a_copy():
    garment_factory(color="green")
    manifest = similarity_index_build()
    assert host_index() is not None
    path = str(settings.MEDIA_ROOT / manifest["file"])
    with open("/proc/self/maps") as maps:  # Linux: the file is mapped (page cache, shared by the host's workers)
        assert any(line.rstrip().endswith(path) for line in maps)


def test_the_delta_holds_the_latest_changes_only_and_older_ones_still_show_correctly(settings):
    settings.SIMILARITY_CHECK_SECONDS = 0
    settings.SIMILARITY_DELTA_LIMIT = 2
    red = [garment_factory(color="red") for _ in range(3)]
    similarity_index_build()
    garments_set_active(garments=[red[1]], active=False)  # a change that will fall out of the delta
    added = [garment_factory(color="red") for _ in range(3)]
    delta, changed = _delta_index(since=host_index().built_at, model_version="fake")
    assert sorted(delta.ids.tolist()) == sorted(g.pk for g in added[1:])  # the latest two changes
    assert changed.tolist() == sorted(g.pk for g in added[1:])
    similar = [m.garment.pk for m in garments_similar_to(garment=red[0], k=10)]
    assert red[1].pk not in similar  # deactivated: dropped when the results are re-read
    assert red[2].pk in similar and {g.pk for g in added[1:]} <= set(similar)
    assert added[0].pk not in similar  # added beyond the limit: found after the next build
    similarity_index_build()
    assert added[0].pk in [m.garment.pk for m in garments_similar_to(garment=red[0], k=10)]


def test_an_embedding_index_skips_rows_without_or_with_another_size_of_embedding():
    rows = [(1, np.ones(4, np.float32).tobytes()), (2, None), (3, np.ones(3, np.float32).tobytes())]
    rows.append((4, memoryview(np.arange(4, dtype=np.float32).tobytes())))
    index = EmbeddingIndex.from_rows(rows)
    assert index.ids.tolist() == [1, 4]
    assert np.allclose(np.linalg.norm(index.matrix, axis=1), 1.0)
    assert index.nearest(np.ones(4, np.float32), 1) == [(1, pytest.approx(1.0))]


def test_export_job_writes_a_zip_of_the_accepted_corrections(stylist_client):
    api = APIClient()
    upload_id = api.post(
        "/api/v1/recommendations/", {"image": SimpleUploadedFile("p.jpg", image_bytes("red", (80, 100)))}
    ).json()["upload_id"]
    api.post(f"/api/v1/recommendations/{upload_id}/correction/", {"type": "polo"}, format="json")
    TagCorrection.objects.update(status=CorrectionStatus.ACCEPTED)
    stylist_client.post("/admin/jobs/job/start/export_corrections/")
    job = Job.objects.get(kind=JobKind.EXPORT_CORRECTIONS)
    assert job.status == JobStatus.DONE and job.result["photos"] == 1
    with zipfile.ZipFile(settings.MEDIA_ROOT / job.result["file"]) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
        assert sorted(names) == ["corrections.csv", f"images/{upload_id}.jpg"]

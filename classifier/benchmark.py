"""Forward-pass latency of a classifier artifact on this machine (TensorFlow only for the keras backend)."""

from __future__ import annotations

import io
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from classifier.imaging import open_image, to_model_input
from classifier.predictor import load_predictor, model_backed
from classifier.regions import reframe


@dataclass(frozen=True)
class BenchmarkResult:
    backend: str
    image_size: int
    runs: int
    batch: int
    single_p50_ms: float
    single_p95_ms: float
    batch_images_per_second: float
    artifact_mb: float
    preprocess_p50_ms: float
    threads: int = 2
    # A whole reading through Predictor.predict (preprocessing, every head, detection, each garment's crop read in a
    # second batched pass): of one-garment photos, and of whole-outfit photos.
    flat_reading_p50_ms: float | None = None
    flat_reading_p95_ms: float | None = None
    reading_p50_ms: float | None = None
    reading_p95_ms: float | None = None
    outfit_garments_mean: float | None = None
    # The same outfit photos framed as phones and shops frame them (phone_framings: 9:16 and 3:4 in turn), which the
    # product reads a second time as a street photo is framed (regions.street_view).
    phone_reading_p50_ms: float | None = None
    phone_reading_p95_ms: float | None = None
    # The machine's processor and the vector instructions the int8 kernels use: the same artifact reads a photo
    # several times faster with AVX-512 VNNI than with AVX2 alone, so a figure means little without it.
    cpu: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def benchmark(
    model_dir: Path,
    *,
    backend: str = "tflite",
    runs: int = 200,
    batch: int = 32,
    threads: int = 2,
    flat_photos: list | None = None,
    outfit_photos: list | None = None,
) -> BenchmarkResult:
    """p50/p95 of one warm single-image forward pass, images/s for batches of `batch` (preprocessing excluded), and,
    given photos (PIL images), p50/p95 of a whole `predict` of one-garment and of whole-outfit photos."""
    # Times the bare forward pass at the model's input size: a model-backed predictor.
    predictor = model_backed(load_predictor(model_dir, backend=backend, num_threads=threads), "benchmark")
    size = predictor.image_size
    rng = np.random.default_rng(0)
    single = rng.uniform(-1, 1, (1, size, size, 3)).astype(np.float32)
    for _ in range(10):
        predictor._forward(single)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        predictor._forward(single)
        timings.append(time.perf_counter() - start)
    many = rng.uniform(-1, 1, (batch, size, size, 3)).astype(np.float32)
    predictor._forward(many)
    batch_runs = max(3, runs // batch)
    start = time.perf_counter()
    for _ in range(batch_runs):
        predictor._forward(many)
    elapsed = time.perf_counter() - start
    preprocess = _preprocess_timings(size, runs=max(20, runs // 4))
    artifact = sum(p.stat().st_size for p in Path(model_dir).resolve().rglob("*") if p.is_file())
    readings: dict = {}
    phone_photos = phone_framings(outfit_photos or [])
    for name, photos in (("flat_reading", flat_photos), ("reading", outfit_photos), ("phone_reading", phone_photos)):
        if not photos:
            continue
        for photo in photos[:3]:
            predictor.predict(photo)
        times, garments = [], []
        for i in range(max(runs // 2, len(photos))):
            photo = photos[i % len(photos)]
            start = time.perf_counter()
            prediction = predictor.predict(photo)
            times.append(time.perf_counter() - start)
            garments.append(len(prediction.garments))
        readings[f"{name}_p50_ms"] = round(float(np.percentile(times, 50)) * 1e3, 2)
        readings[f"{name}_p95_ms"] = round(float(np.percentile(times, 95)) * 1e3, 2)
        if name == "reading":
            readings["outfit_garments_mean"] = round(float(np.mean(garments)), 2)
    return BenchmarkResult(
        backend=backend,
        image_size=size,
        runs=runs,
        batch=batch,
        single_p50_ms=round(float(np.percentile(timings, 50)) * 1e3, 2),
        single_p95_ms=round(float(np.percentile(timings, 95)) * 1e3, 2),
        batch_images_per_second=round(batch * batch_runs / elapsed, 1),
        artifact_mb=round(artifact / 1e6, 2),
        preprocess_p50_ms=round(float(np.percentile(preprocess, 50)) * 1e3, 2),
        threads=threads,
        cpu=cpu_summary(),
        **readings,
    )


def phone_framings(photos: Sequence[Image.Image]) -> list[Image.Image]:
    """Street photos framed as a phone or a shop frames them (regions.reframe), in turn: cut at the sides to 9:16 (the
    person filling the height), and widened to 3:4 with their border's colour."""
    return [reframe(photo.convert("RGB"), 16 / 9 if i % 2 == 0 else 4 / 3) for i, photo in enumerate(photos)]


def cpu_summary(cpuinfo: str | None = None) -> str:
    """ "AMD EPYC, 2 cores, AVX2 (no AVX-512 VNNI)" from /proc/cpuinfo (or `cpuinfo`); the platform's word elsewhere."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return platform.processor() or platform.machine()
    names = [line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")]
    flags = next(
        (set(line.split(":", 1)[1].split()) for line in cpuinfo.splitlines() if line.startswith("flags")), set()
    )
    if "avx512_vnni" in flags or "avx_vnni" in flags:
        vector = "AVX-512 VNNI" if "avx512_vnni" in flags else "AVX-VNNI"
    elif "avx2" in flags:
        vector = "AVX2 (no AVX-512 VNNI)"
    else:
        vector = "no AVX2"
    name = names[0] if names else (platform.processor() or platform.machine())
    cores = len(names) or os.cpu_count() or 1
    return f"{name}, {cores} core{'s' if cores != 1 else ''}, {vector}"


def _preprocess_timings(size: int, *, runs: int) -> list[float]:
    """open_image + to_model_input on a dataset-sized (400×533) JPEG, as an upload goes through them."""
    rng = np.random.default_rng(1)
    photo = Image.fromarray(rng.integers(0, 255, (533, 400, 3), dtype=np.uint8)).filter(_blur())
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=90)
    data = buffer.getvalue()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        to_model_input(open_image(data), size)
        timings.append(time.perf_counter() - start)
    return timings


def _blur():
    # Smooth noise compresses and decodes like a photo rather than like static.
    return ImageFilter.GaussianBlur(3)

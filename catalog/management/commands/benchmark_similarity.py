"""Measure "looks similar" at catalog scale: the host index (usearch HNSW, int8, memory-mapped) on synthetic
embeddings, and how much memory it costs a host with several workers.

    python manage.py benchmark_similarity --garments 1000000 --workers 3

Synthetic embeddings are clustered (like a real catalog: many near-duplicates and families of garments), seeded. The
index is built with the production settings (catalog/similarity.py), saved, then `--workers` separate processes each
memory-map the same file and run the queries: p50/p95 per query (k=8, over-fetching like the service does), recall@8
against exact search, and each process's resident/proportional/private memory for the mapping (from /proc smaps).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandParser
from usearch.index import Index

from catalog.similarity import (
    INDEX_CONNECTIVITY,
    INDEX_DTYPE,
    INDEX_EXPANSION_ADD,
    INDEX_EXPANSION_SEARCH,
    RESCORE_FACTOR,
    EmbeddingIndex,
)
from classifier.predictor import get_predictor


def _pct(samples, q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


def _synthetic(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(n // 500, 1), dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(start + 100_000, n)
        picks = rng.integers(0, len(centres), size=stop - start)
        out[start:stop] = centres[picks] + 0.6 * rng.normal(size=(stop - start, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def _mapping_memory_kb(path: str) -> dict:
    """Rss/Pss/Private of this process's mappings of `path` (kB)."""
    totals = {"Rss": 0, "Pss": 0, "Private_Clean": 0, "Private_Dirty": 0}
    inside = False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            parts = line.split()
            if len(parts) >= 5 and "-" in parts[0] and not parts[0].endswith(":"):
                inside = line.rstrip().endswith(path)
            elif inside and parts[0].rstrip(":") in totals:
                totals[parts[0].rstrip(":")] += int(parts[1])
    return totals


def _rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def _anon_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def _worker(path: str, queries: np.ndarray, k: int, warmup: int, barrier, out) -> None:
    anon_before = _anon_kb()
    index = Index.restore(path, view=True)
    if index is None:
        raise RuntimeError(f"{path} is not a usearch index")
    # usearch defines this property's setter apart from its getter, which mypy reads as read-only
    index.expansion_search = INDEX_EXPANSION_SEARCH  # type: ignore[misc]
    cold: list[float] = []
    timings: list[float] = []
    found: list[list[int]] = []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        matches = index.search(query, RESCORE_FACTOR * k + 9)
        (cold if i < warmup else timings).append(1000 * (time.perf_counter() - started))
        found.append([int(key) for key in matches.keys[: RESCORE_FACTOR * k]])
    barrier.wait()  # every worker holds its mapping while each one measures
    report = {
        "cold": cold,
        "timings": timings,
        "found": found,
        "mapping_kb": _mapping_memory_kb(path),
        "anon_growth_kb": _anon_kb() - anon_before,
    }
    barrier.wait()
    out.put(report)


class Command(BaseCommand):
    help = "Similar-items index at scale: build time, query p50/p95, recall, memory per host with several workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--garments", type=int, default=10_000, help="Catalog size to simulate.")
        parser.add_argument("--dim", type=int, default=0, help="Embedding size (default: the current model's).")
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument("--k", type=int, default=8)
        parser.add_argument("--workers", type=int, default=3, help="Processes mapping the index at once.")
        parser.add_argument("--recall-queries", type=int, default=50)
        parser.add_argument("--dtype", default=INDEX_DTYPE, help="Vector storage in the index (production: i8).")
        parser.add_argument("--warmup", type=int, default=100, help="First queries of each worker, timed apart (cold).")

    def handle(
        self,
        *args,
        garments: int,
        dim: int,
        queries: int,
        k: int,
        workers: int,
        recall_queries: int,
        warmup: int,
        dtype: str,
        **o,
    ):
        if not dim:
            dim = get_predictor().embedding_dim
        vectors = _synthetic(garments, dim)
        rng = np.random.default_rng(1)
        picks = rng.integers(0, garments, size=queries)
        query_vectors = vectors[picks] + 0.05 * rng.normal(size=(queries, dim)).astype(np.float32)

        started = time.perf_counter()
        index = Index(
            ndim=dim,
            metric="cos",
            dtype=dtype,
            connectivity=INDEX_CONNECTIVITY,
            expansion_add=INDEX_EXPANSION_ADD,
            expansion_search=INDEX_EXPANSION_SEARCH,
        )
        keys = np.arange(garments, dtype=np.uint64)
        for start in range(0, garments, 50_000):
            index.add(keys[start : start + 50_000], vectors[start : start + 50_000])
        build_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "index.usearch")
            index.save(path)
            file_mb = Path(path).stat().st_size / 1e6
            del index
            ctx = multiprocessing.get_context("fork")
            out = ctx.Queue()
            barrier = ctx.Barrier(workers)
            procs = [
                ctx.Process(target=_worker, args=(path, query_vectors, k, warmup, barrier, out)) for _ in range(workers)
            ]
            for proc in procs:
                proc.start()
            reports = [out.get() for _ in procs]
            for proc in procs:
                proc.join()
        timings = [t for report in reports for t in report["timings"]] or [0.0]
        # Recall@k against exact search (brute force over the float32 vectors) on the first queries.
        exact = EmbeddingIndex(ids=keys.astype(np.int64), matrix=vectors)
        hits = rescored_hits = total = 0
        for q in range(min(recall_queries, queries)):
            truth = {i for i, _ in exact.nearest(query_vectors[q], k)}
            candidates = reports[0]["found"][q]
            hits += len(truth & set(candidates[:k]))
            # What the service does: exact cosine of the candidates' float32 embeddings (read with the garments).
            query = query_vectors[q] / np.linalg.norm(query_vectors[q])
            rescored = sorted(candidates, key=lambda i: -float(vectors[i] @ query))[:k]
            rescored_hits += len(truth & set(rescored))
            total += k
        pss_mb = sum(r["mapping_kb"]["Pss"] for r in reports) / 1024
        anon_mb = [round(r["anon_growth_kb"] / 1024, 1) for r in reports]
        cold = [t for report in reports for t in report["cold"]]
        self.stdout.write(
            f"garments={garments} dim={dim} dtype={dtype} build_s={build_s:.1f} file_mb={file_mb:.0f} "
            f"query_p50_ms={_pct(timings, 50):.3f} query_p95_ms={_pct(timings, 95):.3f} "
            f"(first {warmup} per worker: p50={_pct(cold, 50):.3f} p95={_pct(cold, 95):.3f}) "
            f"recall@{k}={hits / total:.3f} (index order), "
            f"{rescored_hits / total:.3f} (top {RESCORE_FACTOR * k} rescored)"
        )
        self.stdout.write(
            f"workers={workers}: index pages resident for the host (sum of the workers' Pss)={pss_mb:.0f} MB, "
            f"each worker's Rss of the mapping={[round(r['mapping_kb']['Rss'] / 1024) for r in reports]} MB, "
            f"each worker's private (anonymous) growth={anon_mb} MB; "
            f"host total={pss_mb + sum(anon_mb):.0f} MB"
        )

"""Measure "looks similar" at catalog scale: the host index (usearch HNSW, int8, memory-mapped) on synthetic
embeddings, and how much memory it costs a host with 1, 3, 5 or 8 workers.

    python manage.py benchmark_similarity --garments 1000000 --workers 1,3,5,8 --index-file /tmp/sim-1m.usearch

Synthetic embeddings are clustered (like a real catalog: many near-duplicates and families of garments), seeded. The
index is built with the production settings (catalog/vector_index.py) and saved (`--index-file`: kept, and reused by
the next run with the same --garments/--dim). Then, for each worker count, that many fresh processes (spawned: nothing
shared with this one) open the file exactly as a web worker does (`index_view`), each also holding a full delta
(`SIMILARITY_DELTA_LIMIT` embeddings), and run the queries: p50/p95 per query (k=8, over-fetching like the service),
recall@8 against exact search, and memory per host from /proc: the index file's pages (the sum of the workers'
proportional set sizes of the mapping: each page counted once for the host), what each worker adds privately (its
anonymous memory after opening the index and holding the delta, minus before), and the workers' whole-process Pss
(smaps_rollup: interpreter and libraries included).
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from usearch.index import Index

from catalog.management.similarity_probe import run_worker
from catalog.similarity import RESCORE_FACTOR
from catalog.vector_index import (
    INDEX_DTYPE,
    EmbeddingIndex,
    index_new,
)
from classifier.predictor import get_predictor


def _pct(samples, q: float) -> float:
    return float(np.percentile(np.asarray(samples), q)) if len(samples) else float("nan")


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


def _mb(kb: float) -> float:
    return kb / 1024


class Command(BaseCommand):
    help = "Similar-items index at scale: build time, query p50/p95, recall, memory per host for 1..N workers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--garments", type=int, default=10_000, help="Catalog size to simulate.")
        parser.add_argument("--dim", type=int, default=0, help="Embedding size (default: the current model's).")
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument("--k", type=int, default=8)
        parser.add_argument("--workers", default="1,3,5,8", help="Comma-separated worker counts, each measured.")
        parser.add_argument("--recall-queries", type=int, default=50)
        parser.add_argument("--dtype", default=INDEX_DTYPE, help="Vector storage in the index (production: i8).")
        parser.add_argument("--warmup", type=int, default=100, help="First queries of each worker, timed apart (cold).")
        parser.add_argument(
            "--delta", type=int, default=-1, help="Embeddings each worker holds as its delta (default: the limit)."
        )
        parser.add_argument("--index-file", default="", help="Keep the built index here; reuse it when it exists.")
        parser.add_argument(
            "--key-lookups", action="store_true", help="Open the index as before (with usearch's key table)."
        )

    def handle(
        self,
        *args,
        garments: int,
        dim: int,
        queries: int,
        k: int,
        workers: str,
        recall_queries: int,
        warmup: int,
        dtype: str,
        delta: int,
        index_file: str,
        key_lookups: bool,
        **o,
    ):
        if not dim:
            dim = get_predictor().embedding_dim
        counts = [int(n) for n in workers.split(",")]
        delta_rows = settings.SIMILARITY_DELTA_LIMIT if delta < 0 else delta
        vectors = _synthetic(garments, dim)
        rng = np.random.default_rng(1)
        picks = rng.integers(0, garments, size=queries)
        query_vectors = vectors[picks] + 0.05 * rng.normal(size=(queries, dim)).astype(np.float32)
        keys = np.arange(garments, dtype=np.uint64)

        with tempfile.TemporaryDirectory() as tmp:
            path = index_file or str(Path(tmp) / "index.usearch")
            build = "reused"
            if Path(path).exists():
                meta = Index.metadata(path) or {}
                if meta.get("dimensions") != dim or meta.get("count_present") != garments:
                    raise CommandError(f"{path} holds another index ({meta}); remove it or name another file.")
            else:
                started = time.perf_counter()
                index = index_new(ndim=dim, dtype=dtype)
                for start in range(0, garments, 50_000):
                    index.add(keys[start : start + 50_000], vectors[start : start + 50_000])
                build = f"{time.perf_counter() - started:.1f} s"
                index.save(path)
                del index
            file_mb = Path(path).stat().st_size / 2**20
            fetch = RESCORE_FACTOR * k + 9
            # What gunicorn.conf.py sets for web workers (before they import numpy).
            os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
            ctx = multiprocessing.get_context("spawn")
            runs = []
            for count in counts:
                out = ctx.Queue()
                barrier = ctx.Barrier(count)
                procs = [
                    ctx.Process(
                        target=run_worker,
                        args=(path, query_vectors, fetch, warmup, delta_rows, key_lookups, barrier, out),
                    )
                    for _ in range(count)
                ]
                for proc in procs:
                    proc.start()
                runs.append((count, [out.get() for _ in procs]))
                for proc in procs:
                    proc.join()

        reports = [report for _, run in runs for report in run]
        timings = [t for report in reports for t in report["timings"]] or [0.0]
        cold = [t for report in reports for t in report["cold"]]
        delta_timings = [t for report in reports for t in report["delta_timings"]]
        # Recall@k against exact search (brute force over the float32 vectors) on the first queries.
        exact = EmbeddingIndex(ids=keys.astype(np.int64), matrix=vectors)
        hits = rescored_hits = total = 0
        for q in range(min(recall_queries, queries)):
            truth = {i for i, _ in exact.nearest(query_vectors[q], k)}
            candidates = reports[0]["found"][q][: RESCORE_FACTOR * k]
            hits += len(truth & set(candidates[:k]))
            # What the service does: exact cosine of the candidates' float32 embeddings (read with the garments).
            query = query_vectors[q] / np.linalg.norm(query_vectors[q])
            rescored = sorted(candidates, key=lambda i: -float(vectors[i] @ query))[:k]
            rescored_hits += len(truth & set(rescored))
            total += k
        self.stdout.write(
            f"garments={garments} dim={dim} dtype={dtype} build={build} file_mb={file_mb:.0f} "
            f"query_p50_ms={_pct(timings, 50):.3f} query_p95_ms={_pct(timings, 95):.3f} "
            f"(first {warmup} per worker: p50={_pct(cold, 50):.3f} p95={_pct(cold, 95):.3f}; "
            f"delta of {delta_rows}: p50={_pct(delta_timings, 50):.3f} p95={_pct(delta_timings, 95):.3f}) "
            f"recall@{k}={hits / max(total, 1):.3f} (index order), "
            f"{rescored_hits / max(total, 1):.3f} (top {RESCORE_FACTOR * k} rescored)"
        )
        self.stdout.write(
            f"memory per host (MB; key lookups {'on' if key_lookups else 'off'}; each worker holds a delta of "
            f"{delta_rows}):"
        )
        self.stdout.write(
            "workers | index file pages (Σ Pss) | private per worker (max) | index memory per host "
            "| the same, whole file resident | worker processes Σ Pss"
        )
        for count, run in runs:
            mapped = _mb(sum(r["mapping_kb"]["Pss"] for r in run))
            private = [_mb(r["after_kb"]["Pss_Anon"] - r["before_kb"]["Pss_Anon"]) for r in run]
            processes = _mb(sum(r["after_kb"]["Pss"] for r in run))
            self.stdout.write(
                f"{count} | {mapped:.0f} | {max(private):.1f} | {mapped + sum(private):.0f} "
                f"| {file_mb + sum(private):.0f} | {processes:.0f}"
            )

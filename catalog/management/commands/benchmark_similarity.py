from __future__ import annotations

import time

import numpy as np
from django.core.management.base import BaseCommand, CommandParser

from catalog.similarity import EmbeddingIndex, active_embedding_index


def _percentile(samples: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(samples), q))


class Command(BaseCommand):
    help = "Measure 'looks similar' speed: index build and nearest-neighbour query time for N garments."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--garments", type=int, default=10_000, help="Catalog size to simulate.")
        parser.add_argument("--dim", type=int, default=0, help="Embedding size (default: the current model's).")
        parser.add_argument("--queries", type=int, default=500)
        parser.add_argument("--k", type=int, default=8)

    def handle(self, *args, garments: int, dim: int, queries: int, k: int, **options) -> None:
        if not dim:
            from classifier.predictor import get_predictor

            dim = get_predictor().embedding_dim
        rng = np.random.default_rng(0)
        vectors = rng.normal(size=(garments, dim)).astype(np.float32)
        rows = [(i, vector.tobytes()) for i, vector in enumerate(vectors)]  # what the database hands back
        started = time.perf_counter()
        index = EmbeddingIndex.from_rows(rows)
        build_ms = (time.perf_counter() - started) * 1000
        timings = []
        for q in range(queries):
            started = time.perf_counter()
            index.nearest(vectors[q % garments], k, exclude=[q % garments])
            timings.append((time.perf_counter() - started) * 1000)
        self.stdout.write(
            f"garments={garments} dim={dim} index_build_ms={build_ms:.1f} "
            f"query_p50_ms={_percentile(timings, 50):.3f} query_p95_ms={_percentile(timings, 95):.3f} "
            f"index_mb={index.matrix.nbytes / 1e6:.1f}"
        )
        started = time.perf_counter()
        live = active_embedding_index()
        load_ms = 1000 * (time.perf_counter() - started)
        self.stdout.write(f"current catalog: {len(live.ids)} garments with embeddings, index load {load_ms:.1f} ms")

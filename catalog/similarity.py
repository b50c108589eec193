"""Visually similar garments: cosine similarity over the stored CNN embeddings.

Each web process keeps one matrix of the active garments' L2-normalised embeddings (10,000 × 256 float32 is 10 MB) and
rebuilds it only when the catalog changes (count or latest update moves), so a query is one matrix-vector product.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max

from catalog.models import Garment


@dataclass(frozen=True)
class EmbeddingIndex:
    ids: np.ndarray  # (n,) int64
    matrix: np.ndarray  # (n, d) float32, rows L2-normalised

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, bytes | memoryview | None]]) -> EmbeddingIndex:
        ids: list[int] = []
        vectors: list[np.ndarray] = []
        for garment_id, blob in rows:
            if blob is None:
                continue
            vector = np.frombuffer(bytes(blob), dtype=np.float32)
            if vectors and vector.shape != vectors[0].shape:
                continue  # an embedding from an older model with another size: skipped until re-tagged
            ids.append(garment_id)
            vectors.append(vector)
        if not vectors:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32))
        matrix = np.stack(vectors).astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return cls(np.asarray(ids, dtype=np.int64), matrix)

    def nearest(self, vector: np.ndarray, k: int, *, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
        """The k most similar garment ids with their cosine similarity, best first (ties by id: deterministic)."""
        if len(self.ids) == 0 or vector.shape[-1] != self.matrix.shape[1]:
            return []
        query = vector.astype(np.float32) / max(float(np.linalg.norm(vector)), 1e-12)
        scores = self.matrix @ query
        excluded = np.isin(self.ids, list(exclude))
        scores = np.where(excluded, -np.inf, scores)
        k = min(k, int((~excluded).sum()))
        if k <= 0:
            return []
        top = np.argpartition(-scores, k - 1)[:k]
        order = sorted(top, key=lambda i: (-scores[i], self.ids[i]))
        return [(int(self.ids[i]), float(scores[i])) for i in order]


@dataclass(frozen=True)
class SimilarGarment:
    garment: Garment
    similarity: float


_lock = threading.Lock()
_cached: tuple[tuple, EmbeddingIndex] | None = None


def active_embedding_index() -> EmbeddingIndex:
    global _cached
    active = Garment.objects.filter(is_active=True, embedding__isnull=False)
    state = active.aggregate(n=Count("id"), latest=Max("updated_at"))
    key = (state["n"], state["latest"])
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, EmbeddingIndex.from_rows(active.values_list("id", "embedding").iterator(chunk_size=2000)))
        return _cached[1]


def garments_similar_to_embedding(
    *, embedding: np.ndarray, k: int = 8, exclude_ids: Iterable[int] = ()
) -> list[SimilarGarment]:
    matches = active_embedding_index().nearest(np.asarray(embedding, dtype=np.float32), k, exclude=exclude_ids)
    garments = Garment.objects.in_bulk([garment_id for garment_id, _ in matches])
    return [SimilarGarment(garments[garment_id], score) for garment_id, score in matches if garment_id in garments]


def garments_similar_to(*, garment: Garment, k: int = 8) -> list[SimilarGarment]:
    if not garment.embedding:
        return []
    vector = np.frombuffer(bytes(garment.embedding), dtype=np.float32)
    return garments_similar_to_embedding(embedding=vector, k=k, exclude_ids=[garment.pk])

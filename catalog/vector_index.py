"""Nearest neighbours of CNN embeddings without Django: the host index file (usearch HNSW, int8) as every worker opens
it, and exact search over a small matrix. `catalog.similarity` builds and serves them; `benchmark_similarity` opens
them in bare worker processes exactly as a web worker does."""

from __future__ import annotations

import contextlib
import ctypes
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from usearch.index import Index

# usearch settings: int8 vectors (256 B per 256-d garment instead of 1 KB), 16 links per node.
INDEX_DTYPE = "i8"
INDEX_CONNECTIVITY = 16
INDEX_EXPANSION_ADD = 64
INDEX_EXPANSION_SEARCH = 256


def index_new(*, ndim: int, dtype: str = INDEX_DTYPE) -> Index:
    """An empty index with the project's settings, to be filled and saved by one build (or by the benchmark)."""
    return Index(
        ndim=ndim,
        metric="cos",
        dtype=dtype,
        connectivity=INDEX_CONNECTIVITY,
        expansion_add=INDEX_EXPANSION_ADD,
        expansion_search=INDEX_EXPANSION_SEARCH,
    )


def index_view(path: str, *, key_lookups: bool = False) -> Index | None:
    """A read-only view of an index file, memory-mapped: its pages are the page cache's, one copy per host.

    Opened without key lookups: usearch would otherwise build, in every process, a private hash table from garment id
    to graph slot (about 28 MB per worker at 1M garments) that searching never uses — a search returns the ids stored
    in the graph itself. What each worker still allocates is usearch's per-node offsets (16 B per garment).
    `key_lookups=True` is the former configuration, kept for `benchmark_similarity --key-lookups`."""
    view = Index.restore(path, view=True, enable_key_lookups=key_lookups)
    if view is not None:
        # usearch defines this property's setter apart from its getter, which mypy reads as read-only
        view.expansion_search = INDEX_EXPANSION_SEARCH  # type: ignore[misc]
    return view


def release_freed_memory() -> None:
    """Hand the C heap's free pages back to the kernel (glibc's malloc_trim). Building a delta frees megabytes of
    temporaries that glibc would otherwise keep in every worker, counted as that worker's private memory."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to do
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass(frozen=True)
class EmbeddingIndex:
    """Exact search over a small in-memory matrix (the delta, or a whole small catalog)."""

    ids: np.ndarray  # (n,) int64
    matrix: np.ndarray  # (n, d) float32, rows L2-normalised

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[int, bytes | memoryview | None]]) -> EmbeddingIndex:
        """From (garment id, float32 embedding bytes) rows; rows without an embedding, or with one of another size
        than the first (an older model's, until re-tagged), are skipped. The matrix is filled in place: building a
        delta leaves no copies behind in a worker."""
        ids: list[int] = []
        blobs: list[bytes | memoryview] = []
        size = 0
        for garment_id, blob in rows:
            if blob is None:
                continue
            nbytes = memoryview(blob).nbytes
            if not size:
                size = nbytes
            if nbytes != size:
                continue
            ids.append(garment_id)
            blobs.append(blob)
        if not blobs:
            return cls(np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32))
        matrix = np.empty((len(blobs), size // 4), dtype=np.float32)
        for row, blob in enumerate(blobs):
            matrix[row] = np.frombuffer(blob, dtype=np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return cls(np.asarray(ids, dtype=np.int64), matrix)

    @property
    def nbytes(self) -> int:
        return int(self.ids.nbytes + self.matrix.nbytes)

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

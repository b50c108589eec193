"""One web worker's use of the similarity index, for `benchmark_similarity`: run in a fresh process (no Django, no
memory shared with the benchmark), it opens the index file as a worker does, holds a full delta, answers queries, and
reports its own memory from /proc (Linux). Kept free of Django imports so a spawned process can import it."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from catalog.vector_index import EmbeddingIndex, index_view, release_freed_memory

ROLLUP_FIELDS = ("Rss", "Pss", "Pss_Anon", "Pss_File", "Private_Clean", "Private_Dirty")


def memory_rollup_kb() -> dict[str, int]:
    """This process's totals from /proc/self/smaps_rollup (kB); Pss divides each shared page among its sharers."""
    totals = dict.fromkeys(ROLLUP_FIELDS, 0)
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            name = parts[0].rstrip(":")
            if name in totals:
                totals[name] = int(parts[1])
    return totals


def mapping_memory_kb(path: str) -> dict[str, int]:
    """Rss/Pss/Private of this process's mappings of the file `path` (kB), from /proc/self/smaps."""
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


def run_worker(
    path: str,
    queries: np.ndarray,
    fetch: int,
    warmup: int,
    delta_rows: int,
    key_lookups: bool,
    barrier: Any,
    out: Any,
) -> None:
    """Open the index, hold a delta of `delta_rows` embeddings, run the queries (the index, then the delta, as the
    service does); report timings, what the index found and memory (before opening, and once every worker holds its
    index: the barrier)."""
    before = memory_rollup_kb()
    index = index_view(path, key_lookups=key_lookups)
    if index is None:
        raise RuntimeError(f"{path} is not a usearch index")
    rng = np.random.default_rng(len(queries))
    rows = rng.standard_normal(size=(delta_rows, queries.shape[1]), dtype=np.float32)
    delta = EmbeddingIndex.from_rows((i, row.tobytes()) for i, row in enumerate(rows))
    del rows
    release_freed_memory()  # as the service does after building its delta
    cold: list[float] = []
    timings: list[float] = []
    delta_timings: list[float] = []
    found: list[list[int]] = []
    for i, query in enumerate(queries):
        started = time.perf_counter()
        matches = index.search(query, fetch)
        searched = time.perf_counter()
        delta.nearest(query, fetch)
        (cold if i < warmup else timings).append(1000 * (searched - started))
        delta_timings.append(1000 * (time.perf_counter() - searched))
        found.append([int(key) for key in matches.keys])
    barrier.wait()  # every worker holds its mapping while each one measures
    report = {
        "cold": cold,
        "timings": timings,
        "delta_timings": delta_timings,
        "found": found,
        "before_kb": before,
        "after_kb": memory_rollup_kb(),
        "mapping_kb": mapping_memory_kb(path),
        "delta_kb": delta.nbytes // 1024,
    }
    barrier.wait()
    out.put(report)

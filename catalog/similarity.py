"""Visually similar garments: nearest neighbours of the stored CNN embeddings (cosine similarity).

Two parts answer a query together:

* **The host index** — an HNSW graph (usearch, int8-quantised vectors) of the active garments of the current model
  version, built by a background job (`catalog.tasks.similarity_index_build`, run by beat every 30 s when the catalog
  changed) and stored in the media storage (`similarity/*.usearch` + `similarity/manifest.json`). Every worker on a
  host memory-maps the same file (read-only view, shared page cache: one copy per host however many workers, plus
  16 B per garment private to each worker: `catalog.vector_index.index_view`); with
  S3 media a host first copies it to `SIMILARITY_INDEX_DIR`. Workers look for a new manifest every
  `SIMILARITY_CHECK_SECONDS`.
* **The delta** — garments changed since that index was built (added, re-tagged, edited, (de)activated: every change
  moves `updated_at`, bulk activation included), searched exactly in memory. Their index entries are ignored, so a
  change shows at once, before the next build. Without any index (a fresh `make run`, tests) the delta is the whole
  catalog. Either way it holds at most the latest `SIMILARITY_DELTA_LIMIT` changes: per-worker memory stays small.

Results are re-read from the database and kept only when still active and of the current model version.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count, Max
from django.utils import timezone
from usearch.index import Index

from catalog.models import Garment
from catalog.vector_index import (
    EmbeddingIndex,
    index_new,
    index_view,
    release_freed_memory,
)
from classifier.predictor import get_predictor

MANIFEST_NAME = "similarity/manifest.json"
INDEX_PREFIX = "similarity/"
BUILD_BATCH = 10_000


@dataclass(frozen=True)
class HostIndex:
    """The memory-mapped usearch index of one build, with what it was built from."""

    index: Index | None  # a read-only view of the file; None for an empty build
    built_at: datetime
    model_version: str
    ndim: int
    size: int
    file: str

    def nearest(self, vector: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.index is None or self.size == 0 or k <= 0 or vector.shape[-1] != self.ndim:
            return []
        query = vector.astype(np.float32) / max(float(np.linalg.norm(vector)), 1e-12)
        matches = self.index.search(query, min(k, self.size))
        return [
            (int(key), 1.0 - float(distance)) for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]


@dataclass(frozen=True)
class SimilarGarment:
    garment: Garment
    similarity: float


def current_model_version() -> str:
    return get_predictor().model_version


# ---------------------------------------------------------------- building (background job)


def _eligible(model_version: str):
    return Garment.objects.filter(is_active=True, model_version=model_version, embedding__isnull=False)


def catalog_state() -> dict:
    """A cheap fingerprint of the catalog (indexed columns only): it moves whenever a garment is added, changed,
    (de)activated or deleted."""
    state = Garment.objects.aggregate(n=Count("id"), latest=Max("updated_at"), top=Max("id"))
    return {"n": state["n"], "latest": state["latest"].isoformat() if state["latest"] else "", "top": state["top"]}


def read_manifest() -> dict | None:
    try:
        with default_storage.open(MANIFEST_NAME, "rb") as handle:
            return json.loads(handle.read())
    except (FileNotFoundError, OSError, ValueError):
        return None


def similarity_index_build(*, keep: int = 2) -> dict:
    """Build the index of the active garments of the current model version, store it, point the manifest at it, and
    remove older builds (keeping `keep`). Returns the new manifest."""
    model_version = current_model_version()
    built_at = timezone.now()  # anything changed from now on is in the workers' delta until the next build
    state = catalog_state()
    index, ndim, count = None, 0, 0
    rows = _eligible(model_version).order_by().values_list("id", "embedding").iterator(chunk_size=BUILD_BATCH)
    batch_ids: list[int] = []
    batch_vectors: list[np.ndarray] = []

    def flush() -> None:
        nonlocal index, count
        if not batch_ids:
            return
        matrix = np.stack(batch_vectors).astype(np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        if index is None:
            index = index_new(ndim=ndim)
        index.add(np.asarray(batch_ids, dtype=np.uint64), matrix)
        count += len(batch_ids)
        batch_ids.clear()
        batch_vectors.clear()

    for garment_id, blob in rows:
        vector = np.frombuffer(bytes(blob), dtype=np.float32)
        if not ndim:
            ndim = vector.shape[0]
        if vector.shape[0] != ndim:
            continue
        batch_ids.append(garment_id)
        batch_vectors.append(vector)
        if len(batch_ids) >= BUILD_BATCH:
            flush()
    flush()

    name = f"{INDEX_PREFIX}index-{built_at:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.usearch"
    if index is not None:
        with tempfile.TemporaryDirectory() as tmp:
            local = Path(tmp) / "index.usearch"
            index.save(str(local))
            with local.open("rb") as handle:
                name = default_storage.save(name, File(handle))
    else:
        name = ""
    manifest = {
        "file": name,
        "built_at": built_at.isoformat(),
        "model_version": model_version,
        "ndim": ndim,
        "size": count,
        "state": state,
    }
    default_storage.delete(MANIFEST_NAME)  # S3 storage never overwrites: replace explicitly
    default_storage.save(MANIFEST_NAME, ContentFile(json.dumps(manifest).encode()))
    _remove_old_builds(keep=keep, current=name)
    return manifest


def _remove_old_builds(*, keep: int, current: str) -> None:
    try:
        _, files = default_storage.listdir(INDEX_PREFIX.rstrip("/"))
    except (FileNotFoundError, OSError):
        return
    builds = sorted((f for f in files if f.startswith("index-") and f.endswith(".usearch")), reverse=True)
    for old in builds[keep:]:
        if f"{INDEX_PREFIX}{old}" != current:
            default_storage.delete(f"{INDEX_PREFIX}{old}")  # workers still mapping it keep their mapping (POSIX)


def similarity_index_is_stale() -> bool:
    """True when the catalog changed since the stored index was built (or there is none, or the model changed)."""
    manifest = read_manifest()
    if manifest is None:
        return True
    return manifest.get("state") != catalog_state() or manifest.get("model_version") != current_model_version()


# ---------------------------------------------------------------- loading (every worker)

_lock = threading.Lock()
_host: dict = {"key": None, "checked": 0.0, "index": None}
_delta: dict = {"key": None, "index": None, "changed": np.zeros(0, dtype=np.int64)}


def _local_copy(name: str) -> str:
    """A local path to the stored index file: the file itself for local media, else a per-host copy (downloaded once,
    under a file lock, by whichever worker gets there first)."""
    try:
        return default_storage.path(name)
    except NotImplementedError:
        pass
    directory = Path(settings.SIMILARITY_INDEX_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / Path(name).name
    if target.exists():
        return str(target)
    with (directory / ".download.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            partial = target.with_suffix(".part")
            with default_storage.open(name, "rb") as source, partial.open("wb") as out:
                shutil.copyfileobj(source, out, length=1 << 20)
            os.replace(partial, target)
        for old in directory.glob("index-*.usearch"):
            if old != target and time.time() - old.stat().st_mtime > 600:
                old.unlink(missing_ok=True)
    return str(target)


def host_index() -> HostIndex | None:
    """This host's index (memory-mapped), re-read when the manifest changes; None when none was built yet."""
    now = time.monotonic()
    location = str(getattr(default_storage, "location", "")) + str(getattr(default_storage, "bucket_name", ""))
    with _lock:
        fresh = now - _host["checked"] < settings.SIMILARITY_CHECK_SECONDS
        if _host["key"] is not None and _host["key"][0] == location and fresh:
            return _host["index"]
        _host["checked"] = now
        manifest = read_manifest()
        key = (location, manifest.get("file") if manifest else None)
        if key == _host["key"]:
            return _host["index"]
        index = None
        if manifest and manifest.get("file"):
            view = index_view(_local_copy(manifest["file"]))
            if view is not None:
                index = HostIndex(
                    index=view,
                    built_at=datetime.fromisoformat(manifest["built_at"]),
                    model_version=manifest["model_version"],
                    ndim=int(manifest["ndim"]),
                    size=int(manifest["size"]),
                    file=manifest["file"],
                )
        elif manifest:
            index = HostIndex(
                index=None,
                built_at=datetime.fromisoformat(manifest["built_at"]),
                model_version=manifest["model_version"],
                ndim=0,
                size=0,
                file="",
            )
        _host.update(key=key, index=index)
        return index


def _delta_index(*, since: datetime | None, model_version: str) -> tuple[EmbeddingIndex, np.ndarray]:
    """Exact index of the eligible garments changed after `since` (all of them when None), and the sorted ids of the
    garments changed since then (their host-index entries are out of date).

    Bounded: only the latest `SIMILARITY_DELTA_LIMIT` changes are held, so a worker's private memory stays small
    (2,000 × 1 KB float32 embeddings by default) even during a bulk re-tag or activation. Older changes keep their
    host-index entries until the next build — harmless for edits (results are re-read from the database: a garment
    deactivated or tagged by another model is dropped, and every candidate is ranked by its current embedding); only
    a garment added beyond the limit waits for that build to be found."""
    changed = Garment.objects.all() if since is None else Garment.objects.filter(updated_at__gt=since)
    state = changed.aggregate(n=Count("id"), latest=Max("updated_at"))
    key = (since, model_version, state["n"], state["latest"])
    with _lock:
        if _delta["key"] == key:
            return _delta["index"], _delta["changed"]
    recent = changed.order_by("-updated_at", "-id")[: settings.SIMILARITY_DELTA_LIMIT]
    rows = list(recent.values_list("id", "is_active", "model_version", "embedding"))
    ids = np.sort(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)))
    index = EmbeddingIndex.from_rows(
        (garment_id, embedding)
        for garment_id, active, version, embedding in rows
        if active and version == model_version and embedding is not None
    )
    del rows
    release_freed_memory()
    if since is None:
        ids = ids[:0]  # no host index to correct
    with _lock:
        _delta.update(key=key, index=index, changed=ids)
    return index, ids


def active_embedding_index() -> EmbeddingIndex:
    """Exact index of the active garments with an embedding of the current model (small catalogs: at most the
    `SIMILARITY_DELTA_LIMIT` changed last)."""
    return _delta_index(since=None, model_version=current_model_version())[0]


def nearest_ids(*, vector: np.ndarray, k: int, exclude: Iterable[int] = ()) -> list[tuple[int, float]]:
    """The best candidates (id, cosine similarity) from the host index and the delta, best first, ties by id."""
    model_version = current_model_version()
    exclude = set(exclude)
    host = host_index()
    if host is not None and host.model_version != model_version:
        host = None  # built for another model: its vectors are not comparable; everything is in the delta
    delta, changed = _delta_index(since=host.built_at if host else None, model_version=model_version)
    found = {}
    if host is not None and host.index is not None:
        proposed = host.nearest(vector, k + len(exclude) + 8)
        outdated = np.isin(np.fromiter((i for i, _ in proposed), dtype=np.int64, count=len(proposed)), changed)
        for (garment_id, score), stale in zip(proposed, outdated, strict=True):
            if not stale and garment_id not in exclude:
                found[garment_id] = score
    for garment_id, score in delta.nearest(vector, k + len(exclude), exclude=exclude):
        found[garment_id] = score
    return sorted(found.items(), key=lambda item: (-item[1], item[0]))


# The index stores int8 vectors: its order is approximate. It proposes RESCORE_FACTOR x k candidates, and their exact
# cosine similarity is computed from the float32 embeddings read with the garments anyway.
RESCORE_FACTOR = 6
# Held to one slot, the nearest candidates may be mostly of other slots (a red skirt's crop sits near red dresses):
# the search widens (x SLOT_WIDENING each time) until RESCORE_FACTOR x k of the slot are among them, the catalog has
# no more, or MAX_CANDIDATES were proposed.
SLOT_WIDENING = 4
MAX_CANDIDATES = 4096


def garments_similar_to_embedding(
    *,
    embedding: np.ndarray,
    k: int = 8,
    exclude_ids: Iterable[int] = (),
    slot: str | None = None,
    garment_type: str | None = None,
    audience: str | None = None,
    color: str | None = None,
) -> list[SimilarGarment]:
    """The k active garments of the current model version nearest to `embedding` (cosine similarity, best first,
    ties by id); with `slot`, only garments of that slot: a shopper who asks what looks like her skirt wants skirts
    and trousers, not the dresses and tops that look alike. With `garment_type` too, the garments of that type come
    first and those of the rest of the slot only fill the list: what looks like her red skirt is another skirt before
    a pair of red trousers. With `audience` (the piece's, when known), a child's piece looks like children's pieces
    and a grown-up's like grown-ups' (garments without an audience stay in both): what looks like a woman's red skirt
    is not a girl's tutu. With `color` too, the garments of that type and colour come first: what looks like her pink
    dress is first another pink dress, then the dresses of other colours (on 200 random CC0 test photos, six similar
    garments each from the demo catalog, those of the photo's own colour or its alternative 537 → 717 of 1,200; mean
    similarity 0.679 → 0.653)."""
    vector = np.asarray(embedding, dtype=np.float32)
    query = vector / max(float(np.linalg.norm(vector)), 1e-12)
    exclude_ids = list(exclude_ids)
    active = Garment.objects.filter(is_active=True, model_version=current_model_version())
    held = False
    if slot is not None:
        active, held = active.filter(slot=slot), True
    if audience == "kids":
        active, held = active.filter(audience__in=("kids", "")), True
    elif audience:
        active, held = active.exclude(audience="kids"), True
    found: list[SimilarGarment] = []
    if slot is not None and garment_type:
        typed = active.filter(type=garment_type)
        for part in (typed.filter(color=color), typed) if color else (typed,):
            matches = _nearest_of(part, vector, query, k - len(found), exclude_ids, held=True)
            found += matches
            if len(found) >= k:
                return found
            exclude_ids += [match.garment.pk for match in matches]
    return found + _nearest_of(active, vector, query, k - len(found), exclude_ids, held=held)


def _nearest_of(
    active, vector: np.ndarray, query: np.ndarray, k: int, exclude_ids: list[int], *, held: bool
) -> list[SimilarGarment]:
    """The k garments of `active` nearest to the query, best first; `held`: `active` is a part of the catalog, so
    the index's proposals are widened until enough of that part are among them."""
    if k <= 0:
        return []
    wanted = RESCORE_FACTOR * k
    proposed = wanted
    while True:
        matches = nearest_ids(vector=vector, k=proposed, exclude=exclude_ids)[:proposed]
        if not held:
            break
        # Only the ids of the part here: a widened search may propose thousands, whose rows are not all needed.
        of_part = set(active.filter(pk__in=[garment_id for garment_id, _ in matches]).values_list("pk", flat=True))
        exhausted = len(matches) < proposed or proposed >= MAX_CANDIDATES
        if len(of_part) >= wanted or exhausted:
            matches = [match for match in matches if match[0] in of_part]
            break
        proposed = min(MAX_CANDIDATES, proposed * SLOT_WIDENING)
    matches = matches[:wanted]
    garments = active.in_bulk([garment_id for garment_id, _ in matches])
    found = []
    for garment_id, score in matches:
        garment = garments.get(garment_id)
        if garment is None:
            continue
        stored = np.frombuffer(bytes(garment.embedding), dtype=np.float32) if garment.embedding else None
        if stored is not None and stored.shape == query.shape:
            score = float(stored @ query) / max(float(np.linalg.norm(stored)), 1e-12)
        found.append(SimilarGarment(garment, score))
    found.sort(key=lambda match: (-match.similarity, match.garment.pk))
    return found[:k]


def garments_similar_to(*, garment: Garment, k: int = 8) -> list[SimilarGarment]:
    """The garments of `garment`'s slot that look most like it (itself left out), those of its type first and of its
    type and colour before them, children's pieces for a child's and grown-ups' for a grown-up's."""
    if not garment.embedding:
        return []
    vector = np.frombuffer(bytes(garment.embedding), dtype=np.float32)
    return garments_similar_to_embedding(
        embedding=vector,
        k=k,
        exclude_ids=[garment.pk],
        slot=garment.slot,
        garment_type=garment.type,
        audience=garment.audience or None,
        color=garment.color or None,
    )

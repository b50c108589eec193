"""The garment classifier behind one small interface: `get_predictor().predict(image) -> Prediction`.

Backends (settings.CLASSIFIER_BACKEND):
- "tflite": the exported model.tflite through ai_edge_litert (2 threads); TensorFlow stays out of the web workers.
- "keras": model.keras through a compiled `model(x, training=False)`; imports TensorFlow (training, evaluation).
- "fake": no model; deterministic colour/type guesses for fast tests of the other apps.

Nothing here imports TensorFlow at module import time.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from catalog.vocabulary import COLOR_CODES, COLORS, SLOTS, TYPE_CODES, TYPES
from classifier.imaging import to_model_input

TOP_K = 3


@dataclass(frozen=True)
class HeadPrediction:
    label: str
    confidence: float
    top3: list[tuple[str, float]]

    def to_dict(self) -> dict:
        return {"label": self.label, "confidence": self.confidence, "top3": [[k, p] for k, p in self.top3]}


# eq=False: comparing numpy embeddings with == is ambiguous; compare to_dict() and the embedding instead.
@dataclass(frozen=True, eq=False)
class Prediction:
    type: HeadPrediction
    slot: HeadPrediction
    color: HeadPrediction
    # L2-normalised float32 vector for visual similarity (cosine = dot product).
    embedding: np.ndarray
    model_version: str

    def to_dict(self) -> dict:
        """JSON-friendly; leaves out the embedding."""
        return {
            "type": self.type.to_dict(),
            "slot": self.slot.to_dict(),
            "color": self.color.to_dict(),
            "model_version": self.model_version,
        }


@runtime_checkable
class Predictor(Protocol):
    @property
    def model_version(self) -> str: ...

    @property
    def embedding_dim(self) -> int: ...

    def predict(self, image: Image.Image) -> Prediction: ...

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]: ...


# ---------------------------------------------------------------- post-processing (shared by every backend)


def head_prediction(probs: np.ndarray, labels: Sequence[str], k: int = TOP_K) -> HeadPrediction:
    order = np.argsort(-probs, kind="stable")[:k]
    top = [(labels[i], round(float(probs[i]), 4)) for i in order]
    return HeadPrediction(label=top[0][0], confidence=top[0][1], top3=top)


def slot_probabilities(type_probs: np.ndarray, types: Sequence[str] = TYPE_CODES) -> np.ndarray:
    """Slot probability = sum of the probabilities of its types (in SLOTS order)."""
    slot_probs = np.zeros(len(SLOTS), dtype=np.float64)
    for p, code in zip(type_probs, types, strict=True):
        slot_probs[SLOTS.index(TYPES[code].slot)] += float(p)
    return slot_probs


def build_prediction(
    type_probs: np.ndarray,
    color_probs: np.ndarray,
    embedding: np.ndarray,
    *,
    model_version: str,
    types: Sequence[str] = TYPE_CODES,
    colors: Sequence[str] = COLOR_CODES,
) -> Prediction:
    embedding = np.asarray(embedding, dtype=np.float32)
    norm = float(np.linalg.norm(embedding))
    if norm > 0:
        embedding = embedding / norm
    return Prediction(
        type=head_prediction(np.asarray(type_probs, dtype=np.float64), types),
        slot=head_prediction(slot_probabilities(type_probs, types), SLOTS),
        color=head_prediction(np.asarray(color_probs, dtype=np.float64), colors),
        embedding=embedding,
        model_version=model_version,
    )


# ---------------------------------------------------------------- real backends


@dataclass(frozen=True)
class ModelLabels:
    model_version: str
    image_size: int
    types: tuple[str, ...]
    colors: tuple[str, ...]
    embedding_dim: int
    tflite_output: dict[str, tuple[int, int]]

    @classmethod
    def load(cls, model_dir: Path) -> ModelLabels:
        doc = json.loads((model_dir / "labels.json").read_text())
        if unknown := set(doc["types"]) - set(TYPE_CODES):
            raise ValueError(f"{model_dir}: model knows types the vocabulary does not: {sorted(unknown)}")
        if unknown := set(doc["colors"]) - set(COLOR_CODES):
            raise ValueError(f"{model_dir}: model knows colours the vocabulary does not: {sorted(unknown)}")
        return cls(
            model_version=doc["model_version"],
            image_size=int(doc["image_size"]),
            types=tuple(doc["types"]),
            colors=tuple(doc["colors"]),
            embedding_dim=int(doc["embedding_dim"]),
            tflite_output={k: (int(v[0]), int(v[1])) for k, v in doc["tflite_output"].items()},
        )


class _ArrayPredictor:
    """Shared batching/post-processing; subclasses turn a (n, size, size, 3) batch into the three output arrays."""

    labels: ModelLabels

    @property
    def model_version(self) -> str:
        return self.labels.model_version

    @property
    def embedding_dim(self) -> int:
        return self.labels.embedding_dim

    @property
    def image_size(self) -> int:
        return self.labels.image_size

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def predict(self, image: Image.Image) -> Prediction:
        """Classify one upright RGB photo of one garment (see classifier.imaging.open_image)."""
        return self.predict_batch([image])[0]

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]:
        if not images:
            return []
        batch = np.stack([to_model_input(image, self.labels.image_size) for image in images])
        return self.predict_arrays(batch)

    def probabilities(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Raw head outputs (type probs, colour probs, embeddings) in the model's label order, for evaluation."""
        batch = np.stack([to_model_input(image, self.labels.image_size) for image in images])
        return self._forward(batch)

    def predict_arrays(self, batch: np.ndarray) -> list[Prediction]:
        """Predictions for already preprocessed input (n, size, size, 3)."""
        type_probs, color_probs, embeddings = self._forward(batch.astype(np.float32, copy=False))
        return [
            build_prediction(
                t, c, e, model_version=self.model_version, types=self.labels.types, colors=self.labels.colors
            )
            for t, c, e in zip(type_probs, color_probs, embeddings, strict=True)
        ]


class TFLitePredictor(_ArrayPredictor):
    """model.tflite through ai_edge_litert (tf.lite only when litert is not installed)."""

    def __init__(self, model_dir: Path, *, num_threads: int = 2) -> None:
        self.model_dir = Path(model_dir)
        self.labels = ModelLabels.load(self.model_dir)
        try:
            from ai_edge_litert.interpreter import Interpreter
        except ImportError:  # pragma: no cover - litert is a requirement; this keeps old images working
            import tensorflow as tf

            Interpreter = tf.lite.Interpreter  # noqa: N806
        self._interpreter = Interpreter(model_path=str(self.model_dir / "model.tflite"), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch = 1
        self._interpreter.allocate_tensors()
        # One interpreter is not thread-safe; gunicorn threads share the cached predictor.
        self._lock = threading.Lock()

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        with self._lock:
            if batch.shape[0] != self._batch:
                self._interpreter.resize_tensor_input(self._input, list(batch.shape))
                self._interpreter.allocate_tensors()
                self._batch = batch.shape[0]
            self._interpreter.set_tensor(self._input, batch)
            self._interpreter.invoke()
            joined = self._interpreter.get_tensor(self._output).copy()
        spans = self.labels.tflite_output
        type_probs, color_probs, embedding = (joined[:, slice(*spans[head])] for head in ("type", "color", "embedding"))
        return type_probs, color_probs, embedding


class KerasPredictor(_ArrayPredictor):
    """model.keras through a compiled forward pass (never model.predict per request). Imports TensorFlow."""

    def __init__(self, model_dir: Path) -> None:
        import os

        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import keras
        import tensorflow as tf

        self.model_dir = Path(model_dir)
        self.labels = ModelLabels.load(self.model_dir)
        self.model = keras.models.load_model(self.model_dir / "model.keras", compile=False)
        model = self.model
        self._call = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
        self._tf = tf

    def _forward(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = self._call(self._tf.constant(batch))
        return out["type"].numpy(), out["color"].numpy(), out["embedding"].numpy()


# ---------------------------------------------------------------- fake backend


class FakePredictor:
    """No model: colour = the vocabulary swatch nearest the mean colour of the image centre, type from
    settings.CLASSIFIER_FAKE_TYPE (default "t-shirt"), embedding = a small colour histogram. Deterministic."""

    model_version = "fake"
    embedding_dim = 64

    def __init__(self, type_code: str = "t-shirt") -> None:
        if type_code not in TYPES:
            raise ValueError(f"CLASSIFIER_FAKE_TYPE {type_code!r} is not a type code")
        self.type_code = type_code
        self._swatches = np.array([_hex_to_rgb(COLORS[c].hex) for c in COLOR_CODES], dtype=np.float64)

    def _outputs(self, image: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rgb = image.convert("RGB")
        width, height = rgb.size
        box = (width // 4, height // 4, max(width // 4 + 1, 3 * width // 4), max(height // 4 + 1, 3 * height // 4))
        mean = np.asarray(rgb.crop(box), dtype=np.float64).reshape(-1, 3).mean(axis=0)
        distances = np.linalg.norm(self._swatches - mean, axis=1)
        color_scores = np.exp(-distances / 40.0)
        color_probs = color_scores / color_scores.sum()
        type_probs = np.full(len(TYPE_CODES), 0.1 / (len(TYPE_CODES) - 1))
        type_probs[TYPE_CODES.index(self.type_code)] = 0.9
        small = np.asarray(rgb.resize((32, 32)), dtype=np.int64) // 64  # 4 levels per channel -> 64 bins
        histogram = np.bincount((small[..., 0] * 16 + small[..., 1] * 4 + small[..., 2]).ravel(), minlength=64)
        return type_probs, color_probs, histogram.astype(np.float32)

    def probabilities(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        outputs = [self._outputs(image) for image in images]
        return tuple(np.stack(column) for column in zip(*outputs, strict=True))  # type: ignore[return-value]

    def predict(self, image: Image.Image) -> Prediction:
        type_probs, color_probs, embedding = self._outputs(image)
        return build_prediction(type_probs, color_probs, embedding, model_version=self.model_version)

    def predict_batch(self, images: Sequence[Image.Image]) -> list[Prediction]:
        return [self.predict(image) for image in images]


def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


# ---------------------------------------------------------------- factory


BACKENDS: tuple[str, ...] = ("tflite", "keras", "fake")


def load_predictor(model_dir: str | Path, *, backend: str = "tflite", num_threads: int = 2) -> Predictor:
    """Build a predictor for one artifact folder (uncached; get_predictor() is the cached per-process one)."""
    if backend == "tflite":
        return TFLitePredictor(Path(model_dir), num_threads=num_threads)
    if backend == "keras":
        return KerasPredictor(Path(model_dir))
    if backend == "fake":
        return FakePredictor()
    raise ValueError(f"unknown classifier backend {backend!r}; choose one of {', '.join(BACKENDS)}")


@functools.cache
def get_predictor() -> Predictor:
    """The process-wide predictor chosen by settings.CLASSIFIER_BACKEND (cache_clear() in tests)."""
    from django.conf import settings

    backend = settings.CLASSIFIER_BACKEND
    if backend == "fake":
        return FakePredictor(getattr(settings, "CLASSIFIER_FAKE_TYPE", "t-shirt"))
    return load_predictor(settings.CLASSIFIER_MODEL_DIR, backend=backend, num_threads=settings.CLASSIFIER_NUM_THREADS)

"""Training the garment classifier: frozen backbone features, multi-head dense heads, one exported model.

Why this shape: on 2 CPU cores a full fine-tune of even EfficientNet-Lite0 costs hours, while one frozen forward pass
over a few augmented views of each photo costs minutes; the heads then train in seconds per epoch. The heads sit on
pooled features of several backbone stages (low-level ones carry colour) and share one 256-d hidden layer whose
L2-normalised activation is the similarity embedding.

Imports TensorFlow/Keras at module import: only the training command and tests import this module.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from PIL import Image
from tqdm import tqdm

from catalog.vocabulary import COLOR_CODES, SLOTS, TYPE_CODES, TYPES
from classifier.backbones import build_backbone
from classifier.dataset import Sample, data_hash, load_samples
from classifier.imaging import open_image, to_model_input

logger = logging.getLogger(__name__)

VIEWS_ALL: tuple[str, ...] = ("original", "flip", "crop", "crop_flip")
PREPROCESSING = (
    "classifier.imaging.to_model_input: RGB (alpha on white, EXIF-upright), centre-trim to aspect <= 4:3, "
    "bilinear resize to size x size, float32 HWC, (x - 127) / 128"
)


@dataclass
class TrainConfig:
    dataset_dir: Path
    out_dir: Path
    backbone: str = "efficientnet_lite0"
    weights_path: Path | None = None
    image_size: int = 224
    epochs: int = 12
    batch_size: int = 128
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    hidden_units: int = 256
    dropout: float = 0.5
    label_smoothing: float = 0.05
    # Colour soft target: main colour / alt colour when the photo has an acceptable alternative.
    color_main_weight: float = 0.75
    # 0 = no class weighting, 0.5 = inverse square-root frequency, 1 = inverse frequency (type head only).
    # Validation showed no gain from class weighting (the 10 big classes dominate the figures we report).
    class_weight_power: float = 0.0
    views: Sequence[str] = VIEWS_ALL
    # Phase 1 uses only the leading `head_views` views: on frozen features the extra views only overfit the heads
    # sooner (validation: 1 view 0.883 vs 4 views 0.850 on the 10-class subset); fine-tuning uses all views.
    head_views: int = 1
    # Phase 2: fine-tune the backbone top (last stages + head conv, batch norms frozen) together with the heads.
    # 3e-4 wrecked the pretrained top in one epoch; 5e-5 improves validation slightly.
    finetune_epochs: int = 2
    finetune_learning_rate: float = 5e-5
    finetune_batch_size: int = 64
    limit: int | None = None
    seed: int = 1337
    cache_dir: Path | None = None
    workers: int = 4
    tflite_quantization: str = "float16"  # "float16", "dynamic" or "none"
    progress: bool = True
    extra: dict = field(default_factory=dict)


# ---------------------------------------------------------------- views


def make_view(image: Image.Image, view: str, rng: np.random.Generator) -> Image.Image:
    """One augmented view. No colour jitter: colour is a label here."""
    if view in ("crop", "crop_flip"):
        width, height = image.size
        area = rng.uniform(0.6, 1.0)
        aspect = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
        crop_w = min(width, round(width * np.sqrt(area * aspect)))
        crop_h = min(height, round(height * np.sqrt(area / aspect)))
        left = int(rng.integers(0, width - crop_w + 1))
        top = int(rng.integers(0, height - crop_h + 1))
        image = image.crop((left, top, left + crop_w, top + crop_h))
    if view in ("flip", "crop_flip"):
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return image


# ---------------------------------------------------------------- features


def _cache_key(config: TrainConfig, samples: Sequence[Sample], views: Sequence[str]) -> str:
    digest = hashlib.sha256()
    weights = ""
    if config.weights_path is not None:
        stat = Path(config.weights_path).stat()
        weights = f"{Path(config.weights_path).name}:{stat.st_size}"
    digest.update(f"{config.backbone}|{config.image_size}|{weights}|{','.join(views)}|{config.seed}|v4".encode())
    for s in samples:
        digest.update(s.image_id.encode())
    return digest.hexdigest()[:16]


def extract_bottom(
    bottom: keras.Model,
    samples: Sequence[Sample],
    *,
    image_size: int,
    views: Sequence[str],
    seed: int,
    batch_size: int = 32,
    workers: int = 4,
    progress: bool = True,
    desc: str = "features",
) -> tuple[np.ndarray, np.ndarray]:
    """One frozen pass of the backbone bottom over each view of each photo.

    Returns the feature maps, (views, n, h, w, c) float16 (input of the fine-tunable top), and the pooled low-level
    features, (views, n, d) float32."""
    forward = tf.function(lambda x: bottom(x, training=False), reduce_retracing=True)

    def load(index: int) -> list[np.ndarray]:
        rng = np.random.default_rng([seed, index])
        image = open_image(samples[index].path)
        return [to_model_input(make_view(image, view, rng), image_size) for view in views]

    maps: np.ndarray | None = None
    low: np.ndarray | None = None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        bar = tqdm(total=len(samples), desc=desc, unit="img", disable=not progress)
        for start in range(0, len(samples), batch_size):
            indices = range(start, min(start + batch_size, len(samples)))
            loaded = list(pool.map(load, indices))
            for v in range(len(views)):
                batch = np.stack([per_image[v] for per_image in loaded])
                feature_map, low_features = (t.numpy() for t in forward(tf.constant(batch)))
                if maps is None or low is None:
                    maps = np.zeros((len(views), len(samples), *feature_map.shape[1:]), dtype=np.float16)
                    low = np.zeros((len(views), len(samples), low_features.shape[-1]), dtype=np.float32)
                maps[v, start : start + len(batch)] = feature_map
                low[v, start : start + len(batch)] = low_features
            bar.update(len(indices))
        bar.close()
    assert maps is not None and low is not None, "no samples"
    return maps, low


def cached_bottom(
    config: TrainConfig, bottom: keras.Model, samples: Sequence[Sample], views: Sequence[str], desc: str
) -> tuple[np.ndarray, np.ndarray]:
    def run() -> tuple[np.ndarray, np.ndarray]:
        return extract_bottom(
            bottom,
            samples,
            image_size=config.image_size,
            views=views,
            seed=config.seed,
            workers=config.workers,
            progress=config.progress,
            desc=desc,
        )

    if config.cache_dir is None:
        return run()
    # A cache of more views serves any leading subset of them (views are extracted independently, in order).
    for longer in range(len(VIEWS_ALL), len(views) - 1, -1):
        if tuple(VIEWS_ALL[: len(views)]) != tuple(views) and longer != len(views):
            continue
        candidate = tuple(views) if longer == len(views) else VIEWS_ALL[:longer]
        stem = Path(config.cache_dir) / f"{desc}-{_cache_key(config, samples, candidate)}"
        maps_path, low_path = stem.with_suffix(".maps.npy"), stem.with_suffix(".low.npy")
        if maps_path.exists() and low_path.exists():
            logger.info("features from cache %s", stem)
            maps = np.load(maps_path, mmap_mode="r")[: len(views)]
            return np.ascontiguousarray(maps), np.load(low_path)[: len(views)]
    stem = Path(config.cache_dir) / f"{desc}-{_cache_key(config, samples, views)}"
    maps_path, low_path = stem.with_suffix(".maps.npy"), stem.with_suffix(".low.npy")
    maps, low = run()
    stem.parent.mkdir(parents=True, exist_ok=True)
    np.save(maps_path, maps)
    np.save(low_path, low)
    return maps, low


def pooled_features(top: keras.Model, maps: np.ndarray, low: np.ndarray, *, batch_size: int = 256) -> np.ndarray:
    """The full pooled feature vector [low | top's high | head pool] for cached maps, shape (views, n, dim)."""
    forward = tf.function(lambda x: top(x, training=False), reduce_retracing=True)
    views, n = maps.shape[:2]
    out = []
    for v in range(views):
        rows = []
        for start in range(0, n, batch_size):
            high, head = forward(tf.constant(maps[v, start : start + batch_size].astype(np.float32)))
            rows.append(np.concatenate([low[v, start : start + batch_size], high.numpy(), head.numpy()], axis=1))
        out.append(np.concatenate(rows))
    return np.stack(out)


# ---------------------------------------------------------------- targets


def type_targets(samples: Sequence[Sample], *, smoothing: float, class_weight_power: float) -> np.ndarray:
    """Smoothed one-hot type targets; all-zero rows for colour-only photos (their type loss is then exactly 0).

    Class weights scale the row, which scales that photo's cross-entropy."""
    n_types = len(TYPE_CODES)
    targets = np.zeros((len(samples), n_types), dtype=np.float32)
    counts = np.zeros(n_types)
    for s in samples:
        if s.type_code is not None:
            counts[TYPE_CODES.index(s.type_code)] += 1
    weights = np.where(counts > 0, (counts.max() / np.maximum(counts, 1)) ** class_weight_power, 0.0)
    typed = counts.sum()
    if typed:
        weights = weights / ((weights * counts).sum() / typed)  # mean weight over typed photos = 1
    for i, s in enumerate(samples):
        if s.type_code is None:
            continue
        k = TYPE_CODES.index(s.type_code)
        targets[i] = smoothing / n_types
        targets[i, k] += 1.0 - smoothing
        targets[i] *= weights[k]
    return targets


def color_targets(samples: Sequence[Sample], *, smoothing: float, main_weight: float) -> np.ndarray:
    n_colors = len(COLOR_CODES)
    targets = np.full((len(samples), n_colors), smoothing / n_colors, dtype=np.float32)
    for i, s in enumerate(samples):
        main = COLOR_CODES.index(s.color)
        if s.alt is not None:
            targets[i, main] += (1.0 - smoothing) * main_weight
            targets[i, COLOR_CODES.index(s.alt)] += (1.0 - smoothing) * (1.0 - main_weight)
        else:
            targets[i, main] += 1.0 - smoothing
    return targets


# ---------------------------------------------------------------- model


def build_heads(feature_dim: int, *, hidden_units: int, dropout: float) -> keras.Model:
    """Pooled features -> {type probs, color probs, embedding}. One shared hidden layer; its L2-normalised
    activation is the embedding for visual similarity."""
    features = keras.Input((feature_dim,), name="pooled_features")
    x = layers.BatchNormalization(name="features_bn")(features)
    x = layers.Dropout(dropout, name="features_dropout")(x)
    hidden = layers.Dense(hidden_units, use_bias=False, name="hidden")(x)
    hidden = layers.BatchNormalization(name="hidden_bn")(hidden)
    hidden = layers.ReLU(name="hidden_relu")(hidden)
    embedding = layers.UnitNormalization(name="embedding")(hidden)
    shared = layers.Dropout(dropout / 2, name="hidden_dropout")(hidden)
    type_probs = layers.Dense(len(TYPE_CODES), activation="softmax", name="type")(shared)
    color_probs = layers.Dense(len(COLOR_CODES), activation="softmax", name="color")(shared)
    return keras.Model(features, {"type": type_probs, "color": color_probs, "embedding": embedding}, name="heads")


def _targets(
    config: TrainConfig, samples: Sequence[Sample], *, smoothing: float | None = None
) -> dict[str, np.ndarray]:
    smoothing = config.label_smoothing if smoothing is None else smoothing
    return {
        "type": type_targets(
            samples, smoothing=smoothing, class_weight_power=config.class_weight_power if smoothing else 0.0
        ),
        "color": color_targets(samples, smoothing=smoothing, main_weight=config.color_main_weight),
    }


def _supervised(heads: keras.Model, inputs, features) -> keras.Model:
    """A view of the heads with the two supervised outputs (the embedding has no loss of its own)."""
    outputs = heads(features)
    return keras.Model(inputs, {"type": outputs["type"], "color": outputs["color"]})


def _optimizer(learning_rate: float, steps: int, weight_decay: float) -> keras.optimizers.Optimizer:
    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate * 0.1, decay_steps=steps, warmup_target=learning_rate, warmup_steps=max(1, steps // 20)
    )
    return keras.optimizers.AdamW(schedule, weight_decay=weight_decay)


def train_heads(
    config: TrainConfig,
    train_features: np.ndarray,
    train_samples: Sequence[Sample],
    val_features: np.ndarray,
    val_samples: Sequence[Sample],
    *,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> tuple[keras.Model, dict]:
    """Phase 1: train the heads on frozen (views, n, dim) features; returns the heads and the per-epoch history."""
    keras.utils.set_random_seed(config.seed)
    n_views, n, dim = train_features.shape
    x = train_features.reshape(n_views * n, dim)
    targets = {k: np.tile(v, (n_views, 1)) for k, v in _targets(config, train_samples).items()}
    heads = build_heads(dim, hidden_units=config.hidden_units, dropout=config.dropout)
    features = keras.Input((dim,), name="pooled_features")
    trainable = _supervised(heads, features, features)
    steps = max(1, int(np.ceil(len(x) / config.batch_size))) * config.epochs
    trainable.compile(
        optimizer=_optimizer(config.learning_rate, steps, config.weight_decay),
        loss={"type": "categorical_crossentropy", "color": "categorical_crossentropy"},
    )
    history = trainable.fit(
        x,
        targets,
        validation_data=(val_features[0], _targets(config, val_samples, smoothing=0.0)) if len(val_samples) else None,
        epochs=config.epochs,
        batch_size=config.batch_size,
        shuffle=True,
        verbose=2 if config.progress else 0,
        callbacks=list(callbacks),
    )
    return heads, {k: [float(v) for v in vals] for k, vals in history.history.items()}


class _MapBatches(keras.utils.PyDataset):
    """Shuffled batches over (views x photos) of cached float16 feature maps, cast to float32 per batch."""

    def __init__(self, maps: np.ndarray, low: np.ndarray, targets: dict[str, np.ndarray], batch_size: int, seed: int):
        super().__init__()
        self.maps, self.low, self.targets, self.batch_size = maps, low, targets, batch_size
        self.n_views, self.n = maps.shape[:2]
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(self.n_views * self.n)

    def __len__(self) -> int:
        return int(np.ceil(len(self.order) / self.batch_size))

    def __getitem__(self, index: int):
        chosen = np.sort(self.order[index * self.batch_size : (index + 1) * self.batch_size])
        views, photos = np.divmod(chosen, self.n)
        x = (self.maps[views, photos].astype(np.float32), self.low[views, photos])
        return x, {k: v[photos] for k, v in self.targets.items()}

    def on_epoch_end(self) -> None:
        self.order = self.rng.permutation(self.n_views * self.n)


def finetune(
    config: TrainConfig,
    top: keras.Model,
    heads: keras.Model,
    train_maps: np.ndarray,
    train_low: np.ndarray,
    train_samples: Sequence[Sample],
    val_maps: np.ndarray,
    val_low: np.ndarray,
    val_samples: Sequence[Sample],
    *,
    callbacks: Sequence[keras.callbacks.Callback] = (),
) -> dict:
    """Phase 2: fine-tune the backbone top and the heads together on cached bottom activations, at a low learning
    rate with the top's batch norms frozen (their ImageNet statistics are better than a 64-photo batch's)."""
    keras.utils.set_random_seed(config.seed + 1)
    top.trainable = True
    for layer in top.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    feature_map = keras.Input(tuple(train_maps.shape[2:]), name="feature_map")
    low = keras.Input((train_low.shape[-1],), name="low_features")
    high, head = top(feature_map)
    model = _supervised(heads, [feature_map, low], layers.Concatenate()([low, high, head]))
    batches = _MapBatches(
        train_maps, train_low, _targets(config, train_samples), config.finetune_batch_size, config.seed
    )
    model.compile(
        optimizer=_optimizer(config.finetune_learning_rate, len(batches) * config.finetune_epochs, config.weight_decay),
        loss={"type": "categorical_crossentropy", "color": "categorical_crossentropy"},
    )
    validation = None
    if len(val_samples):
        validation = ((val_maps[0].astype(np.float32), val_low[0]), _targets(config, val_samples, smoothing=0.0))
    history = model.fit(
        batches,
        validation_data=validation,
        epochs=config.finetune_epochs,
        verbose=2 if config.progress else 0,
        callbacks=list(callbacks),
    )
    top.trainable = False
    return {k: [float(v) for v in vals] for k, vals in history.history.items()}


def assemble(feature_model: keras.Model, heads: keras.Model, image_size: int) -> keras.Model:
    """One end-to-end model: image -> {type, color, embedding}."""
    image = keras.Input((image_size, image_size, 3), name="image")
    outputs = heads(feature_model(image))
    outputs = {
        "type": layers.Identity(name="type")(outputs["type"]),
        "color": layers.Identity(name="color")(outputs["color"]),
        "embedding": layers.Identity(name="embedding")(outputs["embedding"]),
    }
    return keras.Model(image, outputs, name="garment_classifier")


def serving_model(model: keras.Model) -> keras.Model:
    """The export for TFLite: one output tensor [type probs | color probs | embedding], sliced by labels.json offsets,
    so the lite runtime never has to guess which output tensor is which."""
    outputs = model.output
    joined = layers.Concatenate(name="outputs")([outputs["type"], outputs["color"], outputs["embedding"]])
    return keras.Model(model.input, joined, name="garment_classifier_serving")


def export_tflite(model: keras.Model, path: Path, *, quantization: str) -> int:
    converter = tf.lite.TFLiteConverter.from_keras_model(serving_model(model))
    if quantization == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantization != "none":
        raise ValueError(f"unknown quantization {quantization!r}")
    content = converter.convert()
    path.write_bytes(content)
    return len(content)


def labels_document(
    *, model_version: str, backbone: str, image_size: int, embedding_dim: int, quantization: str, feature_dim: int = 0
) -> dict:
    n_types, n_colors = len(TYPE_CODES), len(COLOR_CODES)
    return {
        "model_version": model_version,
        "backbone": backbone,
        "image_size": image_size,
        "preprocessing": PREPROCESSING,
        "input": {"shape": [None, image_size, image_size, 3], "dtype": "float32", "scale": "(x - 127) / 128"},
        "types": list(TYPE_CODES),
        "colors": list(COLOR_CODES),
        "slots": list(SLOTS),
        "type_to_slot": {code: TYPES[code].slot for code in TYPE_CODES},
        "embedding_dim": embedding_dim,
        "feature_dim": feature_dim,
        # Offsets into the single output vector of model.tflite.
        "tflite_output": {
            "type": [0, n_types],
            "color": [n_types, n_types + n_colors],
            "embedding": [n_types + n_colors, n_types + n_colors + embedding_dim],
        },
        "tflite_quantization": quantization,
        "slot_rule": "slot probability = sum of the probabilities of its types",
        "types_without_label": "photos labelled Not sure / Skip / Other train the colour head only",
    }


# ---------------------------------------------------------------- the whole run


@dataclass
class TrainResult:
    out_dir: Path
    model_version: str
    training_seconds: float
    metrics: dict


def train(config: TrainConfig, *, log: Callable[[str], None] = print) -> TrainResult:
    """Extract features, train the heads, export model.keras + model.tflite + labels.json + data hash into out_dir,
    then evaluate the exported model on validation and test and write metrics.json and MODEL_CARD.md."""
    from classifier import evaluation  # local: evaluation imports the predictor, which is cheap

    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    samples = load_samples(config.dataset_dir)
    by_split = {split: [s for s in samples if s.split == split] for split in ("train", "validation", "test")}
    if config.limit:
        rng = np.random.default_rng(config.seed)
        for split, items in by_split.items():
            keep = config.limit if split == "train" else max(1, config.limit // 4)
            if len(items) > keep:
                chosen = sorted(rng.choice(len(items), size=keep, replace=False))
                by_split[split] = [items[i] for i in chosen]
    train_samples, val_samples = by_split["train"], by_split["validation"]
    log(f"samples: train {len(train_samples)}, validation {len(val_samples)}, test {len(by_split['test'])}")

    backbone = build_backbone(config.backbone, image_size=config.image_size, weights_path=config.weights_path)
    if backbone.bottom is None or backbone.top is None:
        raise ValueError(f"backbone {config.backbone!r} cannot be split for cached training")
    backbone.bottom.trainable = False
    backbone.top.trainable = False
    extraction_started = time.monotonic()
    train_maps, train_low = cached_bottom(config, backbone.bottom, train_samples, config.views, "train")
    val_maps, val_low = cached_bottom(config, backbone.bottom, val_samples, ("original",), "validation")
    extraction_seconds = time.monotonic() - extraction_started
    log(f"feature maps: train {train_maps.shape}, validation {val_maps.shape}")

    log("phase 1: heads on frozen features")
    train_features = pooled_features(backbone.top, train_maps[: config.head_views], train_low[: config.head_views])
    val_features = pooled_features(backbone.top, val_maps, val_low)
    heads, history = train_heads(config, train_features, train_samples, val_features, val_samples)
    del train_features
    if config.finetune_epochs:
        log(f"phase 2: fine-tune the backbone top and the heads for {config.finetune_epochs} epochs")
        history = {
            "heads": history,
            "finetune": finetune(
                config, backbone.top, heads, train_maps, train_low, train_samples, val_maps, val_low, val_samples
            ),
        }
    else:
        history = {"heads": history}
    del train_maps
    model = assemble(backbone.features, heads, config.image_size)

    out_dir = Path(config.out_dir)
    model_version = out_dir.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    model.save(out_dir / "model.keras")
    embedding_dim = int(model.output["embedding"].shape[-1])
    tflite_bytes = export_tflite(model, out_dir / "model.tflite", quantization=config.tflite_quantization)
    labels = labels_document(
        model_version=model_version,
        backbone=config.backbone,
        image_size=config.image_size,
        embedding_dim=embedding_dim,
        quantization=config.tflite_quantization,
        feature_dim=backbone.feature_dim,
    )
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    hash_value = data_hash(train_samples)
    (out_dir / "data_hash.txt").write_text(hash_value + "\n")
    training_seconds = time.monotonic() - started
    log(f"trained in {training_seconds:.0f} s; model.tflite {tflite_bytes / 1e6:.1f} MB")

    from classifier.predictor import load_predictor

    metrics: dict = {
        "model_version": model_version,
        "training_seconds": round(training_seconds, 1),
        # The exact command line that trained this artifact (set by the train_classifier command).
        "training_command": config.extra.get("command"),
        # Near 0 when the maps came from the feature cache (build/features); about 270 s when computed on 2 cores.
        "feature_extraction_seconds": round(extraction_seconds, 1),
        "data_hash": hash_value,
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()},
        "history": history,
        "samples": {split: len(items) for split, items in by_split.items()},
        "artifact_bytes": {p.name: p.stat().st_size for p in sorted(out_dir.iterdir())},
    }
    predictor = load_predictor(out_dir, backend="tflite")
    for split in ("validation", "test"):
        log(f"evaluating model.tflite on {split}")
        metrics[split] = evaluation.evaluate(predictor, by_split[split], progress=config.progress).as_dict()
    if not config.limit:
        keras_predictor = load_predictor(out_dir, backend="keras")
        metrics["validation_keras"] = evaluation.evaluate(
            keras_predictor, by_split["validation"], progress=config.progress
        ).as_dict()
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    evaluation.write_model_card(out_dir, metrics, labels)
    return TrainResult(out_dir, model_version, training_seconds, metrics)


def point_current(out_dir: Path, current: Path) -> None:
    """Point artifacts/current at out_dir with a relative symlink (survives a git clone on Linux)."""
    if current.is_symlink() or current.is_file():
        current.unlink()
    elif current.exists():
        shutil.rmtree(current)
    current.symlink_to(os.path.relpath(out_dir.resolve(), current.parent.resolve()))

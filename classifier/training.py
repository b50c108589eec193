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
import zipfile
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

from classifier import evaluation
from classifier.backbones import bottom_with_fine_map, build_backbone, nested_layers
from classifier.coparsing import label_corrections, read_mask, slot_mask, worn_outfits
from classifier.dataset import (
    DetectedRegions,
    Sample,
    chips_by_eye_samples,
    data_hash,
    load_samples,
    sample_attribute,
    tagged_worn_samples,
    without_chips_labelled_by_eye,
    worn_samples,
)
from classifier.imaging import open_image, to_model_input
from classifier.lighting import LIGHTS
from classifier.predictor import ATTRIBUTE_HEADS, CROP_MARGIN, load_predictor, model_backed
from classifier.regions import DETECTION_SLOTS, garment_crop, segmentation_target
from classifier.tflite_graft import keep_quantization
from vocabulary import (
    COLOR_CODES,
    SLOTS,
    TYPE_CODES,
    TYPES,
)

# Every supervised head, in the order of the TFLite output vector (the embedding sits after colour); the attribute
# heads and their labels are the predictor's ATTRIBUTE_HEADS (shoe kind: only shoes with a kind train it).
SUPERVISED_HEADS: tuple[str, ...] = ("type", "color", *ATTRIBUTE_HEADS)
SEGMENTATION_CLASSES: tuple[str, ...] = ("none", *DETECTION_SLOTS)

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
    # Hidden units of each attribute head's own branch. 64 units grew the artifact to 27.9 MB with the float16 TFLite,
    # over its 25 MB budget; with the int8 export, 64 (shoe kind 16) make 23.1 MB (lite0-224-v7 runs with
    # --attribute-units 64 --kind-units 16). v6's recipe, 16 -> 64 units, validation, seeds 1337 / 7 / 11: audience
    # +0.025 / +0.004 / +0.021, warmth +0.014 / +0.018 / +0.014, formality +0.006 / +0.008 / +0.016, pattern -0.004 /
    # +0.004 / -0.006; 32 units fell in between on average. Type, colour, worn slot and outfit figures do not move
    # (phase 1 and the segmentation head do not see the attribute branches).
    attribute_units: int = 16
    # The shoe kind's branch alone (None: attribute_units). It learns from ~500 shoe photos and may overfit a wide one:
    # 16 -> 64 units read 22 -> 18, 22 -> 21, 21 -> 19 of the 34 flat validation shoes (seeds 1337 / 7 / 11), worn
    # shoes 12 -> 13, 10 -> 12, 12 -> 11 of 21: 99 -> 94 of 165 shoes in all, a loss within the noise of so few shoes.
    kind_units: int | None = None
    # Phase 3 trains an attribute head for at least this many steps (the shoe kind has few photos), on the leading
    # `attribute_views` views: unlike type, the attribute heads gained from all four (validation audience 0.645 ->
    # 0.670, formality 0.848 -> 0.867, pattern 0.904 -> 0.914, shoe kind 0.44 -> 0.65 on 34 shoes).
    attribute_min_steps: int = 250
    attribute_views: int = 4
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
    # Phase 2: fine-tune the backbone top (last stages + head conv, batch norms frozen) together with the type and
    # colour heads. 3e-4 wrecked the pretrained top in one epoch; 5e-5 improved validation slightly for v3 (flat photos
    # only) but, with the worn crops, raised the validation type loss 0.865 -> 1.045 in one epoch (lite0-224-v5).
    finetune_epochs: int = 0
    finetune_learning_rate: float = 5e-5
    finetune_batch_size: int = 64
    limit: int | None = None
    seed: int = 1337
    cache_dir: Path | None = None
    workers: int = 4
    # "int8" (weights and activations, ranges measured on calibration_inputs; float input and output), "float16",
    # "dynamic" or "none". lite0-224-v6's network re-exported int8: one forward pass 2.8 -> 1.2 ms on 2 cores,
    # validation figures within about 1.5 points of float16 either way (classifier/NOTEBOOK.md).
    tflite_quantization: str = "int8"
    # Worn garments (co-parsing crops) join the training set when this names the dataset folder.
    coparsing_dir: Path | None = None
    # Their colours are read from the masks (about 85% agree with a by-eye reading): a weaker colour target.
    worn_color_weight: float = 0.5
    # An artifact whose detector reads the image-annotated co-parsing train photos (tags, no masks): each region it
    # finds becomes a worn crop labelled with the photo's tag for that slot when the tags are unambiguous there
    # (dataset.tagged_worn_samples; type and shoe kind only, no colour). None: those photos are not used.
    worn_tags_from: Path | None = None
    # The chips lite0-224-v13 listed in those photos and people labelled by eye (bottoms, one-pieces and shoes;
    # dataset.chips_by_eye_samples) join the worn crops, in place of the tag-labelled crops of the same photo and part.
    worn_chips_by_eye: bool = False
    # Scale of the type loss (and the shoe-kind loss) of worn crops relative to flat-lay photos.
    worn_type_weight: float = 1.0
    # Segmentation head (whole-outfit detection), trained on the co-parsing masks of the train split.
    segmentation_epochs: int = 30
    segmentation_channels: int = 48
    segmentation_learning_rate: float = 1e-3
    # Loss weight per class of the segmentation target (none, top, bottom, outer, one_piece, shoes): garments are a
    # minority of the cells and shoes a small one.
    segmentation_class_weights: tuple[float, ...] = (1.0, 2.0, 2.0, 2.0, 2.0, 4.0)
    # Flat-lay photos (one garment each) added to the segmentation training as weak examples.
    flat_segmentation_photos: int = 500
    # An artifact on the same backbone whose outfit map (segmentation head) is taken as it is instead of training one
    # (phase 4 skipped): new heads under a map already chosen. None: the map is trained.
    segmentation_from: Path | None = None
    evaluate: bool = True
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


def sample_image(sample: Sample) -> Image.Image:
    """The photo a sample reads: the whole photo, or the garment's crop for worn garments."""
    image = open_image(sample.path)
    return garment_crop(image, sample.box) if sample.box is not None else image


def bottom_weights_digest(bottom: keras.Model) -> str:
    """What the cached activations depend on: the bottom's own weights, by content. A backbone fine-tuned with
    finetune_backbone --keep-bottom differs from ImageNet's only in the top, so it reuses ImageNet's cache."""
    digest = hashlib.sha256()
    for weight in bottom.weights:
        digest.update(str(tuple(weight.shape)).encode())
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight.value)).tobytes())
    return digest.hexdigest()[:16]


def _cache_key(config: TrainConfig, samples: Sequence[Sample], views: Sequence[str], weights: str) -> str:
    digest = hashlib.sha256()
    digest.update(
        f"{config.backbone}|{config.image_size}|{weights}|{','.join(views)}|{config.seed}|v6".encode()
    )  # v6: padded crops
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
        image = sample_image(samples[index])
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
    weights = bottom_weights_digest(bottom)
    # A cache of more views serves any leading subset of them (views are extracted independently, in order).
    for longer in range(len(VIEWS_ALL), len(views) - 1, -1):
        if tuple(VIEWS_ALL[: len(views)]) != tuple(views) and longer != len(views):
            continue
        candidate = tuple(views) if longer == len(views) else VIEWS_ALL[:longer]
        stem = Path(config.cache_dir) / f"{desc}-{_cache_key(config, samples, candidate, weights)}"
        maps_path, low_path = stem.with_suffix(".maps.npy"), stem.with_suffix(".low.npy")
        if maps_path.exists() and low_path.exists():
            logger.info("features from cache %s", stem)
            maps = np.load(maps_path, mmap_mode="r")[: len(views)]
            return np.ascontiguousarray(maps), np.load(low_path)[: len(views)]
    stem = Path(config.cache_dir) / f"{desc}-{_cache_key(config, samples, views, weights)}"
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


def type_targets(
    samples: Sequence[Sample], *, smoothing: float, class_weight_power: float, worn_weight: float = 1.0
) -> np.ndarray:
    """Smoothed one-hot type targets; all-zero rows for colour-only photos (their type loss is then exactly 0).

    Class weights and, for worn garments, `worn_weight` scale the row, which scales that photo's cross-entropy."""
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
        targets[i] *= weights[k] * (worn_weight if s.source != "cc0" else 1.0)
    return targets


def color_targets(
    samples: Sequence[Sample], *, smoothing: float, main_weight: float, worn_weight: float = 1.0
) -> np.ndarray:
    """Soft colour targets (main / alt); rows scaled by `worn_weight` for worn garments (colours read from masks);
    all-zero rows when a sample has no colour."""
    n_colors = len(COLOR_CODES)
    targets = np.full((len(samples), n_colors), smoothing / n_colors, dtype=np.float32)
    for i, s in enumerate(samples):
        if s.color is None:
            targets[i] = 0.0
            continue
        if s.source != "cc0":
            targets[i] *= worn_weight
        scale = worn_weight if s.source != "cc0" else 1.0
        main = COLOR_CODES.index(s.color)
        if s.alt is not None:
            targets[i, main] += (1.0 - smoothing) * main_weight * scale
            targets[i, COLOR_CODES.index(s.alt)] += (1.0 - smoothing) * (1.0 - main_weight) * scale
        else:
            targets[i, main] += (1.0 - smoothing) * scale
    return targets


def attribute_targets(
    samples: Sequence[Sample], head: str, *, smoothing: float, worn_weight: float = 1.0
) -> np.ndarray:
    """Smoothed one-hot targets of an attribute head; all-zero rows (no loss) where the sample has no such label;
    rows of worn garments scaled by `worn_weight`."""
    labels = ATTRIBUTE_HEADS[head]
    targets = np.zeros((len(samples), len(labels)), dtype=np.float32)
    for i, s in enumerate(samples):
        value = sample_attribute(s, head)
        if value is None:
            continue
        targets[i] = smoothing / len(labels)
        targets[i, labels.index(value)] += 1.0 - smoothing
        if s.source != "cc0":
            targets[i] *= worn_weight
    return targets


# ---------------------------------------------------------------- model


def build_heads(
    feature_dim: int, *, hidden_units: int, dropout: float, attribute_units: int = 16, kind_units: int | None = None
) -> keras.Model:
    """Pooled features -> {type probs, color probs, embedding, one probability vector per attribute head}. Type and
    colour share one hidden layer; its L2-normalised activation is the embedding for visual similarity. Every attribute
    head has a small branch of its own (see train_attribute_heads)."""
    features = keras.Input((feature_dim,), name="pooled_features")
    normalized = layers.BatchNormalization(name="features_bn")(features)
    x = layers.Dropout(dropout, name="features_dropout")(normalized)
    hidden = layers.Dense(hidden_units, use_bias=False, name="hidden")(x)
    hidden = layers.BatchNormalization(name="hidden_bn")(hidden)
    hidden = layers.ReLU(name="hidden_relu")(hidden)
    embedding = layers.UnitNormalization(name="embedding")(hidden)
    shared = layers.Dropout(dropout / 2, name="hidden_dropout")(hidden)
    outputs = {
        "type": layers.Dense(len(TYPE_CODES), activation="softmax", name="type")(shared),
        "color": layers.Dense(len(COLOR_CODES), activation="softmax", name="color")(shared),
        "embedding": embedding,
    }
    # One branch per attribute head. Sharing the type/colour hidden layer cost 13 points of CC0 validation type
    # accuracy (0.82 -> 0.69) in lite0-224-v4's first run; one 64-unit branch shared by the five attribute heads (v4)
    # let the shoe kind die: every hidden unit of that branch was zero for most shoe photos (the units served the
    # clothes' audience, warmth and formality), so the kind head output its bias whatever the shoe (validation kind
    # 0.21, always "sandals"), and the four other heads read one narrow layer (validation audience 0.56).
    # The branches read the shared, normalised features (their batch norm is trained with type and colour on every
    # photo and frozen afterwards): a batch norm per branch would add 48k weights to an artifact near its size budget.
    for head, labels in ATTRIBUTE_HEADS.items():
        a = layers.Dropout(dropout, name=f"{head}_features_dropout")(normalized)
        units = kind_units if head == "kind" and kind_units else attribute_units
        a = layers.Dense(units, use_bias=False, name=f"{head}_hidden")(a)
        a = layers.ReLU(name=f"{head}_hidden_relu")(layers.BatchNormalization(name=f"{head}_hidden_bn")(a))
        a = layers.Dropout(dropout / 2, name=f"{head}_hidden_dropout")(a)
        outputs[head] = layers.Dense(len(labels), activation="softmax", name=head)(a)
    return keras.Model(features, outputs, name="heads")


def _targets(
    config: TrainConfig, samples: Sequence[Sample], *, smoothing: float | None = None
) -> dict[str, np.ndarray]:
    smoothing = config.label_smoothing if smoothing is None else smoothing
    targets = {
        # Validation targets (smoothing 0) stay unweighted, so validation losses compare across recipes.
        "type": type_targets(
            samples,
            smoothing=smoothing,
            class_weight_power=config.class_weight_power if smoothing else 0.0,
            worn_weight=config.worn_type_weight if smoothing else 1.0,
        ),
        "color": color_targets(
            samples, smoothing=smoothing, main_weight=config.color_main_weight, worn_weight=config.worn_color_weight
        ),
    }
    return targets


def soft_crossentropy(y_true, y_pred):
    """Cross-entropy of soft targets whose rows need not sum to 1: an all-zero row (no label) adds no loss and no
    gradient, a row scaled by a weight scales both.

    Keras' "categorical_crossentropy" on a softmax layer's output computes the loss from the layer's logits with
    tf.nn.softmax_cross_entropy_with_logits, whose gradient (softmax - target) is right only for rows summing to 1: an
    unlabelled row pushed the prediction away from every class with the full force of a labelled one, a row weighted
    w != 1 towards w x its target, while the reported loss ignored both. Losses rose while the learning rate decayed
    (lite0-224-v5: training colour loss 1.19 -> 1.24 over epochs 3-12, the segmentation head's validation loss
    1.57 -> 2.47), and 2,195 colourless worn crops wrecked the flat-lay heads (validation type 0.81 -> 0.61). With the
    gradient following the loss, v5's own recipe reaches validation type loss 0.79 instead of 0.865."""
    return -keras.ops.sum(y_true * keras.ops.log(keras.ops.clip(y_pred, 1e-7, 1.0)), axis=-1)


# Type and colour train together (phase 1) and with the backbone top (phase 2); the attribute heads each train
# afterwards on their own labelled photos (phase 3, train_attribute_heads).
MAIN_HEADS: tuple[str, ...] = ("type", "color")
_LOSSES = {head: soft_crossentropy for head in MAIN_HEADS}


def _supervised(heads: keras.Model, inputs, features) -> keras.Model:
    """A view of the heads with the type and colour outputs (the embedding has no loss of its own)."""
    outputs = heads(features)
    return keras.Model(inputs, {head: outputs[head] for head in MAIN_HEADS})


def _attribute_layers(heads: keras.Model) -> list[keras.layers.Layer]:
    """The layers of the attribute heads' branches (named after their head)."""
    return [layer for layer in heads.layers if layer.name.split("_")[0] in ATTRIBUTE_HEADS]


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
    heads = build_heads(
        dim,
        hidden_units=config.hidden_units,
        dropout=config.dropout,
        attribute_units=config.attribute_units,
        kind_units=config.kind_units,
    )
    for layer in _attribute_layers(heads):  # trained in phase 3
        layer.trainable = False
    features = keras.Input((dim,), name="pooled_features")
    trainable = _supervised(heads, features, features)
    steps = max(1, int(np.ceil(len(x) / config.batch_size))) * config.epochs
    trainable.compile(
        optimizer=_optimizer(config.learning_rate, steps, config.weight_decay),
        loss=_LOSSES,
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


def train_attribute_heads(
    config: TrainConfig,
    heads: keras.Model,
    train_features: np.ndarray,
    train_samples: Sequence[Sample],
    val_features: np.ndarray,
    val_samples: Sequence[Sample],
) -> dict:
    """Phase 3: train each attribute head's branch on the photos that carry its label only (pattern, audience,
    warmth, formality: flat-lay photos; shoe kind: flat-lay and worn shoes with a kind), on the pooled features of the
    final backbone. Trained with the other photos at all-zero targets, a branch's batch norms also saw photos it is
    never asked about, and the kind head (under 8% of the photos) got few updates. A small subset trains for at least
    `attribute_min_steps` steps (the kind head has about 500 photos: 12 epochs would be about 50 steps)."""
    history: dict = {}
    n_views, _, dim = train_features.shape
    for layer in _attribute_layers(heads):
        layer.trainable = True
    # Shared with type and colour: its statistics stay those of every photo, not of one head's photos.
    heads.get_layer("features_bn").trainable = False
    for offset, head in enumerate(ATTRIBUTE_HEADS):
        keras.utils.set_random_seed(config.seed + 10 + offset)
        rows = [i for i, s in enumerate(train_samples) if sample_attribute(s, head) is not None]
        if not rows:
            continue
        chosen = [train_samples[i] for i in rows]
        x = train_features[:, rows].reshape(n_views * len(rows), dim)
        y = np.tile(
            attribute_targets(chosen, head, smoothing=config.label_smoothing, worn_weight=config.worn_type_weight),
            (n_views, 1),
        )
        branch = keras.Model(heads.input, heads.get_layer(head).output, name=f"{head}_branch")
        steps_per_epoch = int(np.ceil(len(x) / config.batch_size))
        epochs = max(config.epochs, int(np.ceil(config.attribute_min_steps / steps_per_epoch)))
        branch.compile(
            optimizer=_optimizer(config.learning_rate, steps_per_epoch * epochs, config.weight_decay),
            loss=soft_crossentropy,
        )
        val_rows = [i for i, s in enumerate(val_samples) if sample_attribute(s, head) is not None]
        validation = None
        if val_rows:
            validation = (
                val_features[0, val_rows],
                attribute_targets([val_samples[i] for i in val_rows], head, smoothing=0.0),
            )
        fitted = branch.fit(
            x,
            y,
            validation_data=validation,
            epochs=epochs,
            batch_size=config.batch_size,
            shuffle=True,
            verbose=2 if config.progress else 0,
        )
        history[head] = {k: [float(v) for v in vals] for k, vals in fitted.history.items()}
    heads.get_layer("features_bn").trainable = True
    return history


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
        loss=_LOSSES,
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


# ---------------------------------------------------------------- segmentation (whole-outfit detection)


def extract_segmentation(
    model: keras.Model,
    photos: Sequence[tuple[Path, np.ndarray]],
    *,
    image_size: int,
    flip: bool = True,
    batch_size: int = 32,
    progress: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frozen bottom maps of whole photos with their per-cell class targets.

    `model` is `bottom_with_fine_map`; `photos` pairs a photo path with its detection class map (H, W). Returns the
    coarse maps (n, s, s, c), the fine maps (n, 2s, 2s, c') as float16 and the targets (n, 2s, 2s, classes); with
    `flip` every photo also appears mirrored."""
    forward = tf.function(lambda x: model(x, training=False), reduce_retracing=True)
    coarse_rows, fine_rows, target_rows = [], [], []
    bar = tqdm(total=len(photos), desc="segmentation", unit="img", disable=not progress)
    for start in range(0, len(photos), batch_size):
        chunk = photos[start : start + batch_size]
        images, targets = [], []
        for path, classes in chunk:
            image = open_image(path)
            variants = [(image, classes)]
            if flip:
                variants.append((image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), classes[:, ::-1].copy()))
            for variant, variant_classes in variants:
                images.append(to_model_input(variant, image_size))
                targets.append(variant_classes)
        coarse, _, fine = (t.numpy() for t in forward(tf.constant(np.stack(images))))
        grid = fine.shape[1]
        coarse_rows.append(coarse.astype(np.float16))
        fine_rows.append(fine.astype(np.float16))
        target_rows.append(np.stack([segmentation_target(c, grid) for c in targets]))
        bar.update(len(chunk))
    bar.close()
    return np.concatenate(coarse_rows), np.concatenate(fine_rows), np.concatenate(target_rows)


def build_segmentation_head(
    coarse_shape: Sequence[int], fine_shape: Sequence[int], *, channels: int, n_classes: int = len(SEGMENTATION_CLASSES)
) -> keras.Model:
    """[coarse map, fine map] -> per-cell class probabilities at the fine map's resolution. Small: two 1x1
    projections, the coarse one upsampled, then two depthwise-separable 5x5 convolutions (the first dilated, for
    context: whether a garment is a top or a dress shows only a few cells away)."""
    coarse = keras.Input(tuple(coarse_shape), name="coarse_map")
    fine = keras.Input(tuple(fine_shape), name="fine_map")
    factor = int(fine_shape[0]) // int(coarse_shape[0])
    a = layers.Conv2D(channels, 1, use_bias=False, name="seg_fine_proj")(fine)
    a = layers.BatchNormalization(name="seg_fine_bn")(a)
    b = layers.Conv2D(channels, 1, use_bias=False, name="seg_coarse_proj")(coarse)
    b = layers.BatchNormalization(name="seg_coarse_bn")(b)
    b = layers.UpSampling2D(factor, interpolation="bilinear", name="seg_upsample")(b)
    x = layers.ReLU(name="seg_relu0")(layers.Add(name="seg_add")([a, b]))
    for i, dilation in ((1, 2), (2, 1)):
        x = layers.DepthwiseConv2D(5, padding="same", dilation_rate=dilation, use_bias=False, name=f"seg_dw{i}")(x)
        x = layers.Conv2D(channels, 1, use_bias=False, name=f"seg_pw{i}")(x)
        # Normalised: without these batch norms the head diverged after a few epochs at 3e-3.
        x = layers.ReLU(name=f"seg_relu{i}")(layers.BatchNormalization(name=f"seg_bn{i}")(x))
    probs = layers.Conv2D(n_classes, 1, activation="softmax", name="seg_probs")(x)
    return keras.Model([coarse, fine], probs, name="segmentation_head")


def weighted_cells(targets: np.ndarray, class_weights: Sequence[float]) -> np.ndarray:
    """Per-cell soft targets (..., classes) scaled by the weight of each cell's main class: scaling a soft target row
    scales that cell's cross-entropy (soft_crossentropy)."""
    weights = np.asarray(class_weights, dtype=np.float32)
    return targets * weights[targets.argmax(axis=-1)][..., None]


def train_segmentation(
    config: TrainConfig,
    train_data: tuple[np.ndarray, np.ndarray, np.ndarray],
    val_data: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
) -> tuple[keras.Model, dict]:
    keras.utils.set_random_seed(config.seed + 2)
    coarse, fine, targets = train_data
    head = build_segmentation_head(coarse.shape[1:], fine.shape[1:], channels=config.segmentation_channels)

    def weighted(t: np.ndarray) -> np.ndarray:
        return weighted_cells(t, config.segmentation_class_weights)

    batch_size = 32
    steps = max(1, int(np.ceil(len(coarse) / batch_size))) * config.segmentation_epochs
    optimizer = _optimizer(config.segmentation_learning_rate, steps, config.weight_decay)
    optimizer.clipnorm = 1.0
    # Compiled through a view of the head, so the exported head carries no compile config (a model.keras naming
    # soft_crossentropy would not load where training is not imported).
    trainable = keras.Model(head.inputs, head.outputs)
    trainable.compile(optimizer=optimizer, loss=soft_crossentropy)
    validation = None
    if val_data is not None and len(val_data[0]):
        validation = ([val_data[0].astype(np.float32), val_data[1].astype(np.float32)], weighted(val_data[2]))
    history = trainable.fit(
        [coarse.astype(np.float32), fine.astype(np.float32)],
        weighted(targets),
        validation_data=validation,
        epochs=config.segmentation_epochs,
        batch_size=batch_size,
        shuffle=True,
        verbose=2 if config.progress else 0,
    )
    return head, {k: [float(v) for v in vals] for k, vals in history.history.items()}


def reused_segmentation_head(artifact_dir: Path, backbone) -> keras.Model:
    """The outfit map (segmentation head) of the artifact in `artifact_dir`, to sit on `backbone` as it does there.
    A map reads the backbone's feature maps, so the backbone must be the artifact's own: every backbone layer with
    weights must hold the same weights there (a ValueError names the first that does not)."""
    path = Path(artifact_dir) / "model.keras"
    if not path.is_file():
        raise ValueError(f"no model.keras in {artifact_dir}")
    found = nested_layers(keras.models.load_model(path, compile=False))
    head = found.get("segmentation_head")
    if not isinstance(head, keras.Model):
        raise ValueError(f"{artifact_dir} has no outfit map (segmentation_head)")
    differs = first_weight_difference([*backbone.bottom.layers, *backbone.top.layers], found)
    if differs is not None:
        raise ValueError(
            f"the outfit map of {artifact_dir} reads another backbone: its layer {differs!r} differs "
            "(train on that artifact's own backbone: train_classifier without --weights takes it)"
        )
    return head


def first_weight_difference(ours: Sequence[keras.layers.Layer], theirs: dict[str, keras.layers.Layer]) -> str | None:
    """The name of the first layer of `ours` with weights whose namesake in `theirs` (nested_layers of another model)
    is missing or holds other weights; None when every one holds the same."""
    for layer in ours:
        weights = layer.get_weights()
        if not weights:
            continue
        other = theirs.get(layer.name)
        other_weights = other.get_weights() if other is not None else []
        if len(other_weights) != len(weights) or not all(
            np.array_equal(a, b) for a, b in zip(weights, other_weights, strict=True)
        ):
            return layer.name
    return None


def coparsing_photos(root: Path, split: str) -> list[tuple[Path, np.ndarray]]:
    """(photo path, detection class map) for the pixel-annotated co-parsing photos of a split."""
    return [
        (outfit.photo_path, slot_mask(read_mask(root, outfit.image_id)))
        for outfit in worn_outfits(root, split, with_color=False, annotation="pixel")
    ]


def flat_segmentation_photos(samples: Sequence[Sample], *, count: int, seed: int) -> list[tuple[Path, np.ndarray]]:
    """Weak segmentation examples from flat-lay photos of one garment: its slot over the central 60% of the photo,
    "none" around it (a hat: "none" everywhere). Without them the head, trained on street photos only, found two or
    more garments in almost every flat photo (CC0 validation: 98% read as outfits)."""
    rng = np.random.default_rng(seed)
    typed = [s for s in samples if s.type_code is not None and s.box is None]
    chosen = [typed[i] for i in sorted(rng.choice(len(typed), size=min(count, len(typed)), replace=False))]
    out = []
    for sample in chosen:
        with Image.open(sample.path) as image:
            width, height = image.size
        classes = np.zeros((height, width), dtype=np.uint8)
        slot = TYPES[sample.type_code].slot
        if slot in DETECTION_SLOTS:
            classes[round(height * 0.2) : round(height * 0.8), round(width * 0.2) : round(width * 0.8)] = (
                1 + DETECTION_SLOTS.index(slot)
            )
        out.append((sample.path, classes))
    return out


# ---------------------------------------------------------------- the served model


def assemble(backbone, heads: keras.Model, image_size: int, segmentation: keras.Model | None = None) -> keras.Model:
    """One end-to-end model: image -> {type, color, embedding, pattern, audience, warmth, formality, kind,
    segmentation}. Without a trained segmentation head an untrained one is attached (tests, smoke runs)."""
    image = keras.Input((image_size, image_size, 3), name="image")
    coarse, low, fine = bottom_with_fine_map(backbone)(image)
    high, head_pool = backbone.top(coarse)
    features = layers.Concatenate(name="pooled_features")([low, high, head_pool])
    outputs = heads(features)
    if segmentation is None:
        segmentation = build_segmentation_head(coarse.shape[1:], fine.shape[1:], channels=8)
    named = {name: layers.Identity(name=name)(outputs[name]) for name in ("type", "color", "embedding")}
    for head in ATTRIBUTE_HEADS:
        named[head] = layers.Identity(name=head)(outputs[head])
    named["segmentation"] = layers.Identity(name="segmentation")(segmentation([coarse, fine]))
    return keras.Model(image, named, name="garment_classifier")


OUTPUT_ORDER: tuple[str, ...] = ("type", "color", "embedding", *ATTRIBUTE_HEADS, "segmentation")
# Outputs a network may have beyond OUTPUT_ORDER, placed after the segmentation in model.tflite's output vector (so
# the offsets of the others stay where a network without them has them). "kind_worn": the kind of a pair of shoes
# someone wears, from a second kind branch trained with the worn shoes labelled by eye (graft_worn_kind).
# "segmentation_split": per cell of the outfit map, the bottom's share of its bottom + one-piece mass
# (classifier.map_split; flattened like the map). "color_lit": a colour branch trained in many lights
# (classifier.lit_colour). "orientation": which way up the photo is (classifier.orientation).
EXTRA_OUTPUTS: tuple[str, ...] = ("kind_worn", "segmentation_split", "color_lit", "orientation")
FLATTENED_OUTPUTS: tuple[str, ...] = ("segmentation", "segmentation_split")


def output_order(model: keras.Model) -> tuple[str, ...]:
    """The order of `model`'s outputs in model.tflite's single output vector."""
    return (*OUTPUT_ORDER, *(name for name in EXTRA_OUTPUTS if name in model.output))


def serving_model(model: keras.Model) -> keras.Model:
    """The export for TFLite: one output tensor [type | color | embedding | pattern | audience | warmth | formality |
    kind | segmentation (flattened G×G×classes) | kind_worn, segmentation_split (flattened) and color_lit if the
    network has them], sliced by labels.json offsets, so the lite runtime never has to guess which output tensor is
    which."""
    outputs = model.output
    parts = [
        layers.Flatten(name=f"{name}_flat")(outputs[name]) if name in FLATTENED_OUTPUTS else outputs[name]
        for name in output_order(model)
    ]
    joined = layers.Concatenate(name="outputs")(parts)
    return keras.Model(model.input, joined, name="garment_classifier_serving")


def output_offsets(model: keras.Model) -> dict[str, list[int]]:
    """labels.json's `tflite_output`: each output's [start, end) in the serving model's output vector."""
    offsets, start = {}, 0
    for name in output_order(model):
        size = int(np.prod(model.output[name].shape[1:]))
        offsets[name] = [start, start + size]
        start += size
    return offsets


def graft_worn_kind(model: keras.Model, donor: keras.Model) -> keras.Model:
    """`model` with one more output, "kind_worn": `donor`'s kind branch (its normalisation of the pooled features,
    its kind branch's hidden layer and its kind layer, weights as trained) read from `model`'s own pooled features.
    Every other output is `model`'s, unchanged. The donor must have been trained on the same backbone (e.g.
    `train_classifier --segmentation-from` this model's artifact, `--worn-chips-by-eye`), so the pooled features it
    learned from are the ones it reads here. Raises ValueError when the two do not fit together."""
    if "kind_worn" in model.output:
        raise ValueError("the model already has a kind_worn output")
    heads = donor.get_layer("heads")
    kind = heads.get_layer("kind").output
    if kind.shape[-1] != model.output["kind"].shape[-1]:
        raise ValueError(f"the donor reads {kind.shape[-1]} kinds, the model {model.output['kind'].shape[-1]}")
    pooled = model.get_layer("pooled_features").output
    if heads.input.shape[-1] != pooled.shape[-1]:
        raise ValueError(f"the donor reads {heads.input.shape[-1]} pooled features, the model {pooled.shape[-1]}")
    # The backbone: every nested model but the heads and the outfit map, layer by layer.
    backbone = [
        layer
        for outer in model.layers
        if isinstance(outer, keras.Model) and outer.name not in ("heads", "segmentation_head")
        for layer in nested_layers(outer).values()
        if not isinstance(layer, keras.Model)
    ]
    differs = first_weight_difference(backbone, nested_layers(donor))
    if differs is not None:
        raise ValueError(f"the donor was trained on another backbone: its layer {differs!r} differs")
    branch = keras.Model(heads.input, kind, name="worn_kind_branch")
    outputs = {**model.output, "kind_worn": layers.Identity(name="kind_worn")(branch(pooled))}
    return keras.Model(model.input, outputs, name=model.name)


QUANTIZATIONS = ("int8", "float16", "dynamic", "none")
# How many model inputs the int8 export measures activation ranges on (calibration_inputs).
CALIBRATION_INPUTS = 240


def export_tflite(
    model: keras.Model,
    path: Path,
    *,
    quantization: str,
    calibration: Sequence[np.ndarray] | None = None,
    float_map: bool = False,
) -> int:
    """Write the serving model as TFLite. "int8" quantizes weights and activations (XNNPACK's integer kernels: about
    2x faster on x86 than float) with ranges measured on `calibration` (model inputs, e.g. calibration_inputs);
    input and output stay float32, so the predictor does not change. `float_map` (int8 only): the outfit map's own
    layers stay in float (they are a small share of the work), so a map trained again does not also get new int8
    ranges, which alone move the garments found by a point or two (classifier/NOTEBOOK.md, 5 Dec)."""
    serving = serving_model(model)
    converter = tf.lite.TFLiteConverter.from_keras_model(serving)
    if quantization == "int8":
        if not calibration:
            raise ValueError("the int8 export needs calibration inputs")
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = lambda: ([x[None].astype(np.float32)] for x in calibration)
        if float_map:
            content = _with_float_map(serving, converter)
            path.write_bytes(content)
            return len(content)
    elif quantization == "float16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif quantization == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif quantization != "none":
        raise ValueError(f"unknown quantization {quantization!r}")
    content = converter.convert()
    path.write_bytes(content)
    return len(content)


def map_tensor_names(serving: keras.Model) -> list[str]:
    """The names of the outfit map's tensors in `serving`'s TFLite conversion (those of its nested
    "segmentation_head" model)."""
    from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415  (the runtime the predictor serves with)

    content = tf.lite.TFLiteConverter.from_keras_model(serving).convert()
    details = Interpreter(model_content=content).get_tensor_details()
    return [d["name"] for d in details if "/segmentation_head" in d["name"]]


def _with_float_map(serving: keras.Model, converter: tf.lite.TFLiteConverter) -> bytes:
    """`converter`'s int8 conversion (its calibration set) with every operator of the outfit map left in float."""
    names = map_tensor_names(serving)
    if not names:
        raise ValueError("the network has no outfit map (segmentation_head) to keep in float")
    dataset = converter.representative_dataset
    options = tf.lite.experimental.QuantizationDebugOptions(denylisted_nodes=names)
    debugger = tf.lite.experimental.QuantizationDebugger(
        converter=converter, debug_dataset=dataset, debug_options=options
    )
    return debugger.get_nondebug_quantized_model()


def calibration_inputs(
    samples: Sequence[Sample],
    coparsing_dir: Path | None,
    *,
    image_size: int,
    count: int = CALIBRATION_INPUTS,
    seed: int = 1337,
) -> list[np.ndarray]:
    """Model inputs that the int8 export measures its activation ranges on, from TRAIN data only and as the product
    reads them: flat-lay photos and worn garment crops (`samples`, the training samples), and whole street photos of
    the co-parsing train split (read whole for detection). About a third of each where there are enough."""
    rng = np.random.default_rng(seed)
    flat = [s for s in samples if s.split == "train" and s.box is None]
    worn = [s for s in samples if s.split == "train" and s.box is not None]
    photos: list[Path] = []
    if coparsing_dir is not None:
        photos = [o.photo_path for o in worn_outfits(coparsing_dir, "train", with_color=False)]

    def pick(items: Sequence, n: int) -> list:
        n = min(n, len(items))
        return [items[i] for i in sorted(rng.choice(len(items), size=n, replace=False))] if n else []

    share = count // 3
    chosen_photos = pick(photos, share)
    chosen_worn = pick(worn, share)
    chosen_flat = pick(flat, count - len(chosen_photos) - len(chosen_worn))
    images = [sample_image(s) for s in chosen_flat + chosen_worn] + [open_image(p) for p in chosen_photos]
    return [to_model_input(image, image_size) for image in images]


def labels_document(
    *,
    model_version: str,
    backbone: str,
    image_size: int,
    embedding_dim: int,
    quantization: str,
    feature_dim: int = 0,
    segmentation_grid: int = 0,
) -> dict:
    sizes = {
        "type": len(TYPE_CODES),
        "color": len(COLOR_CODES),
        "embedding": embedding_dim,
        **{head: len(labels) for head, labels in ATTRIBUTE_HEADS.items()},
        "segmentation": segmentation_grid * segmentation_grid * len(SEGMENTATION_CLASSES),
    }
    offsets, start = {}, 0
    for name in OUTPUT_ORDER:
        offsets[name] = [start, start + sizes[name]]
        start += sizes[name]
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
        "heads": {head: list(labels) for head, labels in ATTRIBUTE_HEADS.items()},
        "segmentation": {
            "grid": segmentation_grid,
            "classes": list(SEGMENTATION_CLASSES),
            "frame": "the model input: the photo centre-trimmed to aspect <= 4:3 and squeezed to a square",
        },
        "embedding_dim": embedding_dim,
        "feature_dim": feature_dim,
        # Offsets into the single output vector of model.tflite.
        "tflite_output": offsets,
        "tflite_quantization": quantization,
        "slot_rule": "slot probability = sum of the probabilities of its types",
        "types_without_label": "photos labelled Not sure / Skip / Other train the colour head only",
        "kind_rule": "shoe kind: trained on shoes only; meaningful only when the slot is shoes",
    }


# ---------------------------------------------------------------- the whole run


@dataclass
class TrainResult:
    out_dir: Path
    model_version: str
    training_seconds: float
    metrics: dict


def _limit(items: list, keep: int, rng: np.random.Generator) -> list:
    if len(items) <= keep:
        return items
    return [items[i] for i in sorted(rng.choice(len(items), size=keep, replace=False))]


def save_model_keras(model: keras.Model, path: Path) -> None:
    """model.keras, re-zipped with deflate (Keras stores it uncompressed; the artifact has a size budget)."""
    raw = path.with_suffix(".raw.keras")
    model.save(raw)
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    raw.unlink()


def train(config: TrainConfig, *, log: Callable[[str], None] = print) -> TrainResult:
    """Extract features, train the heads (flat-lay photos and, with `coparsing_dir`, worn garments) and the
    segmentation head, export model.keras + model.tflite + labels.json + data hash into out_dir, then (with
    `evaluate`) evaluate the exported model and write metrics.json and MODEL_CARD.md."""
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    samples = load_samples(config.dataset_dir)
    by_split = {split: [s for s in samples if s.split == split] for split in ("train", "validation", "test")}
    rng = np.random.default_rng(config.seed)
    if config.limit:
        for split, items in by_split.items():
            by_split[split] = _limit(items, config.limit if split == "train" else max(1, config.limit // 4), rng)
    worn: dict[str, list[Sample]] = {"train": [], "validation": []}
    seg_photos: dict[str, list] = {"train": [], "validation": []}
    if config.coparsing_dir is not None:
        for split in worn:
            worn[split] = worn_samples(config.coparsing_dir, split)
            seg_photos[split] = coparsing_photos(Path(config.coparsing_dir), split)
            if config.limit:
                worn[split] = _limit(worn[split], max(1, config.limit // 4), rng)
                seg_photos[split] = _limit(seg_photos[split], max(1, config.limit // 4), rng)
    tagged: list[Sample] = []
    if config.coparsing_dir is not None and config.worn_tags_from is not None:
        detection_started = time.monotonic()
        tagged = tagged_worn_samples(
            config.coparsing_dir, "train", artifact_detector(Path(config.worn_tags_from)), margin=CROP_MARGIN
        )
        if config.limit:
            tagged = _limit(tagged, max(1, config.limit // 4), rng)
        log(
            f"tagged worn crops: {len(tagged)} regions of image-annotated train photos read by "
            f"{Path(config.worn_tags_from).name} ({time.monotonic() - detection_started:.0f} s)"
        )
    chips: list[Sample] = []
    if config.coparsing_dir is not None and config.worn_chips_by_eye:
        chips = chips_by_eye_samples(config.coparsing_dir, "train", margin=CROP_MARGIN)
        before = len(tagged)
        tagged = without_chips_labelled_by_eye(tagged, chips)
        log(
            f"worn crops labelled by eye: {len(chips)} chips of image-annotated train photos, "
            f"{before - len(tagged)} tagged crops replaced"
        )
    train_samples = by_split["train"] + worn["train"] + tagged + chips
    val_samples = by_split["validation"] + worn["validation"]
    log(
        f"samples: train {len(by_split['train'])} flat + {len(worn['train'])} worn + {len(tagged)} tagged + "
        f"{len(chips)} labelled by eye, validation "
        f"{len(by_split['validation'])} + {len(worn['validation'])}, test {len(by_split['test'])}; "
        f"segmentation photos: train {len(seg_photos['train'])}, validation {len(seg_photos['validation'])}"
    )

    backbone = build_backbone(config.backbone, image_size=config.image_size, weights_path=config.weights_path)
    if backbone.bottom is None or backbone.top is None:
        raise ValueError(f"backbone {config.backbone!r} cannot be split for cached training")
    backbone.bottom.trainable = False
    backbone.top.trainable = False
    kept_map = None
    if config.segmentation_from is not None:
        if config.finetune_epochs:
            raise ValueError(
                "an outfit map kept as it is needs the backbone as it is: no fine-tuning (finetune_epochs 0)"
            )
        kept_map = reused_segmentation_head(Path(config.segmentation_from), backbone)
    extraction_started = time.monotonic()
    train_maps, train_low = cached_bottom(config, backbone.bottom, train_samples, config.views, "train")
    val_maps, val_low = cached_bottom(config, backbone.bottom, val_samples, ("original",), "validation")
    extraction_seconds = time.monotonic() - extraction_started
    log(f"feature maps: train {train_maps.shape}, validation {val_maps.shape} ({extraction_seconds:.0f} s)")

    log("phase 1: type and colour heads on frozen features")
    phase_started = time.monotonic()
    train_features = pooled_features(backbone.top, train_maps[: config.head_views], train_low[: config.head_views])
    val_features = pooled_features(backbone.top, val_maps, val_low)
    heads, history = train_heads(config, train_features, train_samples, val_features, val_samples)
    history = {"heads": history}
    timings = {"feature_extraction": extraction_seconds, "heads": time.monotonic() - phase_started}
    if config.finetune_epochs:
        log(f"phase 2: fine-tune the backbone top and the heads for {config.finetune_epochs} epochs")
        phase_started = time.monotonic()
        history["finetune"] = finetune(
            config, backbone.top, heads, train_maps, train_low, train_samples, val_maps, val_low, val_samples
        )
        timings["finetune"] = time.monotonic() - phase_started
        val_features = pooled_features(backbone.top, val_maps, val_low)  # the fine-tuned top
    if config.finetune_epochs or config.attribute_views != config.head_views:
        views = config.attribute_views
        train_features = pooled_features(backbone.top, train_maps[:views], train_low[:views])
    del train_maps
    log("phase 3: each attribute head on its labelled photos")
    phase_started = time.monotonic()
    history["attributes"] = train_attribute_heads(
        config, heads, train_features, train_samples, val_features, val_samples
    )
    timings["attributes"] = time.monotonic() - phase_started
    del train_features

    segmentation = kept_map
    if kept_map is not None and config.segmentation_from is not None:
        log(f"phase 4: the outfit map of {Path(config.segmentation_from).name}, as it is")
        seg_photos = {split: [] for split in seg_photos}
    if seg_photos["train"] and config.flat_segmentation_photos:
        seg_photos["train"] = seg_photos["train"] + flat_segmentation_photos(
            by_split["train"], count=config.flat_segmentation_photos, seed=config.seed
        )
        seg_photos["validation"] = seg_photos["validation"] + flat_segmentation_photos(
            by_split["validation"], count=config.flat_segmentation_photos // 5, seed=config.seed
        )
    if seg_photos["train"] and config.segmentation_epochs:
        log("phase 4: segmentation head on the co-parsing masks")
        phase_started = time.monotonic()
        fine_model = bottom_with_fine_map(backbone)
        seg_train = extract_segmentation(
            fine_model, seg_photos["train"], image_size=config.image_size, progress=config.progress
        )
        seg_val = None
        if seg_photos["validation"]:
            seg_val = extract_segmentation(
                fine_model, seg_photos["validation"], image_size=config.image_size, flip=False, progress=False
            )
        segmentation, history["segmentation"] = train_segmentation(config, seg_train, seg_val)
        timings["segmentation"] = time.monotonic() - phase_started
    model = assemble(backbone, heads, config.image_size, segmentation)

    out_dir = Path(config.out_dir)
    model_version = out_dir.name
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    save_model_keras(model, out_dir / "model.keras")
    embedding_dim = int(model.output["embedding"].shape[-1])
    calibration = None
    if config.tflite_quantization == "int8":
        calibration = calibration_inputs(
            train_samples, config.coparsing_dir, image_size=config.image_size, seed=config.seed
        )
    tflite_bytes = export_tflite(
        model, out_dir / "model.tflite", quantization=config.tflite_quantization, calibration=calibration
    )
    labels = labels_document(
        model_version=model_version,
        backbone=config.backbone,
        image_size=config.image_size,
        embedding_dim=embedding_dim,
        quantization=config.tflite_quantization,
        feature_dim=backbone.feature_dim,
        segmentation_grid=int(model.output["segmentation"].shape[1]),
    )
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    hash_value = data_hash(train_samples)
    (out_dir / "data_hash.txt").write_text(hash_value + "\n")
    training_seconds = time.monotonic() - started
    log(f"trained in {training_seconds:.0f} s; model.tflite {tflite_bytes / 1e6:.1f} MB")

    metrics: dict = {
        "model_version": model_version,
        "training_seconds": round(training_seconds, 1),
        "phase_seconds": {k: round(v, 1) for k, v in timings.items()},
        # The exact command line that trained this artifact (set by the train_classifier command).
        "training_command": config.extra.get("command"),
        # Near 0 when the maps came from the feature cache (build/features).
        "feature_extraction_seconds": round(extraction_seconds, 1),
        "data_hash": hash_value,
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()},
        "history": history,
        "samples": {split: len(items) for split, items in by_split.items()},
        "worn_samples": {split: len(items) for split, items in worn.items()},
        "worn_tagged_samples": tagged_summary(tagged, config.worn_tags_from),
        "worn_chip_samples": {"train": len(chips)} if config.worn_chips_by_eye else {},
        # Photos whose co-parsing labels were corrected by eye (coparsing.LABEL_CORRECTIONS_PATH) for this training.
        "coparsing_label_corrections": len(label_corrections()) if config.coparsing_dir is not None else 0,
        "segmentation_photos": {split: len(items) for split, items in seg_photos.items()},
    }
    if finetuned := backbone_finetune_record(config.weights_path):
        metrics["backbone_finetune"] = finetuned
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    if config.evaluate:
        metrics = evaluation.evaluate_artifact(
            out_dir,
            config.dataset_dir,
            coparsing_dir=config.coparsing_dir,
            splits=("validation", "test"),
            limit=max(1, config.limit // 4) if config.limit else None,
            keras_validation=not config.limit,
            progress=config.progress,
        )
    return TrainResult(out_dir, model_version, training_seconds, metrics)


def backbone_finetune_record(weights_path: Path | None) -> dict | None:
    """The record finetune_backbone wrote beside a fine-tuned backbone's weights (its command, epochs, validation
    type accuracy per epoch, time); None for the ImageNet weights."""
    if weights_path is None:
        return None
    record_path = Path(weights_path).with_suffix(".json")
    if not record_path.is_file():
        return None
    record = json.loads(record_path.read_text())
    if "history" not in record:
        return None
    return {
        "weights": Path(weights_path).name,
        "command": (record.get("config", {}).get("extra") or {}).get("command"),
        "epochs": record.get("config", {}).get("epochs"),
        "samples": record.get("samples"),
        "validation_type_accuracy": record["history"].get("validation_type_accuracy"),
        "seconds": record.get("seconds"),
    }


def reexport(
    source: Path,
    out_dir: Path,
    *,
    quantization: str,
    dataset_dir: Path,
    coparsing_dir: Path | None = None,
    command: str | None = None,
    seed: int = 1337,
    worn_kind_from: Path | None = None,
    segmentation_split: bool = False,
    map_with_phones: bool = False,
    studio_copies: int = 0,
    lit_copies: int = 0,
    camera_copies: int = 0,
    lit_colour: bool = False,
    orientation: bool = False,
    log: Callable[[str], None] = logger.info,
) -> dict:
    """A new artifact version from `source`'s model.keras exported with another quantization: the same network (same
    weights, data hash and training record), a new model.tflite. metrics.json keeps the training record and notes
    "exported_from"; its figures, the post-network parameters in labels.json and the model card are stale until
    evaluate_artifact runs (the test scorings carry over: it is the same network). Returns the new metrics.

    `quantization="keep"` copies `source`'s model.tflite byte for byte: a new version whose only change is what a
    newer evaluation chooses after the network (its figures then differ from the source's by those steps alone).

    `worn_kind_from`: an artifact trained on `source`'s backbone whose kind branch is grafted on as the output
    "kind_worn" (graft_worn_kind), the worn shoes' kind; every other output stays `source`'s. labels.json then names
    the branch (`worn_kind_head`) and drops `source`'s `worn_kind` regression, which read the flat kind head.

    `segmentation_split`: train the outfit map's bottom / one-piece split branch on `source`'s frozen network
    (classifier.map_split, a few minutes; it needs `coparsing_dir`) and graft it on as the output
    "segmentation_split"; every other output stays `source`'s. metrics.json records its training.

    `map_with_phones`: train `source`'s outfit map on with phones drawn over the street photos (classifier.map_phones,
    a few minutes; it needs `coparsing_dir`) and put it in place of the map under new layer names; every other output
    stays `source`'s, bit for bit. metrics.json records its training. `studio_copies`, `lit_copies`, `camera_copies`:
    besides, that many copies of each street photo with the person on a plain backdrop, as a shop shoots a model, in
    a random light, and as another camera renders it (map_phones.PhonesConfig).

    `lit_colour`: train a colour branch on `source`'s frozen network with the CC0 train photos as taken and in random
    lights (classifier.lit_colour, a few minutes) and graft it on as the output "color_lit", which the predictor
    blends with the colour head (labels.json `color_lit`); every other output stays `source`'s, bit for bit.
    metrics.json records its training.

    `orientation`: train a branch on `source`'s frozen network that tells which way up a photo is
    (classifier.orientation: the CC0 train photos, and the co-parsing ones when `coparsing_dir` is given, at four
    turns; about ten minutes) and graft it on as the output "orientation", with which the predictor reads a turned
    photo turned upright
    (labels.json `orientation`); every other output stays `source`'s, bit for bit. metrics.json records its training."""
    source, out_dir = Path(source), Path(out_dir)
    if quantization not in (*QUANTIZATIONS, "keep"):
        raise ValueError(f"unknown quantization {quantization!r}")
    grafted = worn_kind_from is not None or segmentation_split or map_with_phones or lit_colour or orientation
    if quantization == "keep" and grafted:
        raise ValueError("a grafted branch needs a new export, not a kept model.tflite")
    if (studio_copies or lit_copies or camera_copies) and not map_with_phones:
        raise ValueError(
            "studio, lit and camera copies are settings of the map trained on with phones: give map_with_phones"
        )
    if (segmentation_split or map_with_phones) and coparsing_dir is None:
        raise ValueError(
            "the segmentation split and the map with phones learn from the co-parsing photos: give their folder"
        )
    if out_dir.exists():
        raise FileExistsError(f"{out_dir} exists")
    started = time.monotonic()
    donor = keras.models.load_model(Path(worn_kind_from) / "model.keras", compile=False) if worn_kind_from else None
    shutil.copytree(source, out_dir, ignore=shutil.ignore_patterns("evaluation"))
    previous = json.loads((out_dir / "labels.json").read_text()).get("tflite_quantization")
    if quantization == "keep":
        return _record_export(source, out_dir, previous, previous, 0, command, started, copied=True, log=log)
    model = keras.models.load_model(out_dir / "model.keras", compile=False)
    if donor is not None:
        assert worn_kind_from is not None  # donor is loaded from it
        model = graft_worn_kind(model, donor)
        save_model_keras(model, out_dir / "model.keras")
        _record_graft(out_dir, Path(worn_kind_from), output_offsets(model))
    split_record = None
    if segmentation_split:
        assert coparsing_dir is not None  # checked above
        # lazy: training-side module of its own (map_split imports this module's neighbours only)
        from classifier.map_split import graft_segmentation_split, train_split  # noqa: PLC0415

        flat_train = load_samples(dataset_dir, splits=["train"])
        photos = coparsing_photos(Path(coparsing_dir), "train") + flat_segmentation_photos(
            flat_train, count=TrainConfig.flat_segmentation_photos, seed=seed
        )
        branch, split_record = train_split(model, coparsing_dir=Path(coparsing_dir), seg_photos=photos, log=log)
        model = graft_segmentation_split(model, branch)
        save_model_keras(model, out_dir / "model.keras")
        labels = json.loads((out_dir / "labels.json").read_text())
        labels["tflite_output"] = output_offsets(model)
        (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    phones_record = None
    if map_with_phones:
        assert coparsing_dir is not None  # checked above
        # lazy: training-side module of its own, which imports this one
        from classifier.map_phones import PhonesConfig, graft_outfit_map, train_map_with_phones  # noqa: PLC0415

        flat_train = load_samples(dataset_dir, splits=["train"])
        flat = flat_segmentation_photos(flat_train, count=TrainConfig.flat_segmentation_photos, seed=seed)
        head, phones_record = train_map_with_phones(
            model,
            coparsing_dir=Path(coparsing_dir),
            flat_photos=flat,
            version=out_dir.name,
            config=PhonesConfig(studio_copies=studio_copies, lit_copies=lit_copies, camera_copies=camera_copies),
            log=log,
        )
        model = graft_outfit_map(model, head)
        save_model_keras(model, out_dir / "model.keras")
    lit_record = None
    if lit_colour:
        # lazy: training-side module of its own, which imports this one
        from classifier.lit_colour import LitConfig, graft_lit_colour, train_lit_colour  # noqa: PLC0415

        lit_config = LitConfig()
        branch, lit_record = train_lit_colour(
            model,
            dataset_dir=Path(dataset_dir),
            config=lit_config,
            validation_lights={"as_taken": (1.0, 1.0, 1.0), **LIGHTS},
            log=log,
        )
        model = graft_lit_colour(model, branch)
        save_model_keras(model, out_dir / "model.keras")
        labels = json.loads((out_dir / "labels.json").read_text())
        labels["tflite_output"] = output_offsets(model)
        labels["color_lit"] = {
            "blend": lit_config.blend,
            "sharpen": lit_record.get("sharpen", 1.0),
            "rule": "a photo's colour is the geometric mean of the colour head's and this branch's, the branch "
            "weighing `blend`, raised to `sharpen`, before the garment's pixels are weighed in "
            "(predictor.any_light_colour)",
        }
        (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    turn_record = None
    if orientation:
        # lazy: training-side module of its own
        from classifier.orientation import LABELS, TURNS, graft_orientation, train_orientation  # noqa: PLC0415
        from classifier.turns import PERSON_THRESHOLD  # noqa: PLC0415

        branch, turn_record = train_orientation(
            model, dataset_dir=Path(dataset_dir), coparsing_dir=coparsing_dir, log=log
        )
        model = graft_orientation(model, branch)
        save_model_keras(model, out_dir / "model.keras")
        labels = json.loads((out_dir / "labels.json").read_text())
        labels["tflite_output"] = output_offsets(model)
        labels["orientation"] = {
            "labels": list(LABELS),
            "turns": list(TURNS),
            "threshold": turn_record["threshold"],
            "person_threshold": max(PERSON_THRESHOLD, turn_record["threshold"]),
            "rule": "a photo the branch calls turned (not upright) at least as surely as `threshold` (a photo the "
            "outfit gate reads as someone dressed: `person_threshold`) is read again turned upright, its boxes given "
            "on the photo as uploaded (predictor._upright)",
        }
        (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    calibration = None
    if quantization == "int8":
        samples = load_samples(dataset_dir, splits=["train"])
        if coparsing_dir is not None:
            samples += worn_samples(coparsing_dir, "train")
        calibration = calibration_inputs(samples, coparsing_dir, image_size=int(model.input.shape[1]), seed=seed)
    # A source whose outfit map runs in float (trained on with phones) keeps it so under a later graft.
    map_in_float = bool(
        (json.loads((source / "metrics.json").read_text()).get("outfit_map_with_phones") or {}).get("map_in_float")
    )
    export_tflite(
        model,
        out_dir / "model.tflite",
        quantization=quantization,
        calibration=calibration,
        float_map=(map_with_phones or map_in_float) and quantization == "int8",
    )
    kept = None
    if grafted and calibration and previous == "int8":
        kept = _keep_source_quantization(
            source,
            out_dir,
            calibration[:: max(1, len(calibration) // 12)],
            changed=("segmentation",) if map_with_phones else (),
            log=log,
        )
    metrics = json.loads((out_dir / "metrics.json").read_text())
    if donor is not None and kept is not None:
        metrics["worn_kind_head"]["source_quantization_kept"] = kept
    if split_record is not None:
        metrics["segmentation_split"] = {**split_record, **({"source_quantization_kept": kept} if kept else {})}
    if phones_record is not None:
        metrics["outfit_map_with_phones"] = {
            **phones_record,
            "from": source.resolve().name,
            "map_in_float": quantization == "int8",
            **({"source_quantization_kept": kept} if kept else {}),
        }
    if lit_record is not None:
        metrics["lit_colour"] = {
            **lit_record,
            "from": source.resolve().name,
            **({"source_quantization_kept": kept} if kept else {}),
        }
    if turn_record is not None:
        metrics["orientation"] = {
            **turn_record,
            "from": source.resolve().name,
            **({"source_quantization_kept": kept} if kept else {}),
        }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return _record_export(
        source, out_dir, quantization, previous, len(calibration or ()), command, started, copied=False, log=log
    )


def _keep_source_quantization(
    source: Path,
    out_dir: Path,
    inputs: Sequence[np.ndarray],
    *,
    changed: Sequence[str] = (),
    log: Callable[[str], None],
) -> dict:
    """A grafted network's int8 export with `source`'s quantization wherever the two are the same network
    (tflite_graft.keep_quantization), checked: on `inputs`, every output `source` has, but the `changed` ones (an
    output whose layers were replaced), comes out bit for bit as `source`'s model.tflite gives it (a ValueError
    otherwise). Returns what was kept, for metrics.json."""
    kept = keep_quantization(source / "model.tflite", out_dir / "model.tflite")
    offsets = json.loads((source / "labels.json").read_text())["tflite_output"]
    width = max(end for _, end in offsets.values())
    same = np.zeros(width, dtype=bool)
    for name, (start, end) in offsets.items():
        same[start:end] = name not in changed
    theirs, ours = (_tflite_outputs(path / "model.tflite", inputs) for path in (source, out_dir))
    if not np.array_equal(theirs[:, same], ours[:, :width][:, same]):
        moved = np.mean(theirs[:, same] != ours[:, :width][:, same])
        raise ValueError(f"the graft changed {source.name}'s own outputs ({moved:.1%})")
    others = f", but {', '.join(changed)}," if changed else ""
    log(f"{source.name}'s int8 quantization kept: its outputs{others} bit for bit on {len(inputs)} inputs")
    return {**kept, "checked_inputs": len(inputs), **({"outputs_changed": list(changed)} if changed else {})}


def _tflite_outputs(path: Path, inputs: Sequence[np.ndarray]) -> np.ndarray:
    from ai_edge_litert.interpreter import Interpreter  # noqa: PLC0415  (the runtime the predictor serves with)

    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    into, out = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
    rows = []
    for x in inputs:
        interpreter.set_tensor(into, x[None].astype(np.float32))
        interpreter.invoke()
        rows.append(interpreter.get_tensor(out).copy())
    return np.concatenate(rows)


def _record_graft(out_dir: Path, donor_dir: Path, offsets: dict[str, list[int]]) -> None:
    """labels.json and metrics.json of an artifact whose network got `donor_dir`'s kind branch as "kind_worn"."""
    labels = json.loads((out_dir / "labels.json").read_text())
    donor_labels = json.loads((donor_dir / "labels.json").read_text())
    if donor_labels["heads"].get("kind") != labels["heads"].get("kind"):
        raise ValueError(f"{donor_dir.name}'s kind head reads other kinds than {out_dir.name}'s")
    labels["tflite_output"] = offsets
    labels.pop("worn_kind", None)
    donor_metrics = json.loads((donor_dir / "metrics.json").read_text())
    labels["worn_kind_head"] = {
        "labels": list(labels["heads"]["kind"]),
        "from": donor_dir.resolve().name,
        "training_command": donor_metrics.get("config", {}).get("extra", {}).get("command"),
        "rule": "the kind of shoes worn (a crop of a photo of a person) is this output's; shoes laid flat keep 'kind'",
    }
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    metrics = json.loads((out_dir / "metrics.json").read_text())
    metrics["worn_kind_head"] = {
        "from": labels["worn_kind_head"]["from"],
        "training_command": labels["worn_kind_head"]["training_command"],
        "worn_chip_samples": donor_metrics.get("worn_chip_samples"),
    }
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")


def _record_export(
    source: Path,
    out_dir: Path,
    quantization: str,
    previous: str | None,
    calibration_inputs: int,
    command: str | None,
    started: float,
    *,
    copied: bool,
    log: Callable[[str], None],
) -> dict:
    """labels.json and metrics.json of a re-exported (or copied) artifact: its own version, where it came from."""
    labels = json.loads((out_dir / "labels.json").read_text())
    labels.update(model_version=out_dir.name, tflite_quantization=quantization)
    (out_dir / "labels.json").write_text(json.dumps(labels, indent=2) + "\n")
    metrics = json.loads((out_dir / "metrics.json").read_text())
    for stale in ("benchmark", "artifact_bytes"):
        metrics.pop(stale, None)
    metrics["model_version"] = out_dir.name
    metrics["exported_from"] = {
        "artifact": source.resolve().name,
        "quantization": quantization,
        "previous_quantization": metrics.get("config", {}).get("tflite_quantization", previous),
        "calibration_inputs": calibration_inputs,
        "command": command,
        "seconds": round(time.monotonic() - started, 1),
        **({"tflite_copied": True} if copied else {}),
    }
    metrics.setdefault("config", {})["tflite_quantization"] = quantization
    (out_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    size = (out_dir / "model.tflite").stat().st_size
    how = "model.tflite copied unchanged" if copied else f"{quantization}: model.tflite"
    log(f"exported {source.name} -> {out_dir.name} ({how}, {size / 1e6:.1f} MB)")
    return metrics


def artifact_detector(model_dir: Path) -> Callable[[Path], DetectedRegions]:
    """The garments an artifact's TFLite model finds in a photo, as served (Predictor.detect: its tuned detection
    thresholds and outfit gate; boxes in fractions of the photo)."""
    predictor = model_backed(load_predictor(model_dir, backend="tflite"), "--worn-tags-from")

    def detect(path: Path) -> DetectedRegions:
        image = open_image(path)
        out = predictor.outputs([image])
        return predictor.detect(image, out["segmentation"][0], out["embedding"][0])

    return detect


def tagged_summary(tagged: Sequence[Sample], source: Path | None) -> dict:
    """What metrics.json records of the tag-labelled worn crops: their count, the detecting artifact, per slot."""
    if source is None:
        return {}
    by_slot: dict[str, int] = {}
    for sample in tagged:
        slot = TYPES[sample.type_code].slot if sample.type_code else "none"
        by_slot[slot] = by_slot.get(slot, 0) + 1
    return {
        "train": len(tagged),
        "detected_by": Path(source).resolve().name,
        "by_slot": dict(sorted(by_slot.items())),
        "shoe_kinds": sum(1 for s in tagged if s.shoe_kind is not None),
    }


def point_current(out_dir: Path, current: Path) -> None:
    """Point artifacts/current at out_dir with a relative symlink (survives a git clone on Linux)."""
    if current.is_symlink() or current.is_file():
        current.unlink()
    elif current.exists():
        shutil.rmtree(current)
    current.symlink_to(os.path.relpath(out_dir.resolve(), current.parent.resolve()))

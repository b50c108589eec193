"""Fine-tune the whole EfficientNet-Lite0 backbone end to end, before the heads are trained on its frozen features.

The classifier's heads train on cached feature maps of a frozen backbone (classifier.training): minutes on 2 cores,
but the features stay ImageNet's. This step first adapts the backbone itself to garments: a type and a colour head
on the pooled features, trained with the backbone on augmented flat photos and worn-garment crops (random crops and
flips, no colour jitter: colour is a label), batch norms frozen at their ImageNet statistics, the stem and the first
three blocks frozen. It writes the adapted backbone in the ImageNet file's own `.npz` layout, so that

    manage.py finetune_backbone --out build/lite0-garments.npz
    manage.py train_classifier --weights build/lite0-garments.npz ...

trains every head, the segmentation map and the export exactly as from ImageNet weights. Its own heads are thrown
away. Imports TensorFlow at module import: only the training commands and tests import this module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from PIL import Image

from classifier.backbones import (
    LITE0_STAGES,
    LITE0_TOP_FIRST_STAGE,
    Backbone,
    bottom_with_fine_map,
    build_backbone,
    save_lite0_weights,
)
from classifier.dataset import Sample, load_samples, worn_samples
from classifier.imaging import center_aspect_crop, to_rgb
from classifier.regions import segmentation_target
from classifier.training import (
    TrainConfig,
    build_segmentation_head,
    color_targets,
    coparsing_photos,
    sample_image,
    soft_crossentropy,
    type_targets,
    weighted_cells,
)
from vocabulary import COLOR_CODES


@dataclass
class FinetuneConfig:
    dataset_dir: Path
    weights_path: Path
    out_path: Path
    coparsing_dir: Path | None = None
    image_size: int = 224
    epochs: int = 4
    # One epoch of the new heads alone first (backbone frozen), then everything but the frozen layers at this peak
    # learning rate with a cosine decay.
    head_learning_rate: float = 2e-3
    learning_rate: float = 1e-4
    weight_decay: float = 1e-5
    batch_size: int = 32
    # Layers whose name starts with one of these stay as ImageNet made them (edges and colour blobs).
    # `bottom_frozen_prefixes()` keeps the whole bottom, everything the outfit map reads.
    frozen_prefixes: Sequence[str] = ("stem", "block0_", "block1_", "block2_")
    color_loss_weight: float = 0.5
    label_smoothing: float = 0.05
    color_main_weight: float = 0.75
    # With a weight above 0, the outfit map joins the fine-tuning: a segmentation head (as train_classifier builds it)
    # on the bottom's maps, trained on the pixel-annotated street photos of the co-parsing train split (each seen
    # `segmentation_repeat` times an epoch, cropped and mirrored with its map), so the bottom adapts to finding
    # garments on people instead of drifting away from it. Its head is thrown away with the others.
    segmentation_weight: float = 0.0
    segmentation_repeat: int = 2
    seed: int = 1337
    limit: int | None = None
    workers: int = 4
    progress: bool = True
    extra: dict = field(default_factory=dict)


@dataclass
class FinetuneResult:
    out_path: Path
    seconds: float
    history: dict


def bottom_frozen_prefixes() -> tuple[str, ...]:
    """The stem and every block of Lite0's bottom (stages 0-4): the segmentation head reads the bottom's output and
    stage 2 (backbones.SEGMENTATION_LAYERS), so with these frozen the outfit map sees exactly the features it saw
    on the starting weights, and only the top (stages 5-6 and the head) adapts to garments. Fully fine-tuning
    (lite0-224-v8) read flat photos better but moved the map: on a street photo a red skirt became a dress."""
    bottom_blocks = sum(stage[4] for stage in LITE0_STAGES[:LITE0_TOP_FIRST_STAGE])
    return ("stem", *(f"block{b}_" for b in range(bottom_blocks)))


# Photos are decoded once, squeezed to a square of this side (as to_model_input squeezes them), and cropped from there.
_PRELOAD_SIZE = 256


def _square(image: Image.Image) -> np.ndarray:
    image = center_aspect_crop(to_rgb(image))
    image = image.resize((_PRELOAD_SIZE, _PRELOAD_SIZE), Image.Resampling.BILINEAR, reducing_gap=2.0)
    return np.asarray(image, dtype=np.uint8)


def _preload(samples: Sequence[Sample], *, workers: int) -> np.ndarray:
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return np.stack(list(pool.map(lambda sample: _square(sample_image(sample)), samples)))


def _preload_street(photos: Sequence[tuple[Path, np.ndarray]], grid: int, *, workers: int):
    """Street photos with their detection class maps -> (uint8 squares, (n, grid, grid, classes) cell shares in the
    same frame, regions.segmentation_target)."""

    def load(item: tuple[Path, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        path, classes = item
        with Image.open(path) as image:
            return _square(image), segmentation_target(classes, grid)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(load, photos))
    return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])


def _augment(image_size: int) -> Callable:
    """A batch of uint8 squares -> model inputs: 3 in 4 a random crop (60-100 % of the area, aspect 3:4-4:3), else
    the whole square; half of them mirrored."""

    def augment(pixels, targets):
        n = tf.shape(pixels)[0]
        area = tf.random.uniform([n], 0.6, 1.0)
        aspect = tf.exp(tf.random.uniform([n], np.log(3 / 4), np.log(4 / 3)))
        whole = tf.random.uniform([n]) < 0.25
        width = tf.where(whole, 1.0, tf.minimum(1.0, tf.sqrt(area * aspect)))
        height = tf.where(whole, 1.0, tf.minimum(1.0, tf.sqrt(area / aspect)))
        left = tf.random.uniform([n]) * (1.0 - width)
        top = tf.random.uniform([n]) * (1.0 - height)
        boxes = tf.stack([top, left, top + height, left + width], axis=1)
        images = tf.image.crop_and_resize(tf.cast(pixels, tf.float32), boxes, tf.range(n), [image_size, image_size])
        mirrored = tf.random.uniform([n]) < 0.5
        images = tf.where(mirrored[:, None, None, None], tf.reverse(images, [2]), images)
        if "segmentation" in targets:  # the map's cell shares cropped and mirrored with their photo
            cells = targets["segmentation"]
            grid = cells.shape[1]
            cells = tf.image.crop_and_resize(cells, boxes, tf.range(n), [grid, grid])
            cells = tf.where(mirrored[:, None, None, None], tf.reverse(cells, [2]), cells)
            targets = {**targets, "segmentation": cells}
        return (images - 127.0) / 128.0, targets

    return augment


def _whole(image_size: int) -> Callable:
    def whole(pixels, targets):
        images = tf.image.resize(tf.cast(pixels, tf.float32), [image_size, image_size])
        return (images - 127.0) / 128.0, targets

    return whole


def _set_trainable(backbone: Backbone, trainable: bool, frozen_prefixes: Sequence[str]) -> None:
    for model in (backbone.bottom, backbone.top):
        assert model is not None
        model.trainable = trainable
        for layer in model.layers:
            if isinstance(layer, layers.BatchNormalization) or layer.name.startswith(tuple(frozen_prefixes)):
                layer.trainable = False


def _validation_accuracies(
    model: keras.Model, data: tf.data.Dataset, type_true: np.ndarray, samples: Sequence[Sample]
) -> tuple[float, float]:
    """(type accuracy over the typed samples, colour read as main or alternative over the coloured ones), from one
    pass over the validation photos."""
    outputs = model.predict(data, verbose=0)
    typed = type_true.sum(axis=1) > 0
    type_right = (outputs["type"].argmax(axis=1) == type_true.argmax(axis=1))[typed]
    colors = outputs["color"].argmax(axis=1)
    color_right = [COLOR_CODES[p] in (s.color, s.alt) for p, s in zip(colors, samples, strict=True) if s.color]
    return (
        round(float(type_right.mean()), 4) if typed.any() else float("nan"),
        round(float(np.mean(color_right)), 4) if color_right else float("nan"),
    )


def finetune_backbone(config: FinetuneConfig, *, log: Callable[[str], None] = print) -> FinetuneResult:
    """Fine-tune the Lite0 backbone on the train splits (flat photos and, with `coparsing_dir`, worn-garment crops),
    report the type accuracy on the validation splits after each epoch, and write the backbone to `out_path`."""
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    samples = load_samples(config.dataset_dir)
    train = [s for s in samples if s.split == "train"]
    val = [s for s in samples if s.split == "validation" and s.type_code is not None]
    if config.coparsing_dir is not None:
        train += worn_samples(config.coparsing_dir, "train")
        val += worn_samples(config.coparsing_dir, "validation")
    if config.limit:
        rng = np.random.default_rng(config.seed)
        train = [train[i] for i in sorted(rng.choice(len(train), min(config.limit, len(train)), replace=False))]
        val = val[: max(1, config.limit // 4)]
    if not train or not val:
        raise ValueError(f"fine-tuning needs train and validation photos; found {len(train)} and {len(val)}")
    log(f"fine-tuning on {len(train)} train photos and crops; validation {len(val)}")
    backbone = build_backbone("efficientnet_lite0", image_size=config.image_size, weights_path=config.weights_path)
    with_fine = bottom_with_fine_map(backbone)
    grid = int(with_fine.outputs[-1].shape[1])
    pixels, val_pixels = _preload(train, workers=config.workers), _preload(val, workers=config.workers)
    targets = {
        "type": type_targets(train, smoothing=config.label_smoothing, class_weight_power=0.0),
        "color": color_targets(train, smoothing=config.label_smoothing, main_weight=config.color_main_weight),
    }
    val_targets = {
        "type": type_targets(val, smoothing=0.0, class_weight_power=0.0),
        "color": color_targets(val, smoothing=0.0, main_weight=config.color_main_weight),
    }
    street = 0
    if config.segmentation_weight > 0 and config.coparsing_dir is not None:
        photos = coparsing_photos(config.coparsing_dir, "train")
        if config.limit:
            photos = photos[: max(1, config.limit // 8)]
        street = len(photos)
        street_pixels, cells = _preload_street(photos, grid, workers=config.workers)
        # The map's head, cell weights and loss as train_classifier's (TrainConfig's defaults).
        cells = weighted_cells(cells, TrainConfig.segmentation_class_weights)
        repeat = max(1, config.segmentation_repeat)
        log(f"outfit map: {street} street photos, each {repeat} times an epoch")
        n_flat = len(pixels)
        pixels = np.concatenate([pixels, *([street_pixels] * repeat)])
        # Street photos carry no type or colour (all-zero rows: no loss), garment photos no map.
        targets = {
            name: np.concatenate([t, np.zeros((street * repeat, t.shape[1]), t.dtype)]) for name, t in targets.items()
        }
        targets["segmentation"] = np.concatenate(
            [np.zeros((n_flat, *cells.shape[1:]), np.float32), *([cells] * repeat)]
        )
        val_targets["segmentation"] = np.zeros((len(val_pixels), *cells.shape[1:]), np.float32)
    train_data = (
        tf.data.Dataset.from_tensor_slices((pixels, targets))
        .shuffle(len(pixels), seed=config.seed, reshuffle_each_iteration=True)
        .batch(config.batch_size)
        .map(_augment(config.image_size))
        .prefetch(2)
    )
    val_data = tf.data.Dataset.from_tensor_slices((val_pixels, val_targets)).batch(64).map(_whole(config.image_size))

    image = keras.Input((config.image_size, config.image_size, 3), name="image")
    coarse, low_features, fine = with_fine(image)
    assert backbone.top is not None  # Lite0 is built cut in two (bottom_with_fine_map checked the bottom)
    high_features, head_features = backbone.top(coarse)
    pooled = layers.Concatenate(name="finetune_features")([low_features, high_features, head_features])
    hidden = layers.Dropout(0.3, name="finetune_dropout")(pooled)
    outputs = {
        "type": layers.Dense(targets["type"].shape[1], activation="softmax", name="type")(hidden),
        "color": layers.Dense(targets["color"].shape[1], activation="softmax", name="color")(hidden),
    }
    if street:
        head = build_segmentation_head(coarse.shape[1:], fine.shape[1:], channels=TrainConfig.segmentation_channels)
        outputs["segmentation"] = layers.Identity(name="segmentation")(head([coarse, fine]))
    model = keras.Model(image, outputs)
    losses = {name: soft_crossentropy for name in outputs}
    weights = {"type": 1.0, "color": config.color_loss_weight, "segmentation": config.segmentation_weight}
    weights = {name: weights[name] for name in outputs}
    history: dict = {"validation_type_accuracy": [], "validation_color_or_alt_accuracy": [], "seconds": []}
    if street:
        history["segmentation_loss"] = []

    def fit_one_epoch() -> None:
        epoch_started = time.monotonic()
        fitted = model.fit(train_data, epochs=1, shuffle=False, verbose=2 if config.progress else 0)
        history["seconds"].append(round(time.monotonic() - epoch_started))
        if street:  # the map's training loss (weighted cells), to see it learn
            history["segmentation_loss"].append(round(float(fitted.history["segmentation_loss"][-1]), 4))

    def score(after: str) -> None:
        type_accuracy, color_accuracy = _validation_accuracies(model, val_data, val_targets["type"], val)
        history["validation_type_accuracy"].append(type_accuracy)
        history["validation_color_or_alt_accuracy"].append(color_accuracy)
        log(
            f"{after}: validation type accuracy {history['validation_type_accuracy'][-1]}, colour or alternative "
            f"{history['validation_color_or_alt_accuracy'][-1]}"
        )

    _set_trainable(backbone, False, config.frozen_prefixes)
    model.compile(optimizer=keras.optimizers.Adam(config.head_learning_rate), loss=losses, loss_weights=weights)
    fit_one_epoch()
    score("heads alone")

    _set_trainable(backbone, True, config.frozen_prefixes)
    steps = int(np.ceil(len(pixels) / config.batch_size)) * config.epochs
    model.compile(
        optimizer=keras.optimizers.AdamW(
            keras.optimizers.schedules.CosineDecay(config.learning_rate, max(1, steps)),
            weight_decay=config.weight_decay,
        ),
        loss=losses,
        loss_weights=weights,
    )
    for epoch in range(config.epochs):
        fit_one_epoch()
        score(f"epoch {epoch + 1}/{config.epochs}")

    out_path = Path(config.out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_lite0_weights(backbone, out_path)
    seconds = time.monotonic() - started
    record = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "samples": {"train": len(train), "validation": len(val), "street_photos": street},
        "history": history,
        "seconds": round(seconds),
    }
    out_path.with_suffix(".json").write_text(json.dumps(record, indent=2, default=list) + "\n")
    return FinetuneResult(out_path, seconds, history)

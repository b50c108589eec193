"""The outfit map trained on with phones drawn in: a mirror photo's garments found behind the shopper's phone.

A shopper photographing her outfit in a mirror holds her phone over her face or her chest. The street photos the
outfit map learned from never show that, and the map loses the top under it (classifier.occluders). This trains the
map of a served network on, from its own weights, with a copy of every pixel-annotated train photo that shows a phone
(over the face 7 times in 10, on the chest otherwise; `occluders.occlude`), beside the photos as they are and the flat
photos the map was first trained with, everything mirrored too. Only the map's small head learns, on cached feature
maps of the frozen network, so a run takes a few minutes on 2 cores.

The trained head is grafted back under new layer names (`graft_outfit_map`), so that the int8 export can keep the
source network's quantization for every other tensor (tflite_graft.keep_quantization matches tensors by name): every
output but the map's comes out of the export bit for bit. The map's own layers stay in float
(training.export_tflite's `float_map`): exported again with its own int8 ranges, v14's very map moved the product by
itself (validation garments found as served 0.853 -> 0.838), in float it reads as v14 does (0.850, test 0.824 both;
classifier/NOTEBOOK.md, 5 Dec). Training-side only (imports TensorFlow)."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from PIL import Image

from classifier.coparsing import read_mask, slot_mask, worn_outfits
from classifier.imaging import open_image, to_model_input
from classifier.map_split import feature_model, map_inputs
from classifier.occluders import occlude, photo_rng
from classifier.regions import segmentation_target
from classifier.training import soft_crossentropy, weighted_cells

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhonesConfig:
    """Chosen on 5 Dec on the validation photos, as they are and with a phone over the face or the chest (garments
    found as served): 8 epochs from the map's own weights at 2e-4, one phone copy of each train photo."""

    epochs: int = 8
    learning_rate: float = 2e-4
    phone_copies: int = 1
    face_share: float = 0.7
    batch_size: int = 32
    seed: int = 1337
    # the map's loss weight per class (none, top, bottom, outer, one_piece, shoes), as it was first trained with
    class_weights: tuple[float, ...] = (1.0, 2.0, 2.0, 2.0, 2.0, 4.0)


def photos_with_phones(
    coparsing_dir: Path, split: str, *, copies: int, face_share: float, seed: int
) -> list[tuple[Image.Image, np.ndarray]]:
    """(photo, detection class map) of a split's pixel-annotated photos as they are, each followed by `copies` copies
    with a phone drawn in (over the face with probability `face_share`, else on the chest; photos without a head in
    their map get none)."""
    rows = []
    for outfit in worn_outfits(coparsing_dir, split, with_color=False, annotation="pixel"):
        mask = read_mask(coparsing_dir, outfit.image_id)
        classes = slot_mask(mask)
        photo = open_image(outfit.photo_path)
        rows.append((photo, classes))
        for copy in range(copies):
            rng = photo_rng(outfit.image_id, f"train-{split}-{copy}-{seed}")
            shown = occlude(photo, mask, rng, "face" if rng.uniform() < face_share else "chest")
            if shown is not None:
                rows.append((shown, classes))
    return rows


def mirrored(rows: Sequence[tuple[Image.Image, np.ndarray]]) -> list[tuple[Image.Image, np.ndarray]]:
    """`rows` followed by each photo and its class map mirrored left to right."""
    flipped = [(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), classes[:, ::-1].copy()) for image, classes in rows]
    return [*rows, *flipped]


def feature_maps(
    features: keras.Model, rows: Sequence[tuple[Image.Image, np.ndarray]], *, image_size: int, grid: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The coarse and fine feature maps the outfit map reads (float16) and each photo's per-cell targets."""
    coarse_rows, fine_rows, targets = [], [], []
    for start in range(0, len(rows), 32):
        chunk = rows[start : start + 32]
        batch = np.stack([to_model_input(image, image_size) for image, _ in chunk])
        coarse, fine = (t.numpy().astype(np.float16) for t in features(tf.constant(batch), training=False))
        coarse_rows.append(coarse)
        fine_rows.append(fine)
        targets += [segmentation_target(classes, grid) for _, classes in chunk]
    return np.concatenate(coarse_rows), np.concatenate(fine_rows), np.stack(targets).astype(np.float32)


def layer_suffix(version: str) -> str:
    """A suffix for the new map's layer names, from the new artifact's version ("lite0-224-v15" -> "_lite0_224_v15"):
    a map trained on again from this one gets names of its own again."""
    return "_" + re.sub(r"[^0-9A-Za-z]+", "_", version).strip("_")


def renamed_map(head: keras.Model, suffix: str) -> keras.Model:
    """A copy of the outfit map `head` (training.build_segmentation_head's layers, named so or with an earlier
    suffix) with `suffix` on every layer's name and the same weights; the model keeps the name "segmentation_head"."""
    current = {_base(layer.name): layer.name for layer in head.layers}
    made: dict[str, keras.layers.Layer] = {}

    def same(base: str) -> keras.layers.Layer:
        old = head.get_layer(current[base])
        made[current[base]] = old.__class__.from_config({**old.get_config(), "name": base + suffix})
        return made[current[base]]

    coarse = keras.Input(tuple(head.inputs[0].shape[1:]), name="coarse_map" + suffix)
    fine = keras.Input(tuple(head.inputs[1].shape[1:]), name="fine_map" + suffix)
    a = same("seg_fine_bn")(same("seg_fine_proj")(fine))
    b = same("seg_upsample")(same("seg_coarse_bn")(same("seg_coarse_proj")(coarse)))
    x = same("seg_relu0")(same("seg_add")([a, b]))
    for i in (1, 2):
        x = same(f"seg_pw{i}")(same(f"seg_dw{i}")(x))
        x = same(f"seg_relu{i}")(same(f"seg_bn{i}")(x))
    probs = same("seg_probs")(x)
    copy = keras.Model([coarse, fine], probs, name="segmentation_head")
    for name, layer in made.items():
        layer.set_weights(head.get_layer(name).get_weights())
    return copy


# The outfit map's layers (training.build_segmentation_head); a longer name is one of these with a suffix.
_MAP_LAYERS = (
    "seg_fine_proj",
    "seg_fine_bn",
    "seg_coarse_proj",
    "seg_coarse_bn",
    "seg_upsample",
    "seg_add",
    "seg_relu0",
    "seg_dw1",
    "seg_pw1",
    "seg_bn1",
    "seg_relu1",
    "seg_dw2",
    "seg_pw2",
    "seg_bn2",
    "seg_relu2",
    "seg_probs",
)


def _base(name: str) -> str:
    """A map layer's name without the suffix an earlier renamed_map gave it."""
    return next((base for base in _MAP_LAYERS if name == base or name.startswith(base + "_")), name)


def graft_outfit_map(model: keras.Model, head: keras.Model) -> keras.Model:
    """`model` with `head` as its outfit map, read from the same feature maps; every other output unchanged."""
    coarse, fine = map_inputs(model)
    segmentation = layers.Identity(name="segmentation")(head([coarse, fine]))
    return keras.Model(model.input, {**model.output, "segmentation": segmentation}, name=model.name)


def train_map_with_phones(
    model: keras.Model,
    *,
    coparsing_dir: Path,
    flat_photos: Sequence[tuple[Path, np.ndarray]],
    version: str,
    config: PhonesConfig = PhonesConfig(),
    log: Callable[[str], None] = logger.info,
) -> tuple[keras.Model, dict]:
    """`model`'s outfit map trained on as the module says, renamed for `version` (layer_suffix). `flat_photos`: the
    flat-lay photos with their weak class maps (training.flat_segmentation_photos). Returns the new head and a
    record of its training (the loss on the validation photos, as they are and with a phone, before and after)."""
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    head = model.get_layer("segmentation_head")
    image_size, grid = int(model.input.shape[1]), int(head.output.shape[1])
    features = feature_model(model)
    train_rows = mirrored(
        photos_with_phones(
            coparsing_dir, "train", copies=config.phone_copies, face_share=config.face_share, seed=config.seed
        )
    )
    flat_rows = mirrored([(open_image(path), classes) for path, classes in flat_photos])
    coarse, fine, targets = feature_maps(features, train_rows + flat_rows, image_size=image_size, grid=grid)
    val_rows = photos_with_phones(coparsing_dir, "validation", copies=1, face_share=config.face_share, seed=config.seed)
    val_coarse, val_fine, val_targets = feature_maps(features, val_rows, image_size=image_size, grid=grid)
    log(f"outfit map with phones: {len(train_rows)} street and {len(flat_rows)} flat photos, {len(val_rows)} to check")
    new_head = renamed_map(head, layer_suffix(version))
    trainable = keras.Model(new_head.inputs, new_head.outputs)
    steps = int(np.ceil(len(coarse) / config.batch_size)) * max(1, config.epochs)
    schedule = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps)
    trainable.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=1e-4, clipnorm=1.0), loss=soft_crossentropy
    )
    validation = (
        [val_coarse.astype(np.float32), val_fine.astype(np.float32)],
        weighted_cells(val_targets, config.class_weights),
    )
    before = float(trainable.evaluate(*validation, verbose=0))
    history: dict = {}
    if config.epochs:
        fitted = trainable.fit(
            [coarse.astype(np.float32), fine.astype(np.float32)],
            weighted_cells(targets, config.class_weights),
            validation_data=validation,
            epochs=config.epochs,
            batch_size=config.batch_size,
            shuffle=True,
            verbose=0,
        )
        history = {k: [round(float(v), 4) for v in values] for k, values in fitted.history.items()}
    after = float(trainable.evaluate(*validation, verbose=0))
    log(f"outfit map with phones: validation loss {before:.3f} -> {after:.3f}")
    record = {
        "config": asdict(config),
        "train_photos": {"street_with_phones_mirrored": len(train_rows), "flat_mirrored": len(flat_rows)},
        "validation_photos": len(val_rows),
        "validation_loss": {"before": round(before, 4), "after": round(after, 4)},
        "history": history,
        "seconds": round(time.monotonic() - started, 1),
    }
    return new_head, record

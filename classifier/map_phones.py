"""The outfit map trained on with phones drawn in: a mirror photo's garments found behind the shopper's phone.

A shopper photographing her outfit in a mirror holds her phone over her face or her chest. The street photos the
outfit map learned from never show that, and the map loses the top under it (classifier.occluders). This trains the
map of a served network on, from its own weights, with a copy of every pixel-annotated train photo that shows a phone
(over the face 7 times in 10, on the chest otherwise; `occluders.occlude`), beside the photos as they are and the flat
photos the map was first trained with, everything mirrored too. Only the map's small head learns, on cached feature
maps of the frozen network, so a run takes a few minutes on 2 cores.

A shop photographs a garment on a model against plain paper, and the street photos never show a person on an empty
backdrop: v16's map found 0.66 of the garments of the validation photos cut out onto one (coparsing.studio_version),
against 0.84 of the same photos as shot, missing half the tops and a third of the shoes. `studio_copies` adds copies of
each train photo with its person cut out onto a plain backdrop of a shop's kind (studio_backdrop_colour: jittered
tones, seldom exactly the three the scoring uses).
`lit_copies` adds copies in a random light (lighting.random_light), as a mirror photo is mostly taken indoors: with
them the map found more garments under a lamp, in shade and dim, and as shot too (classifier/NOTEBOOK.md, 5 Dec).

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
from keras import layers
from PIL import Image

from classifier.camera import random_camera, rendered
from classifier.coparsing import read_mask, slot_mask, studio_photo, studio_version, worn_outfits
from classifier.imaging import open_image
from classifier.lighting import lit, random_light
from classifier.map_split import feature_model, map_inputs, pixel_maps
from classifier.occluders import occlude, photo_rng
from classifier.training import soft_crossentropy, weighted_cells

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PhonesConfig:
    """Chosen on 5 Dec on the validation photos, as they are and with a phone over the face or the chest (garments
    found as served): 8 epochs from the map's own weights at 2e-4, one phone copy of each train photo. One studio
    copy and two lit copies (chosen on 5 Dec, closing session: studio none, one or two, then lit none, one or two;
    served from lite0-224-v18) are export_classifier's `--studio-copies 1 --lit-copies 2`; the defaults keep the
    recipe v15 was made with."""

    epochs: int = 8
    learning_rate: float = 2e-4
    phone_copies: int = 1
    face_share: float = 0.7
    # copies of each train photo with the person cut out onto a plain backdrop, as a shop shoots a model
    studio_copies: int = 0
    # copies of each train photo in a random light (lighting.random_light: a warm lamp to cool shade, dim to bright)
    lit_copies: int = 0
    # copies of each train photo as another camera renders it (camera.random_camera: sharpened or soft, more or less
    # contrast and saturation, re-encoded)
    camera_copies: int = 0
    batch_size: int = 32
    seed: int = 1337
    # the map's loss weight per class (none, top, bottom, outer, one_piece, shoes), as it was first trained with
    class_weights: tuple[float, ...] = (1.0, 2.0, 2.0, 2.0, 2.0, 4.0)


def studio_backdrop_colour(rng: np.random.Generator) -> tuple[int, int, int]:
    """A shop's plain backdrop: mostly white, off-white, light grey or a warm paper tone, sometimes a mid grey or a
    pale colour, each a little off its tone."""
    if rng.uniform() < 0.75:
        base = np.array([(255, 255, 255), (240, 240, 238), (226, 226, 224), (236, 228, 216)][rng.integers(4)], float)
    elif rng.uniform() < 0.5:
        base = np.full(3, rng.uniform(150, 205))
    else:
        base = rng.uniform(190, 250, size=3)
    red, green, blue = (int(v) for v in np.clip(base + rng.uniform(-6, 6, size=3), 0, 255))
    return red, green, blue


def photos_with_phones(
    coparsing_dir: Path,
    split: str,
    *,
    copies: int,
    face_share: float,
    seed: int,
    studio_copies: int = 0,
    lit_copies: int = 0,
    camera_copies: int = 0,
) -> list[tuple[Image.Image, np.ndarray]]:
    """(photo, detection class map) of a split's pixel-annotated photos as they are, each followed by `copies` copies
    with a phone drawn in (over the face with probability `face_share`, else on the chest; photos without a head in
    their map get none) and `studio_copies` copies with the person on a plain backdrop (studio_backdrop_colour; on
    the validation split, the photo's own backdrop of the scoring, coparsing.studio_version)."""
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
        for copy in range(studio_copies):
            if split == "validation":  # the backdrop the scoring gives this photo
                backdrop = studio_version(coparsing_dir, outfit.image_id, photo)
            else:
                rng = photo_rng(outfit.image_id, f"studio-{split}-{copy}-{seed}")
                backdrop = studio_photo(photo, mask, studio_backdrop_colour(rng))
            rows.append((backdrop, classes))
        for copy in range(lit_copies):
            rng = photo_rng(outfit.image_id, f"lit-{split}-{copy}-{seed}")
            rows.append((lit(photo, random_light(rng)), classes))
        for copy in range(camera_copies):
            rng = photo_rng(outfit.image_id, f"camera-{split}-{copy}-{seed}")
            rows.append((rendered(photo, random_camera(rng)), classes))
    return rows


def layer_suffix(version: str) -> str:
    """A suffix for the new map's layer names, from the new artifact's version ("lite0-224-v16" -> "__lite0_224_v16"):
    a map trained on again from this one gets names of its own again (lite0-224-v15's map, made before the "__",
    has names ending "_lite0_224_v15", which the next suffix is added to)."""
    return "__" + re.sub(r"[^0-9A-Za-z]+", "_", version).strip("_")


def renamed_map(head: keras.Model, suffix: str) -> keras.Model:
    """A copy of the outfit map `head` with the same weights, every layer named anew: its name before any earlier
    suffix (up to "__"), then `suffix`. The model keeps its name, "segmentation_head"."""

    def renamed(layer: keras.layers.Layer) -> keras.layers.Layer:
        return layer.__class__.from_config({**layer.get_config(), "name": layer.name.split("__")[0] + suffix})

    copy = keras.models.clone_model(head, clone_function=renamed)
    copy.set_weights(head.get_weights())
    return copy


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
    street = photos_with_phones(
        coparsing_dir,
        "train",
        copies=config.phone_copies,
        face_share=config.face_share,
        seed=config.seed,
        studio_copies=config.studio_copies,
        lit_copies=config.lit_copies,
        camera_copies=config.camera_copies,
    )
    flat = list(flat_photos)
    rows: list[tuple[Path | Image.Image, np.ndarray]] = [*street, *flat]
    coarse, fine, targets = pixel_maps(features, rows, mirror=True, image_size=image_size, grid=grid)
    val_rows = photos_with_phones(
        coparsing_dir,
        "validation",
        copies=1,
        face_share=config.face_share,
        seed=config.seed,
        studio_copies=min(1, config.studio_copies),
    )
    val_coarse, val_fine, val_targets = pixel_maps(features, val_rows, mirror=False, image_size=image_size, grid=grid)
    log(f"outfit map with phones: {len(street)} street and {len(flat)} flat photos, mirrored; {len(val_rows)} to check")
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
        "train_photos": {"street_with_phones_mirrored": 2 * len(street), "flat_mirrored": 2 * len(flat)},
        "validation_photos": len(val_rows),
        "validation_loss": {"before": round(before, 4), "after": round(after, 4)},
        "history": history,
        "seconds": round(time.monotonic() - started, 1),
    }
    return new_head, record

"""A second look at the outfit map's bottoms and one-pieces: the `segmentation_split` branch.

The outfit map (the segmentation head) takes a skirt or trousers worn under a separate top for the lower half of a
dress: a blouse over a red skirt is listed as a blouse and a "red dress" (street photo 0306, the case of issue 9).
Retraining the whole map on the corrected labels helped the bottoms and cost the tops, the shoes and the dresses
(classifier/NOTEBOOK.md, 3-4 Dec). This branch touches nothing but that confusion: for each cell of the map it reads
what share of the cell's bottom + one-piece mass is the bottom's (`regions.with_bottom_split`), and every other class
keeps the map's own probability.

It reads the feature maps the map reads, through its own small projections and two dilated depthwise-separable
convolutions (17 cells of context: whether a top ends above the garment shows a few cells away), and the map's own
probabilities, through a linear term that starts as the map's answer (its logit 6 x (bottom - one-piece)) while the
rest starts at zero. (A first form read the map's last hidden layer, its layers called again; the int8 converter
merged that copy with the map itself and the map's numbers moved.) It learns from
- the pixel-annotated co-parsing train photos (with our by-eye corrections, `coparsing.read_mask`) and the flat-lay
  photos the map was trained with: in every cell that is mostly bottom or one-piece, the bottom's share;
- the chips of the train photos with tags only, labelled by eye (`coparsing.lower_chips_by_eye`, seen well): in a
  skirt's, trousers' or shorts' box below the top beside it, the bottom's share of the two classes' mass should be
  high, in a dress's or jumpsuit's box the one-piece's; chips are drawn with the two kinds weighed alike.
Everything is mirrored as well. Training runs on cached feature maps of the frozen network: a few minutes on 2 cores.
Training-side only (imports TensorFlow)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf
from keras import layers
from PIL import Image

from classifier.coparsing import LowerChip, lower_chips_by_eye
from classifier.imaging import open_image, to_model_input
from classifier.regions import model_frame, photo_box_to_frame, segmentation_target, with_bottom_split

logger = logging.getLogger(__name__)

SEGMENTATION_CLASSES = ("none", "top", "bottom", "outer", "one_piece", "shoes")
BOTTOM, ONE_PIECE = SEGMENTATION_CLASSES.index("bottom"), SEGMENTATION_CLASSES.index("one_piece")
CHIP_SLOT = {"skirt": BOTTOM, "pants": BOTTOM, "shorts": BOTTOM, "dress": ONE_PIECE, "jumpsuit": ONE_PIECE}
# The branch's starting logit, MAP_LOGIT_SCALE * (bottom - one-piece probability): a cell the map gives wholly to one
# of the two starts at a share of 0.998 or 0.002.
MAP_LOGIT_SCALE = 6.0


@dataclass(frozen=True)
class SplitConfig:
    """Chosen on 5 Dec on the validation photos' chips labelled by eye, with the branch's first form (reading the map's
    hidden layer): chip_weight 1.0 and 0.5 at 10 epochs and 1.0 at 20 named 103, 108 and 103 of 119 (the map 90)."""

    channels: int = 32
    epochs: int = 10
    learning_rate: float = 1e-3
    chip_weight: float = 0.5
    batch_size: int = 32
    seed: int = 1337


def split_branch(head: keras.Model, *, channels: int = 32) -> keras.Model:
    """[coarse map, fine map, the outfit map's probabilities] -> (G, G, 1): the share of each cell's bottom +
    one-piece mass that is the bottom's. Its own small projections of the feature maps (as the map's), two dilated
    depthwise-separable convolutions, and a linear term of the map's probabilities that starts as the map's own
    answer (bottom minus one-piece) while the rest starts at zero. `head` is the network's outfit map (for shapes)."""
    coarse = keras.Input(tuple(head.inputs[0].shape[1:]), name="split_coarse_map")
    fine = keras.Input(tuple(head.inputs[1].shape[1:]), name="split_fine_map")
    probs = keras.Input(tuple(head.output.shape[1:]), name="split_outfit_map")
    factor = int(fine.shape[1]) // int(coarse.shape[1])
    x = layers.Add(name="split_in")(
        [
            layers.Conv2D(channels, 1, name="split_fine_proj")(fine),
            layers.UpSampling2D(factor, interpolation="bilinear", name="split_upsample")(
                layers.Conv2D(channels, 1, use_bias=False, name="split_coarse_proj")(coarse)
            ),
            layers.Conv2D(channels, 1, use_bias=False, name="split_map_proj")(probs),
        ]
    )
    x = layers.ReLU(name="split_relu0")(x)
    for i, dilation in ((1, 2), (2, 4)):
        x = layers.DepthwiseConv2D(5, padding="same", dilation_rate=dilation, name=f"split_dw{i}")(x)
        x = layers.Conv2D(channels, 1, activation="relu", name=f"split_pw{i}")(x)
    delta = layers.Conv2D(1, 1, kernel_initializer="zeros", name="split_delta")(x)
    start = np.zeros((1, 1, int(probs.shape[-1]), 1), dtype=np.float32)
    start[0, 0, BOTTOM, 0], start[0, 0, ONE_PIECE, 0] = MAP_LOGIT_SCALE, -MAP_LOGIT_SCALE
    base = layers.Conv2D(1, 1, use_bias=False, kernel_initializer=keras.initializers.Constant(start), name="split_base")
    logit = layers.Add(name="split_logit")([base(probs), delta])
    share = layers.Activation("sigmoid", name="split_share")(logit)
    return keras.Model([coarse, fine, probs], share, name="segmentation_split_branch")


def map_inputs(model: keras.Model) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    """The coarse and fine feature maps `model`'s outfit map reads, as tensors of `model`'s graph."""
    # The map is a nested model called once; its call's inputs are the outer graph's tensors (a nested model's
    # `output` would be its own inner graph's).
    node = model.get_layer("segmentation_head")._inbound_nodes[0]
    coarse, fine = node.input_tensors
    return coarse, fine


def graft_segmentation_split(model: keras.Model, branch: keras.Model) -> keras.Model:
    """`model` with one more output, "segmentation_split" (G, G, 1), `branch` read from the same feature maps as its
    outfit map. Every other output is `model`'s, unchanged."""
    if "segmentation_split" in model.output:
        raise ValueError("the model already has a segmentation_split output")
    coarse, fine = map_inputs(model)
    split = layers.Identity(name="segmentation_split")(branch([coarse, fine, model.output["segmentation"]]))
    return keras.Model(model.input, {**model.output, "segmentation_split": split}, name=model.name)


def chip_cells(chip: LowerChip, size: tuple[int, int], *, mirrored: bool, grid: int) -> np.ndarray | None:
    """The cells of the model frame a labelled chip covers (G, G), a bottom's only below the top listed beside it;
    None when nothing is left of it."""
    x0, y0, x1, y1 = chip.box
    if CHIP_SLOT[chip.garment] == BOTTOM and chip.top_box is not None:
        y0 = max(y0, chip.top_box[3])
    if y1 - y0 < 0.02:
        return None
    if mirrored:
        x0, x1 = 1 - x1, 1 - x0
    width, height = size
    fx0, fy0, fx1, fy1 = photo_box_to_frame((x0, y0, x1, y1), model_frame(width, height), width, height)
    left, top = max(0, int(np.floor(fx0 * grid))), max(0, int(np.floor(fy0 * grid)))
    right = min(grid, max(left + 1, int(np.ceil(fx1 * grid))))
    bottom = min(grid, max(top + 1, int(np.ceil(fy1 * grid))))
    cells = np.zeros((grid, grid), dtype=np.float32)
    cells[top:bottom, left:right] = 1.0
    return cells if cells.any() else None


@dataclass
class _Chips:
    coarse: np.ndarray
    fine: np.ndarray
    cells: np.ndarray  # (chips, G, G)
    photo: np.ndarray  # index into coarse/fine
    slot: np.ndarray  # BOTTOM or ONE_PIECE
    garment: list[str]


def chip_maps(
    features: keras.Model, coparsing_dir: Path, split: str, *, mirror: bool, image_size: int, grid: int
) -> _Chips:
    """The feature maps of the photos whose chips were labelled by eye (seen well, one of CHIP_SLOT's garments), each
    photo once (and mirrored), with each chip's cells."""
    chips: dict[str, list[LowerChip]] = {}
    for chip in lower_chips_by_eye(split):
        path = Path(coparsing_dir) / "photos" / f"{chip.image_id}.jpg"
        if not chip.unsure and chip.garment in CHIP_SLOT and path.is_file():
            chips.setdefault(chip.image_id, []).append(chip)
    coarse_rows: list[np.ndarray] = []
    fine_rows: list[np.ndarray] = []
    cells: list[np.ndarray] = []
    photo: list[int] = []
    slot: list[int] = []
    garment: list[str] = []
    ids = sorted(chips)
    batch_size = 16
    for start in range(0, len(ids), batch_size):
        inputs: list[np.ndarray] = []
        for image_id in ids[start : start + batch_size]:
            image = open_image(Path(coparsing_dir) / "photos" / f"{image_id}.jpg")
            for mirrored in (False, True) if mirror else (False,):
                shown = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT) if mirrored else image
                index = sum(len(rows) for rows in coarse_rows) + len(inputs)
                inputs.append(to_model_input(shown, image_size))
                for chip in chips[image_id]:
                    chip_cells_ = chip_cells(chip, image.size, mirrored=mirrored, grid=grid)
                    if chip_cells_ is not None:
                        cells.append(chip_cells_)
                        photo.append(index)
                        slot.append(CHIP_SLOT[chip.garment])
                        garment.append(chip.garment)
        coarse, fine = (t.numpy().astype(np.float16) for t in features(tf.constant(np.stack(inputs)), training=False))
        coarse_rows.append(coarse)
        fine_rows.append(fine)
    if not cells:
        raise ValueError(f"no photo of the {split} chips labelled by eye is in {coparsing_dir}")
    return _Chips(
        np.concatenate(coarse_rows),
        np.concatenate(fine_rows),
        np.stack(cells),
        np.asarray(photo),
        np.asarray(slot, dtype=np.int32),
        garment,
    )


def pixel_maps(
    features: keras.Model,
    photos: Sequence[tuple[Path | Image.Image, np.ndarray]],
    *,
    mirror: bool,
    image_size: int,
    grid: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Feature maps and per-cell targets of photos (paths, or images already open) with a class map (as
    training.extract_segmentation); with `mirror`, each photo is followed by its mirror image."""
    coarse_rows, fine_rows, targets = [], [], []
    batch_size = 16
    for start in range(0, len(photos), batch_size):
        inputs = []
        for photo, classes in photos[start : start + batch_size]:
            image = photo if isinstance(photo, Image.Image) else open_image(photo)
            inputs.append(to_model_input(image, image_size))
            targets.append(segmentation_target(classes, grid))
            if mirror:
                inputs.append(to_model_input(image.transpose(Image.Transpose.FLIP_LEFT_RIGHT), image_size))
                targets.append(segmentation_target(classes[:, ::-1].copy(), grid))
        coarse, fine = (t.numpy().astype(np.float16) for t in features(tf.constant(np.stack(inputs)), training=False))
        coarse_rows.append(coarse)
        fine_rows.append(fine)
    return np.concatenate(coarse_rows), np.concatenate(fine_rows), np.stack(targets).astype(np.float32)


def feature_model(model: keras.Model) -> keras.Model:
    coarse, fine = map_inputs(model)
    return keras.Model(model.input, [coarse, fine], name="map_features")


def _split_probs(probs: np.ndarray, share: np.ndarray) -> np.ndarray:
    return with_bottom_split(probs, share, SEGMENTATION_CLASSES)


def chips_named(head: keras.Model, branch: keras.Model | None, chips: _Chips) -> dict[str, list[int]]:
    """garment -> [chips whose cells the map gives more to the right one of bottom and one-piece, chips]."""
    probs = head.predict([chips.coarse.astype(np.float32), chips.fine.astype(np.float32)], batch_size=64, verbose=0)
    if branch is not None:
        share = branch.predict(
            [chips.coarse.astype(np.float32), chips.fine.astype(np.float32), probs], batch_size=64, verbose=0
        )
        probs = _split_probs(probs, share)
    best = probs.argmax(axis=-1)
    named: dict[str, list[int]] = {}
    for cells, photo, slot, garment in zip(chips.cells, chips.photo, chips.slot, chips.garment, strict=True):
        inside = best[photo][cells > 0]
        bottoms, one_pieces = int((inside == BOTTOM).sum()), int((inside == ONE_PIECE).sum())
        right = bottoms > one_pieces if slot == BOTTOM else one_pieces > bottoms
        counts = named.setdefault(garment, [0, 0])
        counts[0] += int(right)
        counts[1] += 1
    return named


def train_split(
    model: keras.Model,
    *,
    coparsing_dir: Path,
    seg_photos: Sequence[tuple[Path, np.ndarray]],
    config: SplitConfig = SplitConfig(),
    log: Callable[[str], None] = logger.info,
) -> tuple[keras.Model, dict]:
    """The `segmentation_split` branch for `model`'s outfit map, trained as the module says. `seg_photos`: the train
    photos with a class map (pixel-annotated street photos and flat-lay photos). Returns the branch and a record of
    its training and of the chips of the validation photos it names, before and after."""
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    head = model.get_layer("segmentation_head")
    image_size = int(model.input.shape[1])
    features = feature_model(model)
    grid = int(head.output.shape[1])
    coarse, fine, targets = pixel_maps(features, seg_photos, mirror=True, image_size=image_size, grid=grid)
    chips = chip_maps(features, coparsing_dir, "train", mirror=True, image_size=image_size, grid=grid)
    validation = chip_maps(features, coparsing_dir, "validation", mirror=False, image_size=image_size, grid=grid)
    both = targets[..., BOTTOM] + targets[..., ONE_PIECE]
    cells = (both >= 0.5).astype(np.float32)  # cells that are mostly bottom or one-piece
    share = np.where(both > 0, targets[..., BOTTOM] / np.maximum(both, 1e-6), 0.0).astype(np.float32)
    keep = cells.reshape(len(cells), -1).any(axis=1)
    coarse, fine = coarse[keep].astype(np.float32), fine[keep].astype(np.float32)
    cells, share = cells[keep], share[keep]
    probs = head.predict([coarse, fine], batch_size=64, verbose=0)
    chip_coarse, chip_fine = chips.coarse.astype(np.float32), chips.fine.astype(np.float32)
    chip_probs = head.predict([chip_coarse, chip_fine], batch_size=64, verbose=0)
    weights = np.where(chips.slot == ONE_PIECE, 1.0 / max(1, (chips.slot == ONE_PIECE).sum()), 1.0)
    weights = np.where(chips.slot == BOTTOM, 1.0 / max(1, (chips.slot == BOTTOM).sum()), weights)
    weights = weights / weights.sum()
    log(f"bottom split: {len(coarse)} photos with bottom or one-piece cells, {len(chips.slot)} chips labelled by eye")

    branch = split_branch(head, channels=config.channels)
    rng = np.random.default_rng(config.seed)
    steps = max(1, int(np.ceil(len(coarse) / config.batch_size)))
    schedule = keras.optimizers.schedules.CosineDecay(
        config.learning_rate * 0.1,
        decay_steps=steps * config.epochs,
        warmup_target=config.learning_rate,
        warmup_steps=max(1, steps * config.epochs // 20),
    )
    optimizer = keras.optimizers.AdamW(schedule, weight_decay=1e-4, clipnorm=1.0)

    @tf.function
    def step(c, f, p, mask, target, kc, kf, kp, kcells, kslot):
        with tf.GradientTape() as tape:
            q = branch([c, f, p], training=True)[..., 0]
            bce = -(target * tf.math.log(q + 1e-6) + (1 - target) * tf.math.log(1 - q + 1e-6))
            pixel_loss = tf.reduce_sum(bce * mask) / (tf.reduce_sum(mask) + 1e-6)
            qk = branch([kc, kf, kp], training=True)[..., 0]
            mass = kp[..., BOTTOM] + kp[..., ONE_PIECE]
            bottoms = tf.reduce_sum(mass * qk * kcells, axis=[1, 2])
            one_pieces = tf.reduce_sum(mass * (1 - qk) * kcells, axis=[1, 2])
            right = tf.where(kslot == BOTTOM, bottoms, one_pieces)
            chip_loss = -tf.reduce_mean(tf.math.log(right / (bottoms + one_pieces + 1e-6) + 1e-6))
            loss = pixel_loss + config.chip_weight * chip_loss
        grads = tape.gradient(loss, branch.trainable_variables)
        optimizer.apply_gradients(zip(grads, branch.trainable_variables, strict=True))
        return pixel_loss, chip_loss

    history = []
    for _epoch in range(config.epochs):
        order, losses = rng.permutation(len(coarse)), []
        for s in range(steps):
            rows = order[s * config.batch_size : (s + 1) * config.batch_size]
            k = rng.choice(len(chips.slot), config.batch_size, p=weights)
            photos = chips.photo[k]
            losses.append(
                [
                    float(v)
                    for v in step(
                        coarse[rows], fine[rows], probs[rows], cells[rows], share[rows],
                        chip_coarse[photos], chip_fine[photos], chip_probs[photos], chips.cells[k], chips.slot[k],
                    )
                ]
            )  # fmt: skip
        history.append([round(float(v), 4) for v in np.mean(losses, axis=0)])
        log(f"bottom split epoch {len(history)}: pixel loss {history[-1][0]:.4f}, chip loss {history[-1][1]:.4f}")
    before, after = chips_named(head, None, validation), chips_named(head, branch, validation)
    record = {
        "config": asdict(config),
        "pixel_photos": len(coarse),
        "train_chips": len(chips.slot),
        "history": {"pixel_loss": [h[0] for h in history], "chip_loss": [h[1] for h in history]},
        "validation_chips_named": {"map": before, "with_split": after},
        "seconds": round(time.monotonic() - started, 1),
    }
    log(f"bottom split: validation chips named by the map {before}, with the split {after}")
    return branch, record

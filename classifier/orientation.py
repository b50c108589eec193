"""Which way up a photo is: a branch that tells a garment photographed sideways or upside down.

A shopper lays a shirt on the bed and photographs it from the bed's side, or holds the phone sideways over long
trousers. The phone's EXIF orientation (honoured by imaging.open_image) records how the phone was held, not how the
garment lies, so the photo reaches the network turned. Every CC0 photo lies upright, and the network never learned a
garment on its side: lite0-224-v18 read the CC0 validation photos' 10-class type 0.894 upright, but 0.484 turned a
quarter to the left, 0.463 to the right and 0.619 upside down (classifier/NOTEBOOK.md, 7 Dec, sixteenth session).
Reading all four turns and keeping the surest reading fixed turned photos (0.84) but cost upright ones six points
(0.836), and a probe on the 256-d embedding told the turn of only two photos in three.

This trains a small branch on the served network's frozen pooled features of the CC0 train photos and the co-parsing
train photos (people wearing outfits), each at the four turns, to tell the turn (`TURNS`). It has the attribute
heads' shape (its own normalisation of the pooled features, initialised from the heads', a hidden layer, a softmax)
and is grafted on as the output "orientation" (`graft_orientation`) under names of its own, so the int8 export keeps
every other output of the source network bit for bit (tflite_graft.keep_quantization). The predictor reads a photo
again, turned upright, when the branch calls it turned at least as surely as the artifact's threshold (labels.json
`orientation`), and gives its garments' boxes on the photo as uploaded (predictor.Prediction.turned).
Training-side only (imports TensorFlow); a run takes about ten minutes on 2 cores."""

from __future__ import annotations

import csv
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers
from PIL import Image

from classifier.dataset import load_samples
from classifier.imaging import open_image, to_model_batch
from classifier.turns import FALSE_TURN_COST, LABELS, THRESHOLD_GRID, TURNS, turn_decisions, turned

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OrientationConfig:
    """Chosen on 7 Dec on the validation photos at four turns (float, the pooled features computed once): a hidden
    layer of 64 units told the turn of 0.928 of the flat photos and 0.981 of the worn ones, 256 units 0.930 and 0.979,
    32 units 0.925 and 0.976, 16 units over 40 epochs 0.921 and 0.976. 64 units made the artifact 25.1 MB (over its
    25 MB budget); 16 keep it within."""

    epochs: int = 40
    learning_rate: float = 1e-3
    units: int = 16
    dropout: float = 0.3
    batch_size: int = 128
    label_smoothing: float = 0.05
    seed: int = 1


def reframed(image: Image.Image, *, pad: bool) -> Image.Image:
    """An upright photo framed the other way: a portrait one as a 4:3 landscape, a landscape or square one as a 3:4
    portrait, by cutting its middle or (`pad`) widening it with its border's colour, as a shop or a phone frames the
    same garment. Most photos of both datasets are portrait, so every photo turned a quarter is landscape: without
    such copies the branch learns the frame, and turns upright landscape photos (lite0-224-v19's first branch turned
    8.5% of the CC0 validation photos cut to 4:3, and found 8 points fewer garments on street photos widened to 4:3)."""
    width, height = image.size
    aspect = 3 / 4 if height > width else 4 / 3  # height / width wanted
    if pad:
        border = np.concatenate(
            [np.asarray(image)[[0, -1]].reshape(-1, 3), np.asarray(image)[:, [0, -1]].reshape(-1, 3)]
        )
        colour = tuple(int(v) for v in np.median(border, axis=0))
        size = (max(width, round(height / aspect)), max(height, round(width * aspect)))
        framed = Image.new("RGB", size, colour)
        framed.paste(image, ((size[0] - width) // 2, (size[1] - height) // 2))
        return framed
    new_width, new_height = min(width, round(height / aspect)), min(height, round(width * aspect))
    left, top = (width - new_width) // 2, (height - new_height) // 2
    return image.crop((left, top, left + new_width, top + new_height))


def pooled_features(
    model: keras.Model, photos: Sequence[Path], *, reframe: bool = False, batch_size: int = 32
) -> np.ndarray:
    """The model's pooled features of each photo at each of the four turns, (len(photos), 4, features); `reframe`:
    of each photo framed the other way (`reframed`: cut, or for every other photo widened)."""
    features = keras.Model(model.input, model.get_layer("pooled_features").output)
    size = int(model.input.shape[1])
    dim = int(features.output.shape[-1])
    rows = np.zeros((len(photos), len(TURNS), dim), dtype=np.float32)
    for start in range(0, len(photos), batch_size):
        images = [open_image(path).convert("RGB") for path in photos[start : start + batch_size]]
        if reframe:
            images = [reframed(image, pad=(start + i) % 2 == 1) for i, image in enumerate(images)]
        for k, turn in enumerate(TURNS):
            batch = to_model_batch([turned(image, turn) for image in images], size)
            rows[start : start + len(images), k] = np.asarray(features(batch, training=False))
    return rows


def build_branch(model: keras.Model, config: OrientationConfig) -> keras.Model:
    """pooled features -> the turn's probabilities, its normalisation starting from the heads' own."""
    dim = int(model.get_layer("pooled_features").output.shape[-1])
    features = keras.Input((dim,), name="turn_pooled_features")
    norm = layers.BatchNormalization(name="turn_features_bn")
    x = norm(features)
    norm.set_weights(model.get_layer("heads").get_layer("features_bn").get_weights())
    x = layers.Dropout(config.dropout, name="turn_features_dropout")(x)
    x = layers.Dense(config.units, use_bias=False, name="turn_hidden")(x)
    x = layers.ReLU(name="turn_hidden_relu")(layers.BatchNormalization(name="turn_hidden_bn")(x))
    x = layers.Dropout(config.dropout / 2, name="turn_hidden_dropout")(x)
    turn = layers.Dense(len(TURNS), activation="softmax", name="orientation_probs")(x)
    return keras.Model(features, turn, name="orientation_branch")


def turn_scores(probs: np.ndarray, threshold: float) -> dict:
    """For probabilities (photos, 4 turns given, 4 classes) of photos shown at every turn: the share of upright photos
    turned by mistake, and of turned photos set upright (the right way), at `threshold`."""
    probs = np.asarray(probs)
    upright_turned = float(np.mean(turn_decisions(probs[:, 0], threshold) != 0))
    set_right = [float(np.mean(turn_decisions(probs[:, k], threshold) == k)) for k in range(1, len(TURNS))]
    return {
        "threshold": threshold,
        "upright_turned": round(upright_turned, 4),
        "turned_set_upright": round(float(np.mean(set_right)), 4),
        "by_turn": dict(zip(LABELS[1:], (round(v, 4) for v in set_right), strict=True)),
    }


def chosen_threshold(probs: np.ndarray) -> tuple[float, list[dict]]:
    """The threshold of THRESHOLD_GRID with the most use on photos shown at every turn, each turn as likely: a
    turned photo set upright +1, an upright photo turned -FALSE_TURN_COST."""
    tries = [turn_scores(probs, t) for t in THRESHOLD_GRID]

    def use(row: dict) -> float:
        return row["turned_set_upright"] * 3 - FALSE_TURN_COST * row["upright_turned"]

    best = max(tries, key=use)
    return best["threshold"], tries


def _training_photos(dataset_dir: Path, coparsing_dir: Path | None, split: str) -> tuple[list[Path], list[Path]]:
    flat = [s.path for s in load_samples(dataset_dir, splits=[split])]
    worn: list[Path] = []
    if coparsing_dir is not None:
        with (Path(coparsing_dir) / "tags.csv").open(newline="", encoding="utf-8") as handle:
            ids = [row["image"] for row in csv.DictReader(handle) if row["split"] == split]
        worn = [Path(coparsing_dir) / "photos" / f"{image_id}.jpg" for image_id in ids]
    return flat, worn


def train_orientation(
    model: keras.Model,
    *,
    dataset_dir: Path,
    coparsing_dir: Path | None,
    config: OrientationConfig = OrientationConfig(),
    log: Callable[[str], None] = logger.info,
) -> tuple[keras.Model, dict]:
    """Train the branch on `model`'s frozen pooled features of the train photos (CC0, and co-parsing when its folder
    is given) at the four turns; choose its threshold on the validation photos (float). Returns the branch and a
    record of its training and validation figures."""
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    flat, worn = _training_photos(dataset_dir, coparsing_dir, "train")
    photos = flat + worn
    # Every other photo again, framed the other way, so the frame tells nothing of the turn.
    x = np.concatenate([pooled_features(model, photos), pooled_features(model, photos[::2], reframe=True)])
    log(
        f"orientation: train features of {len(flat)} flat and {len(worn)} worn photos at {len(TURNS)} turns, and "
        f"{len(photos[::2])} of them framed the other way"
    )
    y = np.tile(np.arange(len(TURNS)), len(x))
    smoothing = config.label_smoothing
    targets = np.eye(len(TURNS))[y] * (1.0 - smoothing) + smoothing / len(TURNS)
    branch = build_branch(model, config)
    branch.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="categorical_crossentropy")
    history = branch.fit(
        x.reshape(-1, x.shape[-1]),
        targets,
        epochs=config.epochs,
        batch_size=config.batch_size,
        shuffle=True,
        verbose=0,
    )
    # A fresh copy of the trained branch, without the optimizer's state (it would be saved with model.keras).
    trained = build_branch(model, config)
    trained.set_weights(branch.get_weights())
    record: dict = {
        "config": asdict(config),
        "train_photos": {"flat": len(flat), "worn": len(worn)},
        "final_loss": round(float(history.history["loss"][-1]), 4),
    }
    flat_v, worn_v = _training_photos(dataset_dir, coparsing_dir, "validation")
    figures: dict[str, dict] = {}
    probs_all = []
    for name, photos, reframe in (
        ("flat", flat_v, False),
        ("worn", worn_v, False),
        ("flat_framed_the_other_way", flat_v, True),
        ("worn_framed_the_other_way", worn_v, True),
    ):
        if not photos:
            continue
        pooled = pooled_features(model, photos, reframe=reframe)
        probs = np.asarray(trained(pooled.reshape(-1, pooled.shape[-1]), training=False)).reshape(len(photos), 4, -1)
        probs_all.append(probs)
        figures[name] = {"photos": len(photos), "accuracy": round(float(np.mean(probs.argmax(-1) == np.arange(4))), 4)}
    threshold, tries = chosen_threshold(np.concatenate(probs_all))
    for name, probs in zip(figures, probs_all, strict=True):
        figures[name]["at_threshold"] = turn_scores(probs, threshold)
    record.update(threshold=threshold, validation_float=figures, thresholds_tried=tries)
    record["seconds"] = round(time.monotonic() - started, 1)
    log(f"orientation: validation (float) {figures}, threshold {threshold}")
    return trained, record


def graft_orientation(model: keras.Model, branch: keras.Model) -> keras.Model:
    """`model` with one more output, "orientation": `branch` read from its own pooled features. Every other output is
    `model`'s, unchanged."""
    if "orientation" in model.output:
        raise ValueError("the model already has an orientation output")
    pooled = model.get_layer("pooled_features").output
    turn = layers.Identity(name="orientation")(branch(pooled))
    return keras.Model(model.input, {**model.output, "orientation": turn}, name=model.name)

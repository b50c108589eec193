"""A colour branch that reads a garment's colour in the light a shopper's photo was taken in.

Every CC0 photo was taken in even daylight, so the colour head learned colours in that light only. A phone balances
white only in part: a room lit by warm bulbs leaves the photo warmer, shade cooler, a dim room darker. Read so
(`lighting.LIGHTS`), lite0-224-v15 named the colour of the CC0 validation photos 0.879 as taken, but 0.838 a little
warm, 0.703 under a warm lamp (white read beige 28 times, gray beige 16), 0.801 in cool shade and 0.779 dim.

This trains a small colour branch on the served network's frozen pooled features of the CC0 train photos, each as
taken and again under `casts` random lights (`lighting.random_light`: from cool shade to a warm lamp, darker or
brighter), with the photos' own colour labels (a white shirt under a lamp is still white). The branch has the
attribute heads' shape (its own normalisation of the pooled features, initialised from the heads', a 64-unit hidden
layer, a softmax), and is grafted on as the output "color_lit" (`graft_lit_colour`) under names of its own, so the
int8 export keeps every other output of the source network bit for bit (tflite_graft.keep_quantization). The
predictor blends it with the colour head (a geometric mean, the branch weighing `blend`: predictor.any_light_colour)
before the garment's pixels are weighed in. The branch alone reads photos as taken less well than the head
(validation 0.85 against 0.87 in float): the head knows colours in daylight better, the branch knows light; blended
they beat the head in every light (classifier/NOTEBOOK.md, 5 Dec). Training-side only (imports TensorFlow); a run
takes a few minutes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers
from PIL import Image

from classifier.dataset import Sample, load_samples
from classifier.imaging import open_image, to_model_batch
from classifier.lighting import lit, random_light
from classifier.predictor import any_light_colour
from classifier.training import COLOR_CODES, color_targets

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LitConfig:
    """Chosen on 5 Dec on the CC0 validation photos as taken and in the lights of lighting.LIGHTS (float): two lit
    copies of each train photo, 25 epochs, the branch blended with the head at 0.5 (0.3 gained less in every light)."""

    casts: int = 2
    epochs: int = 25
    learning_rate: float = 1e-3
    units: int = 64
    dropout: float = 0.3
    batch_size: int = 128
    label_smoothing: float = 0.1
    main_weight: float = 0.75
    blend: float = 0.5
    seed: int = 1


def in_light(image: Image.Image, gains: Sequence[float], size: int) -> Image.Image:
    """`image` at the model's input size, as if taken in the light of `gains` (lighting.lit)."""
    return lit(image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR), gains)


def pooled_features(
    model: keras.Model, samples: Sequence[Sample], lights: Sequence[Sequence[float]], *, batch_size: int = 64
) -> np.ndarray:
    """The model's pooled features of each sample's photo in its light, (n, features)."""
    features = keras.Model(model.input, model.get_layer("pooled_features").output)
    size = int(model.input.shape[1])
    rows = [np.zeros((0, int(features.output.shape[-1])), dtype=np.float32)]
    for start in range(0, len(samples), batch_size):
        images = [
            in_light(open_image(s.path), light, size)
            for s, light in zip(samples[start : start + batch_size], lights[start : start + batch_size], strict=True)
        ]
        rows.append(np.asarray(features(to_model_batch(images, size), training=False)))
    return np.concatenate(rows).astype(np.float32)


def build_branch(model: keras.Model, config: LitConfig) -> keras.Model:
    """pooled features -> colour probabilities, its normalisation starting from the heads' own."""
    dim = int(model.get_layer("pooled_features").output.shape[-1])
    features = keras.Input((dim,), name="lit_pooled_features")
    norm = layers.BatchNormalization(name="lit_features_bn")
    x = norm(features)
    norm.set_weights(model.get_layer("heads").get_layer("features_bn").get_weights())
    x = layers.Dropout(config.dropout, name="lit_features_dropout")(x)
    x = layers.Dense(config.units, use_bias=False, name="lit_hidden")(x)
    x = layers.ReLU(name="lit_hidden_relu")(layers.BatchNormalization(name="lit_hidden_bn")(x))
    x = layers.Dropout(config.dropout / 2, name="lit_hidden_dropout")(x)
    colour = layers.Dense(len(COLOR_CODES), activation="softmax", name="color_lit_probs")(x)
    return keras.Model(features, colour, name="lit_colour_branch")


def _accuracy(probs: np.ndarray, samples: Sequence[Sample]) -> float | None:
    """Colour-or-alt of `probs` (vocabulary order) against the samples' labels; None without samples."""
    right = [COLOR_CODES[int(np.argmax(p))] in (s.color, s.alt) for p, s in zip(probs, samples, strict=True)]
    return round(float(np.mean(right)), 4) if right else None


def train_lit_colour(
    model: keras.Model,
    *,
    dataset_dir: Path,
    config: LitConfig = LitConfig(),
    validation_lights: dict[str, tuple[float, float, float]] | None = None,
    log: Callable[[str], None] = logger.info,
) -> tuple[keras.Model, dict]:
    """Train the branch on `model`'s frozen pooled features of the CC0 train photos with a colour, as taken and in
    `config.casts` random lights each. With `validation_lights` (name -> gains), the record holds the branch's, the
    head's and the blend's colour-or-alt on the validation photos in each light (float)."""
    if list(model.get_layer("heads").get_layer("color").output.shape)[-1] != len(COLOR_CODES):
        raise ValueError("the model's colour head reads other colours than the vocabulary")
    started = time.monotonic()
    keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    train = [s for s in load_samples(dataset_dir, splits=["train"]) if s.color is not None]
    lights = [(1.0, 1.0, 1.0)] * len(train)
    x = [pooled_features(model, train, lights)]
    for copy in range(config.casts):
        x.append(pooled_features(model, train, [random_light(rng) for _ in train]))
        log(f"lit colour: train features, lit copy {copy + 1} of {config.casts}")
    targets = color_targets(train, smoothing=config.label_smoothing, main_weight=config.main_weight)
    branch = build_branch(model, config)
    branch.compile(optimizer=keras.optimizers.Adam(config.learning_rate), loss="categorical_crossentropy")
    history = branch.fit(
        np.concatenate(x),
        np.concatenate([targets] * (config.casts + 1)),
        epochs=config.epochs,
        batch_size=config.batch_size,
        shuffle=True,
        verbose=0,
    )
    # A fresh copy of the trained branch, without the optimizer's state (saved with model.keras, Adam's two moments
    # would add 1.3 MB to an artifact near its 25 MB budget).
    trained = build_branch(model, config)
    trained.set_weights(branch.get_weights())
    branch = trained
    record: dict = {
        "config": asdict(config),
        "train_photos": len(train),
        "final_loss": round(float(history.history["loss"][-1]), 4),
    }
    if validation_lights:
        validation = [s for s in load_samples(dataset_dir, splits=["validation"]) if s.color is not None]
        heads = model.get_layer("heads")
        figures = {}
        for name, gains in validation_lights.items():
            pooled = pooled_features(model, validation, [gains] * len(validation))
            head = np.asarray(heads(pooled, training=False)["color"])
            lit = np.asarray(branch(pooled, training=False))
            if name == "as_taken":
                record["sharpen"] = chosen_sharpen(head, lit, validation, config.blend)
            figures[name] = {
                "head": _accuracy(head, validation),
                "branch": _accuracy(lit, validation),
                "blend": _accuracy(any_light_colour(head, lit, config.blend), validation),
            }
        record["validation_float"] = figures
        log(f"lit colour: validation (float) {figures}")
    record["seconds"] = round(time.monotonic() - started, 1)
    return branch, record


SHARPEN_GRID = tuple(round(1.0 + 0.1 * i, 1) for i in range(11))


def chosen_sharpen(head: np.ndarray, lit: np.ndarray, samples: Sequence[Sample], blend: float) -> float:
    """The power the blend is raised to (predictor.any_light_colour's `sharpen`), by the likelihood of the photos'
    main colours (SHARPEN_GRID): the geometric mean of two softmaxes is less sure than either, and the page asks the
    shopper to confirm a colour read below its threshold, so an unsharpened blend would ask twice as often. It moves
    no photo's colour."""
    main = np.array([COLOR_CODES.index(str(s.color)) for s in samples])

    def loss(sharpen: float) -> float:
        probs = any_light_colour(head, lit, blend, sharpen)
        return float(-np.mean(np.log(probs[np.arange(len(main)), main] + 1e-9)))

    return min(SHARPEN_GRID, key=loss) if len(main) else 1.0


def graft_lit_colour(model: keras.Model, branch: keras.Model) -> keras.Model:
    """`model` with one more output, "color_lit": `branch` read from its own pooled features. Every other output is
    `model`'s, unchanged."""
    if "color_lit" in model.output:
        raise ValueError("the model already has a color_lit output")
    pooled = model.get_layer("pooled_features").output
    lit = layers.Identity(name="color_lit")(branch(pooled))
    return keras.Model(model.input, {**model.output, "color_lit": lit}, name=model.name)

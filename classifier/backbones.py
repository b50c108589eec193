"""Image backbones for the garment classifier, as Keras models.

Imports TensorFlow/Keras at module import: only the training, evaluation and Keras-serving code imports this module,
never the web workers (they run the exported TFLite model).

A backbone is a Keras model from a (size, size, 3) image scaled as (x - 127) / 128 to one vector of globally pooled
features. For EfficientNet-Lite0 that vector concatenates the pooled outputs of the later stages (low- and mid-level
features carry colour and texture) with the 1280-d pooled head, so one frozen forward pass feeds both heads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
from keras import layers

BACKBONE_NAMES: tuple[str, ...] = ("efficientnet_lite0", "efficientnet_lite2", "tiny")

# EfficientNet-Lite0 stages: (expand ratio, kernel, first stride, out channels, repeats).
LITE0_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)
# EfficientNet-Lite2 (README of CLASSIFIER_WEIGHTS_DIR): the same block, stem and head, wider and deeper stages (21
# blocks). Its ImageNet input is 260 px; built at 224 px it keeps every map size of Lite0 (7x7 top, 14x14 bottom,
# 28x28 segmentation grid), so the heads, the segmentation head and the serving code take it unchanged.
LITE2_STAGES: tuple[tuple[int, int, int, int, int], ...] = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 3),
    (6, 5, 2, 48, 3),
    (6, 3, 2, 88, 4),
    (6, 5, 1, 120, 4),
    (6, 5, 2, 208, 5),
    (6, 3, 1, 352, 1),
)
LITE_STAGES: dict[str, tuple[tuple[int, int, int, int, int], ...]] = {
    "efficientnet_lite0": LITE0_STAGES,
    "efficientnet_lite2": LITE2_STAGES,
}
# Stages whose pooled output joins the feature vector (0-based). Stage 1 (24 ch, 1/4 resolution) is the cheapest
# place that still sees colour reliably; the head pooling carries the semantics.
LITE0_POOLED_STAGES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
# The fine-tunable top starts here: stages 5-6 and the head run at 7x7 and are cheap to train on cached activations.
# Stages whose centre average also joins the feature vector. The photos are garments on beds and floors: at the early,
# colour-carrying stages the global average is dominated by the background, the centre is mostly garment. Adding them
# (lite0-224-v3) lifted validation colour-or-alt 0.832 -> 0.848 and 10-class 0.891 -> 0.897 (tflite, as served).
LITE0_CENTRE_POOLED_STAGES: tuple[int, ...] = (1, 2, 3)
LITE0_TOP_FIRST_STAGE = 5
BN_EPSILON = 1e-3


@dataclass(frozen=True)
class Backbone:
    name: str
    image_size: int
    # image -> pooled feature vector
    features: keras.Model
    # image -> ImageNet logits (EfficientNet only; used to verify the weight port)
    imagenet: keras.Model | None = None
    # The same network cut in two so the top can be fine-tuned on cached bottom activations:
    # bottom: image -> [feature map, pooled low-level features]; top: feature map -> [pooled high-level, head pool].
    bottom: keras.Model | None = None
    top: keras.Model | None = None

    @property
    def feature_dim(self) -> int:
        return int(self.features.output.shape[-1])


def build_backbone(name: str, *, image_size: int = 224, weights_path: str | Path | None = None) -> Backbone:
    """Build a backbone by name; `weights_path` is its ImageNet `.npz` (Lite0's or Lite2's; ignored by "tiny")."""
    if name in LITE_STAGES:
        return _build_efficientnet_lite(name, image_size, weights_path)
    if name == "tiny":
        return _build_tiny(image_size)
    raise ValueError(f"unknown backbone {name!r}; choose one of {', '.join(BACKBONE_NAMES)}")


def _conv_bn(x, filters: int, kernel: int, stride: int, name: str, *, act: bool = True):
    x = layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_bn")(x)
    if act:
        x = layers.ReLU(max_value=6.0, name=f"{name}_relu6")(x)
    return x


def _mbconv(x, in_ch: int, expand: int, kernel: int, stride: int, out_ch: int, name: str):
    h = x
    if expand != 1:
        h = _conv_bn(h, in_ch * expand, 1, 1, f"{name}_expand")
    h = layers.DepthwiseConv2D(kernel, strides=stride, padding="same", use_bias=False, name=f"{name}_dw")(h)
    h = layers.BatchNormalization(epsilon=BN_EPSILON, name=f"{name}_dw_bn")(h)
    h = layers.ReLU(max_value=6.0, name=f"{name}_dw_relu6")(h)
    h = _conv_bn(h, out_ch, 1, 1, f"{name}_project", act=False)
    if stride == 1 and in_ch == out_ch:
        h = layers.Add(name=f"{name}_add")([x, h])
    return h


def _stages(
    x,
    stages: Sequence[tuple[int, int, int, int, int]],
    stage_indices: range,
    first_block: int,
    in_ch: int,
    pooled: list,
    centre: list | None = None,
):
    block = first_block
    for stage_index in stage_indices:
        expand, kernel, first_stride, out_ch, repeats = stages[stage_index]
        for repeat in range(repeats):
            x = _mbconv(x, in_ch, expand, kernel, first_stride if repeat == 0 else 1, out_ch, f"block{block}")
            in_ch = out_ch
            block += 1
        if stage_index in LITE0_POOLED_STAGES:
            pooled.append(layers.GlobalAveragePooling2D(name=f"stage{stage_index}_pool")(x))
        if centre is not None and stage_index in LITE0_CENTRE_POOLED_STAGES:
            centre.append(_centre_pool(x, f"stage{stage_index}"))
    return x


def _centre_pool(x, name: str):
    """Average over the central ~57% (per side) of a map: 8x8 of 14x14, 16x16 of 28x28, 32x32 of 56x56."""
    size = int(x.shape[1])
    return layers.GlobalAveragePooling2D(name=f"{name}_centre_pool")(
        layers.Cropping2D(size * 3 // 14, name=f"{name}_centre")(x)
    )


def _build_efficientnet_lite(name: str, image_size: int, weights_path: str | Path | None) -> Backbone:
    stages = LITE_STAGES[name]
    split = LITE0_TOP_FIRST_STAGE
    first_top_block = sum(stage[4] for stage in stages[:split])

    image = keras.Input((image_size, image_size, 3), name="image")
    x = _conv_bn(image, 32, 3, 2, "stem")
    low: list = []
    low_centre: list = []
    x = _stages(x, stages, range(split), 0, 32, low, low_centre)
    low += low_centre
    bottom = keras.Model(image, [x, layers.Concatenate(name="low_features")(low)], name="lite0_bottom")

    feature_map = keras.Input(tuple(x.shape[1:]), name="feature_map")
    # Garments sit mostly in the middle of the photo and the background (bed, floor) fills the border: pooling the
    # centre of the 14x14 stage-4 map and max-pooling it measurably help colour and type on validation
    # (frozen features: 10-class 0.877 -> 0.892, colour-or-alt 0.809 -> 0.828-0.840). A max-pooled head would add
    # 1280 inputs to the hidden layer and push the artifact past its 25 MB budget for no clear gain.
    map_size = int(x.shape[1])
    high: list = [
        layers.GlobalAveragePooling2D(name="centre_pool")(
            layers.Cropping2D(map_size * 3 // 14, name="centre")(feature_map)
        ),
        layers.GlobalMaxPooling2D(name="map_max_pool")(feature_map),
    ]
    y = _stages(feature_map, stages, range(split, len(stages)), first_top_block, stages[split - 1][3], high)
    y = _conv_bn(y, 1280, 1, 1, "head")
    head_pool = layers.GlobalAveragePooling2D(name="head_pool")(y)
    top = keras.Model(feature_map, [layers.Concatenate(name="high_features")(high), head_pool], name="lite0_top")

    image = keras.Input((image_size, image_size, 3), name="image")
    mid, low_features = bottom(image)
    high_features, head_features = top(mid)
    features = layers.Concatenate(name="pooled_features")([low_features, high_features, head_features])
    fc = layers.Dense(1000, name="imagenet_logits")
    imagenet = keras.Model(image, fc(head_features), name=f"{name}_imagenet")
    if weights_path is not None:
        load_lite0_weights([bottom, top, imagenet], weights_path, stages=stages)
    feature_model = keras.Model(image, features, name=name)
    return Backbone(name, image_size, feature_model, imagenet, bottom, top)


def _lite0_layout(block_count: int, *, expands: Sequence[bool]) -> dict[str, list[tuple[str, str]]]:
    """Keras layer name -> [(npz key, kind)] of the PyTorch-layout Lite0 file, kind one of conv / depthwise / bn /
    dense / bias. One home for the port's naming, read by load_lite0_weights and written by save_lite0_weights."""
    bn = ("weight", "bias", "running_mean", "running_var")

    def batch_norm(prefix: str) -> list[tuple[str, str]]:
        return [(f"{prefix}.{p}", "bn") for p in bn]

    layout: dict[str, list[tuple[str, str]]] = {
        "stem_conv": [("_conv_stem.weight", "conv")],
        "stem_bn": batch_norm("_bn0"),
        "head_conv": [("_conv_head.weight", "conv")],
        "head_bn": batch_norm("_bn1"),
        "imagenet_logits": [("_fc.weight", "dense"), ("_fc.bias", "bias")],
    }
    for b in range(block_count):
        src = f"_blocks.{b}"
        if expands[b]:
            layout[f"block{b}_expand_conv"] = [(f"{src}._expand_conv.weight", "conv")]
            layout[f"block{b}_expand_bn"] = batch_norm(f"{src}._bn0")
        layout[f"block{b}_dw"] = [(f"{src}._depthwise_conv.weight", "depthwise")]
        layout[f"block{b}_dw_bn"] = batch_norm(f"{src}._bn1")
        layout[f"block{b}_project_conv"] = [(f"{src}._project_conv.weight", "conv")]
        layout[f"block{b}_project_bn"] = batch_norm(f"{src}._bn2")
    return layout


def _lite0_expands(stages: Sequence[tuple[int, int, int, int, int]] = LITE0_STAGES) -> list[bool]:
    return [stage[0] != 1 for stage in stages for _ in range(stage[4])]


# PyTorch (out, in, kh, kw) -> Keras (kh, kw, in, out); depthwise (C, 1, kh, kw) -> (kh, kw, C, 1); dense (out, in)
# -> (in, out). Each is its own inverse's transpose: _TO_KERAS[kind] reads, _TO_TORCH[kind] writes.
_TO_KERAS = {"conv": (2, 3, 1, 0), "depthwise": (2, 3, 0, 1), "dense": (1, 0)}
_TO_TORCH = {"conv": (3, 2, 0, 1), "depthwise": (2, 3, 0, 1), "dense": (1, 0)}


def _layers_by_name(models: Sequence[keras.Model]) -> dict[str, keras.layers.Layer]:
    return {
        layer.name: layer
        for model in models
        for layer in model.layers
        if layer.weights and not isinstance(layer, keras.Model)
    }


def load_lite0_weights(
    models: Sequence[keras.Model],
    weights_path: str | Path,
    *,
    stages: Sequence[tuple[int, int, int, int, int]] = LITE0_STAGES,
) -> None:
    """Copy the PyTorch-layout Lite0 (or, with its `stages`, Lite2) weights (README beside them, in
    CLASSIFIER_WEIGHTS_DIR) into the Keras port."""
    weights = np.load(weights_path)
    layout = _lite0_layout(sum(stage[4] for stage in stages), expands=_lite0_expands(stages))
    by_name = _layers_by_name(models)
    if missing := set(by_name) - set(layout):
        raise ValueError(f"no weights in {weights_path} for layers {sorted(missing)}")
    if unused := set(layout) - set(by_name):
        raise ValueError(f"weights for layers the port does not have: {sorted(unused)}")
    for name, keys in layout.items():
        values = [weights[key].transpose(_TO_KERAS[kind]) if kind in _TO_KERAS else weights[key] for key, kind in keys]
        by_name[name].set_weights([np.asarray(v, dtype=np.float32) for v in values])


def save_lite0_weights(backbone: Backbone, path: str | Path) -> None:
    """Write a Lite0 backbone's weights (ImageNet logits included) as a PyTorch-layout `.npz`, the layout
    load_lite0_weights reads: a fine-tuned backbone then trains the heads like the ImageNet one."""
    if backbone.name != "efficientnet_lite0" or backbone.imagenet is None:
        raise ValueError(f"only an EfficientNet-Lite0 backbone has the npz layout, not {backbone.name!r}")
    by_name = _layers_by_name([m for m in (backbone.bottom, backbone.top, backbone.imagenet) if m is not None])
    arrays: dict[str, np.ndarray] = {}
    for name, keys in _lite0_layout(sum(stage[4] for stage in LITE0_STAGES), expands=_lite0_expands()).items():
        for (key, kind), value in zip(keys, by_name[name].get_weights(), strict=True):
            arrays[key] = value.transpose(_TO_TORCH[kind]) if kind in _TO_TORCH else value
    with open(path, "wb") as out:
        np.savez(out, **arrays)  # type: ignore[arg-type]  # the stub reads **kwds as the allow_pickle flag


def nested_layers(model: keras.layers.Layer) -> dict[str, keras.layers.Layer]:
    """Every layer of a model by name, those inside its nested models included (the outermost of a name wins)."""
    found: dict[str, keras.layers.Layer] = {}
    stack: list = [model]
    while stack:
        layer = stack.pop(0)
        found.setdefault(layer.name, layer)
        stack.extend(getattr(layer, "layers", None) or ())
    return found


def save_lite0_weights_of_model(model_path: str | Path, out_path: str | Path, *, imagenet_weights: str | Path) -> None:
    """Write the Lite0 backbone inside a trained classifier (its model.keras) as a Lite0 `.npz` (save_lite0_weights'
    layout), to train new heads on exactly that backbone. A classifier carries no ImageNet logits: those come from
    `imagenet_weights`. A ValueError when the model holds no Lite0 backbone."""
    backbone = build_backbone("efficientnet_lite0", weights_path=imagenet_weights)
    found = nested_layers(keras.models.load_model(model_path, compile=False))
    for name, layer in _layers_by_name([m for m in (backbone.bottom, backbone.top) if m is not None]).items():
        theirs = found.get(name)
        shapes = [w.shape for w in layer.get_weights()]
        if theirs is None or [w.shape for w in theirs.get_weights()] != shapes:
            raise ValueError(f"{model_path} holds no EfficientNet-Lite0 backbone (layer {name!r})")
        layer.set_weights(theirs.get_weights())
    save_lite0_weights(backbone, out_path)


def _build_tiny(image_size: int) -> Backbone:
    """A small from-scratch CNN with the same bottom/top split: no weights file, trains in seconds; for tests and
    smoke runs, not for accuracy."""
    image = keras.Input((image_size, image_size, 3), name="image")
    x = _conv_bn(image, 8, 3, 2, "tiny0")
    x = _conv_bn(x, 16, 3, 2, "tiny1")
    low = layers.GlobalAveragePooling2D(name="tiny1_pool")(x)
    bottom = keras.Model(image, [x, layers.Identity(name="low_features")(low)], name="tiny_bottom")

    feature_map = keras.Input(tuple(x.shape[1:]), name="feature_map")
    y = _conv_bn(feature_map, 32, 3, 2, "tiny2")
    high = layers.GlobalAveragePooling2D(name="tiny2_pool")(y)
    y = _conv_bn(y, 64, 1, 1, "tiny_head")
    head_pool = layers.GlobalAveragePooling2D(name="head_pool")(y)
    top = keras.Model(feature_map, [high, head_pool], name="tiny_top")

    image = keras.Input((image_size, image_size, 3), name="image")
    mid, low_features = bottom(image)
    high_features, head_features = top(mid)
    features = layers.Concatenate(name="pooled_features")([low_features, high_features, head_features])
    return Backbone("tiny", image_size, keras.Model(image, features, name="tiny"), None, bottom, top)


# The finer map the segmentation head reads next to the bottom's output: the last block of stage 3 of Lite0 (28×28×40
# at 224 px, stride 8) and of Lite2 (28×28×48), the first layer of "tiny" (also twice the bottom's resolution).
SEGMENTATION_LAYERS: dict[str, str] = {
    "efficientnet_lite0": "block4_add",
    "efficientnet_lite2": "block6_add",
    "tiny": "tiny0_relu6",
}


def bottom_with_fine_map(backbone: Backbone) -> keras.Model:
    """image -> [bottom feature map, pooled low-level features, finer map for segmentation] (shares the bottom's
    layers and weights)."""
    bottom = backbone.bottom
    if bottom is None:  # both builders here cut the network in two; a hand-made Backbone may not
        raise ValueError(f"backbone {backbone.name!r} has no bottom/top split to read the segmentation map from")
    fine = bottom.get_layer(SEGMENTATION_LAYERS[backbone.name]).output
    return keras.Model(bottom.input, [*bottom.outputs, fine], name=f"{bottom.name}_with_fine_map")

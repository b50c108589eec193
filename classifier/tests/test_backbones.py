"""The EfficientNet-Lite0 and Lite2 ports: the ImageNet head must name real garments correctly."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from classifier.backbones import bottom_with_fine_map, build_backbone, save_lite0_weights
from classifier.imaging import open_image, to_model_input
from classifier.training import bottom_weights_digest

# ImageNet classes a correct port predicts for the dataset's photos (see /work/shared/weights/README.md).
IMAGENET_GARMENTS = {
    "t-shirt": {610},  # jersey, T-shirt
    "pants": {608},  # jean, blue jean, denim
    "shoes": {770, 774, 514, 630, 502},  # running shoe, sandal, cowboy boot, loafer, clog
}


@pytest.mark.real_model
@pytest.mark.parametrize("name", ["efficientnet_lite0", "efficientnet_lite2"])
def test_lite_port_predicts_imagenet_garments_on_real_photos(name, dataset_dir, dataset_rows, request):
    weights = request.getfixturevalue("lite0_weights" if name.endswith("lite0") else "lite2_weights")
    size = 224 if name.endswith("lite0") else 260  # each at its ImageNet input size
    backbone = build_backbone(name, image_size=size, weights_path=weights)
    for label, expected in IMAGENET_GARMENTS.items():
        rows = [r for r in dataset_rows if r["top10_label"] == label and r["split"] == "test"][:8]
        batch = np.stack([to_model_input(open_image(dataset_dir / "images" / f"{r['image']}.jpg"), size) for r in rows])
        predicted = backbone.imagenet(batch, training=False).numpy().argmax(axis=1)
        hits = sum(int(p) in expected for p in predicted)
        # A wrong transpose or padding gives ~0 hits; the real port gets most of them.
        assert hits >= len(rows) // 2, f"{label}: ImageNet classes {predicted.tolist()}"


def test_feature_model_matches_bottom_plus_top(lite0_weights):
    backbone = build_backbone("efficientnet_lite0", image_size=96, weights_path=lite0_weights)
    x = np.random.default_rng(0).uniform(-1, 1, (2, 96, 96, 3)).astype(np.float32)
    features = backbone.features(x, training=False).numpy()
    feature_map, low = backbone.bottom(x, training=False)
    high, head = backbone.top(feature_map, training=False)
    np.testing.assert_allclose(features, np.concatenate([low, high, head], axis=1), atol=1e-5)
    assert features.shape == (2, backbone.feature_dim)


def test_lite2_at_224_pixels_has_every_map_size_of_lite0(lite2_weights):
    """Built at 224 px, Lite2 gives the heads, the segmentation head and the serving code Lite0's map sizes (7x7 top,
    14x14 bottom, 28x28 fine map), only with more channels and a longer feature vector."""
    sizes = {}
    for name, weights in (("efficientnet_lite0", None), ("efficientnet_lite2", lite2_weights)):
        backbone = build_backbone(name, image_size=224, weights_path=weights)
        maps = bottom_with_fine_map(backbone)(np.zeros((1, 224, 224, 3), np.float32), training=False)
        sizes[name] = ([tuple(maps[0].shape[1:3]), tuple(maps[2].shape[1:3])], backbone.feature_dim, maps[0].shape[-1])
    assert sizes["efficientnet_lite0"][0] == sizes["efficientnet_lite2"][0] == [(14, 14), (28, 28)]
    assert (sizes["efficientnet_lite0"][2], sizes["efficientnet_lite2"][2]) == (112, 120)
    assert sizes["efficientnet_lite2"][1] > sizes["efficientnet_lite0"][1]


def test_unknown_backbone_is_refused():
    with pytest.raises(ValueError, match="unknown backbone"):
        build_backbone("resnet50")


def test_tiny_backbone_needs_no_weights():
    backbone = build_backbone("tiny", image_size=32)
    assert backbone.features(np.zeros((1, 32, 32, 3), np.float32)).shape[0] == 1


def test_saved_lite0_weights_load_back_into_the_same_network(lite0_weights, tmp_path):
    backbone = build_backbone("efficientnet_lite0", image_size=64, weights_path=lite0_weights)
    # Changed weights (as fine-tuning leaves them) in a conv, a depthwise conv, a batch norm and the ImageNet head.
    rng = np.random.default_rng(0)
    for model, name in (
        (backbone.bottom, "block3_expand_conv"),
        (backbone.bottom, "block2_dw"),
        (backbone.top, "block12_project_bn"),
        (backbone.imagenet, "imagenet_logits"),
    ):
        layer = model.get_layer(name)
        layer.set_weights([w + rng.normal(0, 0.05, w.shape).astype(np.float32) for w in layer.get_weights()])
    saved = tmp_path / "finetuned.npz"
    save_lite0_weights(backbone, saved)

    original, written = np.load(lite0_weights), np.load(saved)
    assert sorted(written.files) == sorted(original.files)
    assert all(written[k].shape == original[k].shape for k in original.files)
    assert not np.allclose(written["_blocks.3._expand_conv.weight"], original["_blocks.3._expand_conv.weight"])
    np.testing.assert_array_equal(written["_blocks.0._project_conv.weight"], original["_blocks.0._project_conv.weight"])

    reloaded = build_backbone("efficientnet_lite0", image_size=64, weights_path=saved)
    x = rng.uniform(-1, 1, (2, 64, 64, 3)).astype(np.float32)
    np.testing.assert_allclose(reloaded.features(x).numpy(), backbone.features(x).numpy(), atol=1e-5)
    np.testing.assert_allclose(reloaded.imagenet(x).numpy(), backbone.imagenet(x).numpy(), atol=1e-4)


def test_only_lite0_saves_in_the_npz_layout(tmp_path):
    with pytest.raises(ValueError, match="only an EfficientNet-Lite0"):
        save_lite0_weights(build_backbone("tiny", image_size=32), tmp_path / "tiny.npz")


def test_the_feature_cache_is_keyed_by_the_bottom_weights_it_caches_and_nothing_else():
    backbone = build_backbone("efficientnet_lite0", image_size=64, weights_path=None)
    assert backbone.bottom is not None and backbone.top is not None
    before = bottom_weights_digest(backbone.bottom)
    head = backbone.top.get_layer("head_conv")
    head.set_weights([w + 0.5 for w in head.get_weights()])  # what finetune_backbone --keep-bottom changes
    assert bottom_weights_digest(backbone.bottom) == before
    stage_four = backbone.bottom.get_layer("block10_project_conv")
    stage_four.set_weights([w + 0.5 for w in stage_four.get_weights()])
    assert bottom_weights_digest(backbone.bottom) != before

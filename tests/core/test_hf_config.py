"""viz.core.hf_config: the config.json / preprocessor_config.json fields ViT and Swin share."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from viz.core.hf_config import (
    check_image_fields,
    finish_fields,
    image_config_json,
    image_fields,
    label_maps,
    preprocessor_json,
    read_config_json,
)


def _write(folder, config, preprocessor=None):
    (folder / "config.json").write_text(json.dumps(config))
    if preprocessor is not None:
        (folder / "preprocessor_config.json").write_text(json.dumps(preprocessor))


def test_reads_folder_or_config_path_and_refuses_other_types(tmp_path):
    _write(tmp_path, {"model_type": "vit", "x": 1})
    assert read_config_json(tmp_path, ("vit",), "vit", "ViT folders") == (
        tmp_path,
        {"model_type": "vit", "x": 1},
    )
    assert read_config_json(tmp_path / "config.json", ("vit",), "vit", "ViT folders")[0] == tmp_path
    with pytest.raises(
        ValueError, match="this folder holds a 'vit' model; only Swin folders can be opened here"
    ):
        read_config_json(tmp_path, ("swin",), "swin", "Swin folders")
    _write(tmp_path, {})
    assert (
        read_config_json(tmp_path, ("swin",), "swin", "Swin folders")[1] == {}
    )  # no model_type: the default


def test_missing_config_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_config_json(tmp_path, ("vit",), "vit", "ViT folders")


def test_image_fields_and_labels():
    raw = {"image_size": 32, "num_channels": 1, "id2label": {"1": "b", "0": "a"}, "qkv_bias": False}
    fields = image_fields(raw, default_patch=4)
    assert fields == {
        "image_size": 32,
        "patch_size": 4,
        "n_channels": 1,
        "n_classes": 2,
        "labels": ("a", "b"),
        "qkv_bias": False,
        "activation": "gelu",
        "logit_temperature": 1.0,
    }
    calibrated = {**raw, "viz_logit_temperature": 1.7}
    assert image_fields(calibrated, default_patch=4)["logit_temperature"] == 1.7
    for bad in (-1, 0, "hot", None, 1e9):  # a broken key leaves the model uncalibrated
        assert (
            image_fields({**raw, "viz_logit_temperature": bad}, default_patch=4)["logit_temperature"] == 1.0
        )
    with pytest.raises(ValueError, match="only square images"):
        image_fields({"image_size": [32, 16]}, default_patch=4)


def test_finish_fields_reads_normalisation_and_overrides(tmp_path):
    base = {
        "n_channels": 3,
        "image_mean": (0.5,) * 3,
        "image_std": (0.5,) * 3,
        "labels": ("a", "b"),
        "n_classes": 2,
    }
    assert finish_fields(tmp_path, base, {}) == base  # no preprocessor_config.json: the defaults
    _write(tmp_path, {}, {"image_mean": [0.1, 0.2, 0.3]})
    got = finish_fields(tmp_path, base, {"n_classes": 5})
    assert got["image_mean"] == (0.1, 0.2, 0.3) and got["image_std"] == (0.5,) * 3
    assert got["n_classes"] == 5 and got["labels"] == ()  # labels that disagree with the head are dropped
    _write(tmp_path, {}, {"do_normalize": False, "image_mean": [9, 9, 9]})
    got = finish_fields(tmp_path, base, {})
    assert got["image_mean"] == (0.0,) * 3 and got["image_std"] == (1.0,) * 3


def test_writing_side():
    head = SimpleNamespace(n_classes=2, image_size=32, patch_size=4, n_channels=3)
    assert image_config_json(head, family="ViT", model_type="vit") == {
        "architectures": ["ViTForImageClassification"],
        "model_type": "vit",
        "image_size": 32,
        "patch_size": 4,
        "num_channels": 3,
    }
    backbone = SimpleNamespace(n_classes=0, image_size=32, patch_size=4, n_channels=3)
    assert image_config_json(backbone, family="Swin", model_type="swin")["architectures"] == ["SwinModel"]
    assert label_maps(()) == {}
    assert label_maps(("a", "b")) == {"id2label": {"0": "a", "1": "b"}, "label2id": {"a": 0, "b": 1}}
    pre = preprocessor_json(64, (0.4, 0.5, 0.6), (0.2, 0.2, 0.2), resample=3)
    assert pre["size"] == {"height": 64, "width": 64} and pre["resample"] == 3
    assert pre["image_mean"] == [0.4, 0.5, 0.6] and pre["image_processor_type"] == "ViTImageProcessor"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"activation": "nope"}, "activation"),
        ({"labels": ("a",)}, "1 labels for 2 classes"),
        ({"image_mean": (0.5,)}, "one value per channel"),
        ({"image_std": (0.5, 0.0, 0.5)}, "image_std must be positive"),
    ],
)
def test_check_image_fields(change, match):
    good = {
        "activation": "gelu",
        "labels": ("a", "b"),
        "n_classes": 2,
        "n_channels": 3,
        "image_mean": (0.5,) * 3,
        "image_std": (0.5,) * 3,
    }
    check_image_fields(SimpleNamespace(**good))
    with pytest.raises(ValueError, match=match):
        check_image_fields(SimpleNamespace(**{**good, **change}))

"""``viz.data.preprocess`` against transformers' slow (Pillow / numpy) image processors, on photographs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from viz.data.images import model_view
from viz.data.preprocess import DEFAULTS, ImageProcessing, Size, default_normalization, processor_class

transformers = pytest.importorskip("transformers")

SAMPLES = Path(__file__).resolve().parents[2] / "assets" / "samples"

#: The slow class for each processor we cover (transformers 5 names them ...Pil; the plain names are the
#: torchvision ones, which need torchvision).
SLOW = {
    "ViTImageProcessor": "ViTImageProcessorPil",
    "DeiTImageProcessor": "DeiTImageProcessorPil",
    "BitImageProcessor": "BitImageProcessorPil",
    "ConvNextImageProcessor": "ConvNextImageProcessorPil",
}

IMAGENET = dict(image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])

#: The hub checkpoints' preprocessor_config.json, transcribed from those repositories (not downloaded: no
#: test touches the network).
HUB = {
    "google/vit-base-patch16-224": {
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "ViTFeatureExtractor",
        "image_mean": [0.5, 0.5, 0.5],
        "image_std": [0.5, 0.5, 0.5],
        "resample": 2,
        "size": 224,
    },
    "facebook/deit-tiny-distilled-patch16-224": {
        "crop_size": 224,
        "do_center_crop": True,
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "DeiTFeatureExtractor",
        **IMAGENET,
        "resample": 3,
        "size": 256,
    },
    "facebook/deit-small-patch16-224": {
        "crop_size": 224,
        "do_center_crop": True,
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "DeiTFeatureExtractor",
        **IMAGENET,
        "resample": 3,
        "size": 256,
    },
    "facebook/dinov2-small": {
        "crop_size": {"height": 224, "width": 224},
        "do_center_crop": True,
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        **IMAGENET,
        "image_processor_type": "BitImageProcessor",
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": 256},
    },
    "microsoft/swin-tiny-patch4-window7-224": {
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "ViTFeatureExtractor",
        **IMAGENET,
        "resample": 3,
        "size": 224,
    },
    "facebook/dino-vits16": {
        "do_normalize": True,
        "do_resize": True,
        "feature_extractor_type": "ViTFeatureExtractor",
        **IMAGENET,
        "resample": 3,
        "size": 224,
    },
}

#: Each processor with its class defaults, and a few settings off the defaults (ConvNeXt below 384 px uses
#: crop_pct; a crop larger than the resized picture is padded; shortest_edge with longest_edge).
CONFIGS = {
    **{f"{name} defaults": {"image_processor_type": name} for name in SLOW},
    **HUB,
    "ConvNeXt 224, crop_pct": {
        "image_processor_type": "ConvNextImageProcessor",
        "size": {"shortest_edge": 224},
        "crop_pct": 0.875,
        **IMAGENET,
    },
    "crop larger than the resize": {
        "image_processor_type": "ViTImageProcessor",
        "size": {"height": 20, "width": 30},
        "do_center_crop": True,
        "crop_size": {"height": 25, "width": 41},
    },
    "shortest and longest edge, nearest": {
        "image_processor_type": "BitImageProcessor",
        "size": {"shortest_edge": 100, "longest_edge": 120},
        "resample": 0,
        "do_center_crop": False,
    },
    "no rescale, no resize": {
        "image_processor_type": "DeiTImageProcessor",
        "do_resize": False,
        "do_rescale": False,
        "crop_size": 3,
    },
}


def _photos() -> dict[str, np.ndarray]:
    photos = {p.name: np.asarray(Image.open(p).convert("RGB")) for p in sorted(SAMPLES.glob("*.jpg"))}
    assert len(photos) >= 4 and any(a.shape[0] != a.shape[1] for a in photos.values())
    cat = photos["cat.jpg"]  # 384 x 255
    photos["tall crop"] = np.ascontiguousarray(cat[:, 100:230])  # 130 x 255: taller than wide
    photos["tiny 7 x 5"] = np.ascontiguousarray(cat[100:105, 200:207])
    return photos


PHOTOS = _photos()


def _reference(raw: dict):
    return getattr(
        transformers,
        SLOW[processor_class(raw.get("image_processor_type") or raw.get("feature_extractor_type"))],
    )(**raw)


@pytest.mark.parametrize("config_name", sorted(CONFIGS))
def test_equals_the_slow_transformers_processor(config_name):
    raw = CONFIGS[config_name]
    ours, reference = ImageProcessing.from_dict(raw), _reference(raw)
    for photo_name, rgb in PHOTOS.items():
        expected = reference(Image.fromarray(rgb), return_tensors="np")["pixel_values"][0].astype(np.float32)
        prepared = ours.apply(rgb)
        assert prepared.normalized.shape == expected.shape, photo_name
        np.testing.assert_allclose(prepared.normalized, expected, atol=1e-5, rtol=0, err_msg=photo_name)
        assert prepared.normalized.dtype == prepared.pixels.dtype == np.float32
        assert prepared.view.dtype == np.uint8 and prepared.view.shape == expected.shape[1:] + (3,)
        left, top, right, bottom = prepared.crop_box
        height, width = rgb.shape[:2]
        assert 0 <= left < right <= width and 0 <= top < bottom <= height, (photo_name, prepared.crop_box)


def test_view_and_pixels_are_the_processor_steps():
    """The view is the resized, cropped uint8 picture; pixels = view / 255; normalised = (pixels - mean) / std."""
    ours = ImageProcessing.from_dict(HUB["facebook/deit-small-patch16-224"])
    rgb = PHOTOS["coffee.jpg"]  # 384 x 256
    prepared = ours.apply(rgb)
    resized = np.asarray(Image.fromarray(rgb).resize((256, 256), Image.BICUBIC))
    np.testing.assert_array_equal(prepared.view, resized[16:240, 16:240])
    np.testing.assert_allclose(prepared.pixels, prepared.view.transpose(2, 0, 1) / 255, atol=1e-7)
    mean, std = np.array(IMAGENET["image_mean"]), np.array(IMAGENET["image_std"])
    np.testing.assert_allclose(
        prepared.normalized, (prepared.pixels - mean[:, None, None]) / std[:, None, None], atol=1e-5
    )
    # the crop, 16 .. 240 of 256 resized pixels, is 24 .. 360 of 384 across and 16 .. 240 of 256 down
    assert prepared.crop_box == (24, 16, 360, 240)
    # the shorter edge kept (BiT at 256): the crop box is exact, in the input's pixels
    bit = ImageProcessing.from_dict(HUB["facebook/dinov2-small"]).apply(rgb)
    np.testing.assert_array_equal(bit.view, rgb[16:240, 80:304])
    assert bit.crop_box == (80, 16, 304, 240)


@pytest.mark.parametrize("name", sorted(SLOW))
def test_defaults_are_the_transformers_class_defaults(name):
    slow, ours = getattr(transformers, SLOW[name]), DEFAULTS[name]
    assert ours.size == Size.read(slow.size, slow.default_to_square)
    assert ours.resample == int(slow.resample)
    assert ours.default_to_square == slow.default_to_square
    assert ours.do_center_crop == bool(getattr(slow, "do_center_crop", None))
    crop = getattr(slow, "crop_size", None)
    assert ours.crop_size == (None if crop is None else Size.read(crop))
    np.testing.assert_allclose(ours.image_mean, slow.image_mean)
    np.testing.assert_allclose(ours.image_std, slow.image_std)
    assert ours.crop_pct == getattr(slow, "crop_pct", None)
    assert ours.do_convert_rgb == bool(getattr(slow, "do_convert_rgb", None))
    assert slow.rescale_factor == pytest.approx(1 / 255)


def test_old_and_new_files_read_the_same():
    old = ImageProcessing.from_dict(HUB["google/vit-base-patch16-224"])
    new = ImageProcessing.from_dict(
        {
            "image_processor_type": "ViTImageProcessor",
            "size": {"height": 224, "width": 224},
            "resample": 2,
            "do_rescale": True,
            "rescale_factor": 1 / 255,
            "do_normalize": True,
            "image_mean": [0.5] * 3,
            "image_std": [0.5] * 3,
        }
    )
    assert old == new and hash(old) == hash(new)
    assert ImageProcessing.from_dict({}).processor == "ViTImageProcessor"  # no type: ViT's default
    assert ImageProcessing.from_dict(
        {"image_processor_type": "ViTImageProcessorFast"}
    ) == ImageProcessing.from_dict({})
    deit = ImageProcessing.from_dict(HUB["facebook/deit-tiny-distilled-patch16-224"])
    assert deit.size == Size(256, 256) and deit.crop_size == Size(224, 224) and deit.do_center_crop
    bit = ImageProcessing.from_dict({"image_processor_type": "BitImageProcessor", "size": 256})
    assert bit.size == Size(shortest_edge=256) and bit.crop_size == Size(
        224, 224
    )  # absent: the class default
    assert dataclasses.replace(bit, do_center_crop=False).apply(PHOTOS["cat.jpg"]).size == (385, 256)


NULLABLE = ("do_resize", "size", "resample", "do_center_crop", "crop_size", "do_rescale", "rescale_factor")
NULLABLE += ("do_normalize", "image_mean", "image_std", "do_convert_rgb")


@pytest.mark.parametrize("name", ["DeiTImageProcessor", "BitImageProcessor"])
def test_null_keys_are_read_as_transformers_reads_them(name):
    """A null ``do_*`` switches its step off; a null value a step needs is refused, by both."""
    rgb = PHOTOS["coffee.jpg"]
    for key in NULLABLE:
        raw = {"image_processor_type": name, key: None}
        try:
            expected = _reference(raw)(Image.fromarray(rgb), return_tensors="np")["pixel_values"][0]
        except ValueError:
            with pytest.raises(ValueError, match=f"sets {key} to null"):
                ImageProcessing.from_dict(raw)
            continue
        np.testing.assert_allclose(ImageProcessing.from_dict(raw).apply(rgb).normalized, expected, atol=1e-5)


@pytest.mark.parametrize(
    "raw,message",
    [
        ({"image_processor_type": "CLIPImageProcessor"}, "not supported.*ViTImageProcessor"),
        ({"size": {"max_height": 10, "max_width": 10}}, "not supported"),
        ({"size": {"longest_edge": 10}}, "shortest_edge"),
        ({"size": "224"}, "size must be"),
        ({"size": 0}, "positive"),
        ({"do_center_crop": True, "crop_size": {"shortest_edge": 10}}, "crop_size with height and width"),
        ({"resample": 9}, "Pillow's codes"),
        ({"image_std": [0.5, 0.0, 0.5]}, "std positive"),
        (
            {"image_processor_type": "ConvNextImageProcessor", "size": {"height": 9, "width": 9}},
            "shortest_edge",
        ),
    ],
)
def test_unsupported_settings_are_refused(raw, message):
    with pytest.raises(ValueError, match=message):
        ImageProcessing.from_dict(raw)


def test_a_model_folder_without_the_file(tmp_path):
    assert ImageProcessing.from_folder(tmp_path) is None


def test_the_centred_square_differs_from_the_processors_on_non_square_photos():
    """Why this module exists: today's centred square is not what DeiT or a stretched ViT resize gives."""
    rgb = PHOTOS["coffee.jpg"]
    for raw in (HUB["facebook/deit-small-patch16-224"], HUB["google/vit-base-patch16-224"]):
        ours = ImageProcessing.from_dict(raw)
        view, _ = model_view(rgb, 224)
        square = (view.transpose(2, 0, 1) / 255 - np.array(ours.image_mean)[:, None, None]) / np.array(
            ours.image_std
        )[:, None, None]
        assert np.abs(square - ours.apply(rgb).normalized).max() > 0.5


def test_a_file_naming_no_processor_gets_the_one_of_its_model_type(tmp_path):
    """As AutoImageProcessor: dinov2 -> BiT (an int size is the shorter edge), deit -> DeiT, vit/swin -> ViT."""
    raw = {"size": 40, "crop_size": 32, "do_center_crop": True, **IMAGENET}
    rgb = PHOTOS["coffee.jpg"]
    for model_type, slow in (("dinov2", "BitImageProcessorPil"), ("deit", "DeiTImageProcessorPil")):
        (tmp_path / "config.json").write_text(f'{{"model_type": "{model_type}"}}')
        (tmp_path / "preprocessor_config.json").write_text(json.dumps(raw))
        ours = ImageProcessing.from_folder(tmp_path)
        expected = getattr(transformers, slow)(**raw)(Image.fromarray(rgb), return_tensors="np")[
            "pixel_values"
        ][0]
        np.testing.assert_allclose(ours.apply(rgb).normalized, expected, atol=1e-5)
    assert ImageProcessing.from_dict({"size": 40}, model_type="dinov2").size == Size(shortest_edge=40)
    assert ImageProcessing.from_dict({"size": 40}, model_type="swin").size == Size(40, 40)
    assert default_normalization({}) is None  # the family's defaults then, as before
    assert (
        default_normalization({"image_processor_type": "BitImageProcessor"})[0]
        == DEFAULTS["BitImageProcessor"].image_mean
    )

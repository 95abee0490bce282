"""The vision traces read an image as the checkpoint folder's processor does (transformers' slow processors),
and the bundled models as before (the centred square)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

import viz
from tests.models.helpers import random_reference
from viz.core.registry import ASSETS
from viz.data.images import model_view, read_image, square_crop_box
from viz.data.preprocess import ImageProcessing
from viz.layers.patch_embed import patchify
from viz.models.vit.registry import load_vision_model
from viz.trace.image import folder_processing, model_image

transformers = pytest.importorskip("transformers")

SAMPLES = ASSETS / "samples"
IMAGENET = dict(image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225])
#: DeiT's hub file (resize 256, crop 224, bicubic) scaled to a 32 px model.
DEIT_STYLE = {
    "feature_extractor_type": "DeiTFeatureExtractor",
    "do_resize": True,
    "size": 36,
    "resample": 3,
    "do_center_crop": True,
    "crop_size": 32,
    "do_normalize": True,
    **IMAGENET,
}
#: DINOv2's (BiT: shorter edge 256, crop 224) scaled to a 32 px model.
BIT_STYLE = {
    "image_processor_type": "BitImageProcessor",
    "size": {"shortest_edge": 37},
    "crop_size": {"height": 32, "width": 32},
    "do_center_crop": True,
    "resample": 3,
    **IMAGENET,
}
SLOW = {"DeiTImageProcessor": "DeiTImageProcessorPil", "BitImageProcessor": "BitImageProcessorPil"}


def _photos() -> dict[str, np.ndarray]:
    photos = {p.name: read_image(p).rgb for p in sorted(SAMPLES.glob("*.jpg"))}
    photos["tall crop"] = np.ascontiguousarray(photos["cat.jpg"][:, 100:230])
    return photos


def _hf_pixels(raw: dict, rgb: np.ndarray) -> torch.Tensor:
    slow = getattr(transformers, SLOW[ImageProcessing.from_dict(raw).processor])
    return torch.from_numpy(slow(**raw)(rgb, return_tensors="np")["pixel_values"])


def _vit_folder(folder: Path, preprocessor: dict | None):
    config = transformers.ViTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        num_labels=5,
    )
    reference = random_reference(transformers.ViTForImageClassification, config, seed=3, keep="layernorm")
    reference.save_pretrained(folder)
    if preprocessor is not None:
        (folder / "preprocessor_config.json").write_text(json.dumps(preprocessor))
    return reference


@pytest.mark.parametrize("preprocessor", [DEIT_STYLE, BIT_STYLE], ids=["DeiT-style", "BiT-style"])
def test_trace_image_equals_transformers_on_the_processors_pixels(tmp_path, preprocessor):
    reference = _vit_folder(tmp_path, preprocessor)
    processing = ImageProcessing.from_dict(preprocessor)
    for name, rgb in _photos().items():
        pixel_values = _hf_pixels(preprocessor, rgb)
        with torch.no_grad():
            expected = reference(pixel_values=pixel_values).logits[0].numpy()
        trace = viz.trace_image(rgb, model=str(tmp_path))
        np.testing.assert_allclose(trace.logits, expected, atol=1e-4, rtol=1e-4, err_msg=name)
        # the normalised pixels the model read, patch by patch, are the processor's
        np.testing.assert_allclose(trace.patches, patchify(pixel_values, 8)[0].numpy(), atol=1e-5, rtol=0)
        prepared = processing.apply(rgb)
        np.testing.assert_array_equal(trace.image, prepared.view)
        assert trace.crop_box == prepared.crop_box
        assert any(note.startswith(f"prepared as its {processing.processor}") for note in trace.notes)


def test_trace_swin_equals_transformers_with_the_swin_hub_processor(tmp_path):
    """Swin's hub file (ViTImageProcessor, 224 bicubic, ImageNet mean/std) at 32 px: a non-square photo is
    stretched to the square, not cropped."""
    config = transformers.SwinConfig(
        image_size=32,
        patch_size=2,
        embed_dim=16,
        depths=[2, 2],
        num_heads=[2, 4],
        window_size=4,
        num_labels=4,
    )
    reference = random_reference(transformers.SwinForImageClassification, config, seed=5, keep="norm")
    reference.save_pretrained(tmp_path)
    preprocessor = {"feature_extractor_type": "ViTFeatureExtractor", "size": 32, "resample": 3, **IMAGENET}
    (tmp_path / "preprocessor_config.json").write_text(json.dumps(preprocessor))
    rgb = read_image(SAMPLES / "coffee.jpg").rgb
    pixel_values = torch.from_numpy(
        transformers.ViTImageProcessorPil(**preprocessor)(rgb, return_tensors="np")["pixel_values"]
    )
    with torch.no_grad():
        expected = reference(pixel_values=pixel_values).logits[0].numpy()
    trace = viz.trace_swin(rgb, model=str(tmp_path))
    np.testing.assert_allclose(trace.logits, expected, atol=1e-4, rtol=1e-4)
    assert trace.crop_box == (0, 0, 384, 256)  # the whole photo, stretched


def test_bundled_models_and_folders_without_the_file_keep_the_centred_square(tmp_path):
    assert folder_processing("shapes-vit") is None and folder_processing("shapes-swin") is None
    assert folder_processing(ASSETS / "shapes-vit") is None  # their preprocessor_config.json is not used
    _vit_folder(tmp_path, None)
    assert folder_processing(tmp_path) is None
    rgb = read_image(SAMPLES / "cat.jpg").rgb  # 384 x 255
    for model in ("shapes-vit", str(tmp_path)):
        vit = load_vision_model(model)
        size = vit.config.image_size
        trace = viz.trace_image(rgb, model=model, gradients=False)
        view, box = model_view(rgb, size)
        np.testing.assert_array_equal(trace.image, view)
        assert trace.crop_box == box == square_crop_box(384, 255)
        pixels = torch.tensor(view).permute(2, 0, 1)[None].float().div(255.0)
        with torch.no_grad():
            expected = vit(vit.normalize(pixels.to(next(vit.parameters()).device))).logits[0].cpu().numpy()
        np.testing.assert_array_equal(trace.logits, expected)  # exactly as before


def test_a_processor_for_another_size_is_refused(tmp_path):
    _vit_folder(tmp_path, {**DEIT_STYLE, "size": 256, "crop_size": 224})
    with pytest.raises(ValueError, match="gives 224 x 224 pixels; the model reads 32 x 32"):
        viz.trace_image(read_image(SAMPLES / "cat.jpg").rgb, model=str(tmp_path))
    (tmp_path / "preprocessor_config.json").write_text(
        json.dumps({"image_processor_type": "SiglipImageProcessor"})
    )
    with pytest.raises(ValueError, match="'SiglipImageProcessor' is not supported"):
        viz.trace_image(read_image(SAMPLES / "cat.jpg").rgb, model=str(tmp_path))


def test_model_image_takes_a_processing_directly():
    rgb = read_image(SAMPLES / "rocket.jpg").rgb
    processing = ImageProcessing.from_dict(DEIT_STYLE)
    picture = model_image(rgb, 32, torch.device("cpu"), processing)
    assert picture.processing == processing and picture.pixels.shape == (1, 3, 32, 32)
    np.testing.assert_allclose(picture.pixels[0].numpy(), processing.apply(rgb).pixels, atol=0)


def _family_folder(folder: Path, family: str):
    """A random DeiT distilled or DINOv2 classifier at 32 px input with its hub processor, scaled down."""
    small = dict(patch_size=8, hidden_size=32, num_hidden_layers=2, num_attention_heads=4)
    if family == "deit":
        config = transformers.DeiTConfig(image_size=32, intermediate_size=64, num_labels=4, **small)
        model_class, preprocessor, keep = (
            transformers.DeiTForImageClassificationWithTeacher,
            DEIT_STYLE,
            "layernorm",
        )
    else:  # DINOv2: positions learned for 56 px (7 x 7), read at the processor's 32 px crop (4 x 4)
        config = transformers.Dinov2Config(image_size=56, mlp_ratio=2, num_labels=3, **small)
        model_class, preprocessor, keep = transformers.Dinov2ForImageClassification, BIT_STYLE, "norm"
    reference = random_reference(model_class, config, seed=7, keep=keep)
    reference.save_pretrained(folder)
    (folder / "preprocessor_config.json").write_text(json.dumps(preprocessor))
    return reference, preprocessor


@pytest.mark.parametrize("family", ["deit", "dinov2"])
def test_deit_and_dinov2_folders_read_photos_as_their_processors_do(tmp_path, family):
    reference, preprocessor = _family_folder(tmp_path, family)
    rgb = read_image(SAMPLES / "rocket.jpg").rgb  # 384 x 256
    with torch.no_grad():
        expected = reference(pixel_values=_hf_pixels(preprocessor, rgb)).logits[0].numpy()
    trace = viz.trace_image(rgb, model=str(tmp_path))
    np.testing.assert_allclose(trace.logits, expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize(
    "preprocessor",
    [
        {"feature_extractor_type": "ViTFeatureExtractor", "size": 32},  # ViT's 0.5, not Swin's ImageNet
        {"image_processor_type": "BitImageProcessor", "size": 36, "crop_size": 32, "do_normalize": None},
    ],
    ids=["ViT defaults", "BiT defaults"],
)
def test_a_processor_file_without_mean_and_std_normalises_with_its_class_defaults(tmp_path, preprocessor):
    config = transformers.SwinConfig(
        image_size=32,
        patch_size=2,
        embed_dim=16,
        depths=[2, 2],
        num_heads=[2, 4],
        window_size=4,
        num_labels=4,
    )
    reference = random_reference(transformers.SwinForImageClassification, config, seed=6, keep="norm")
    reference.save_pretrained(tmp_path)
    (tmp_path / "preprocessor_config.json").write_text(json.dumps(preprocessor))
    rgb = read_image(SAMPLES / "cat.jpg").rgb
    slow = "ViTImageProcessorPil" if "feature_extractor_type" in preprocessor else "BitImageProcessorPil"
    pixel_values = getattr(transformers, slow)(**preprocessor)(rgb, return_tensors="np")["pixel_values"]
    with torch.no_grad():
        expected = reference(pixel_values=torch.from_numpy(pixel_values)).logits[0].numpy()
    np.testing.assert_allclose(
        viz.trace_swin(rgb, model=str(tmp_path)).logits, expected, atol=1e-4, rtol=1e-4
    )

"""The fields Hugging Face image models share in ``config.json`` and ``preprocessor_config.json``.

Used by :meth:`viz.models.vit.config.ViTConfig.from_hf` / ``to_hf`` and the Swin config's equivalents. No torch
here: the configs are read and written without building a model.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from viz.core.config import check_activation
from viz.data.preprocess import default_normalization


def check_image_fields(config) -> None:
    """Check the fields every image classifier config has: activation, labels and pixel normalisation.

    Raises:
        ValueError: for an unknown activation, labels that do not match ``n_classes``, or an
            ``image_mean``/``image_std`` without one value per channel or with a non-positive std.
    """
    check_activation(config.activation)
    if config.labels and len(config.labels) != config.n_classes:
        raise ValueError(f"{len(config.labels)} labels for {config.n_classes} classes")
    if len(config.image_mean) != config.n_channels or len(config.image_std) != config.n_channels:
        raise ValueError("image_mean and image_std need one value per channel")
    if any(s <= 0 for s in config.image_std):
        raise ValueError(f"image_std must be positive, got {config.image_std}")


def read_config_json(
    path: str | Path, model_types: Sequence[str], default_type: str, accepted: str
) -> tuple[Path, dict]:
    """``(folder, config.json contents)`` for a checkpoint folder or its ``config.json``.

    Args:
        model_types: the ``model_type`` values accepted; a config without one counts as ``default_type``.
        accepted: how the error message names the accepted folders ("Swin folders (model_type 'swin')").

    Raises:
        ValueError: for a model type not in ``model_types``.
    """
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    raw = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    model_type = raw.get("model_type", default_type)
    if model_type not in model_types:
        raise ValueError(f"this folder holds a {model_type!r} model; only {accepted} can be opened here")
    return folder, raw


def image_fields(raw: dict, default_patch: int) -> dict:
    """The image, patch, channel, label, q/k/v bias and activation fields of an image model's config.

    Raises:
        ValueError: for non-square images or patches.
    """
    image_size, patch_size = raw.get("image_size", 224), raw.get("patch_size", default_patch)
    if not isinstance(image_size, int) or not isinstance(patch_size, int):
        raise ValueError(  # noqa: TRY004 - a config the model cannot use, as every other refusal here
            "only square images and patches (integer image_size and patch_size) are supported"
        )
    id2label = raw.get("id2label") or {}
    labels = tuple(str(id2label.get(str(i), id2label.get(i, f"class {i}"))) for i in range(len(id2label)))
    return {
        "image_size": image_size,
        "patch_size": patch_size,
        "n_channels": raw.get("num_channels", 3),
        "n_classes": len(labels),
        "labels": labels,
        "qkv_bias": bool(raw.get("qkv_bias", True)),
        "activation": raw.get("hidden_act", "gelu"),
        "logit_temperature": _temperature(raw.get(CALIBRATION_KEY, 1.0)),
    }


#: The ``config.json`` key of a calibrated classifier's temperature (ours; transformers keeps it unread).
CALIBRATION_KEY = "viz_logit_temperature"


def _temperature(value) -> float:
    """A calibration temperature from a config: a positive number, else 1 (uncalibrated)."""
    try:
        t = float(value)
    except (TypeError, ValueError):
        return 1.0
    return t if 0.05 <= t <= 20.0 else 1.0


def finish_fields(folder: Path, fields: dict, overrides: dict) -> dict:
    """``fields`` with the normalisation of ``preprocessor_config.json`` (when present) and ``overrides``.

    ``fields`` carries the defaults ``image_mean``/``image_std`` and ``n_channels``; labels that disagree
    with the final ``n_classes`` are dropped (the classes are then numbered).
    """
    fields = dict(fields)
    preprocessor = folder / "preprocessor_config.json"
    if preprocessor.is_file():
        pre = json.loads(preprocessor.read_text(encoding="utf-8"))
        if pre.get("do_normalize", True):
            if fields["n_channels"] == 3:  # what the file leaves out, its processor class's defaults decide
                fields["image_mean"], fields["image_std"] = default_normalization(pre) or (
                    fields["image_mean"],
                    fields["image_std"],
                )
            mean, std = pre.get("image_mean", fields["image_mean"]), pre.get("image_std", fields["image_std"])
        else:
            channels = fields["n_channels"]
            mean, std = (0.0,) * channels, (1.0,) * channels
        fields.update(image_mean=tuple(float(m) for m in mean), image_std=tuple(float(s) for s in std))
    fields.update(overrides)
    if len(fields["labels"]) != fields["n_classes"]:  # id2label disagrees with the head: number the classes
        fields["labels"] = ()
    return fields


def image_config_json(config, family: str, model_type: str) -> dict:
    """The first keys of an image model's ``config.json``: architecture, model type, image and patch sizes."""
    return {
        "architectures": [f"{family}ForImageClassification" if config.n_classes else f"{family}Model"],
        "model_type": model_type,
        "image_size": config.image_size,
        "patch_size": config.patch_size,
        "num_channels": config.n_channels,
        **({CALIBRATION_KEY: t} if (t := getattr(config, "logit_temperature", 1.0)) != 1.0 else {}),
    }


def label_maps(class_names: Sequence[str]) -> dict:
    """``id2label`` and ``label2id`` for ``config.json``; nothing for a model without a head."""
    if not class_names:
        return {}
    return {
        "id2label": {str(i): name for i, name in enumerate(class_names)},
        "label2id": {name: i for i, name in enumerate(class_names)},
    }


def preprocessor_json(
    image_size: int, image_mean: Sequence[float], image_std: Sequence[float], resample: int
) -> dict:
    """``preprocessor_config.json`` for a ``ViTImageProcessor``: resize, rescale to [0, 1], normalise."""
    return {
        "image_processor_type": "ViTImageProcessor",
        "do_resize": True,
        "size": {"height": image_size, "width": image_size},
        "resample": resample,
        "do_rescale": True,
        "rescale_factor": 1 / 255,
        "do_normalize": True,
        "image_mean": list(image_mean),
        "image_std": list(image_std),
    }

"""The evaluation report on the bundled models: consistent numbers, and the bar of issue 19."""

from __future__ import annotations

import json

import numpy as np
import pytest

from viz.core.registry import ASSETS
from viz.data.shapes import LABELS
from viz.evaluation.renderer import BACKGROUND_KINDS, BAND_NAMES, NONE, STYLES, evaluation_set, fixed_drawings
from viz.evaluation.report import evaluate_samples, evaluation_report, format_report
from viz.training.vision.evaluate import load_model

BUNDLED = ("shapes-vit", "shapes-swin")


def _n_labels(name: str) -> int:
    return len(json.loads((ASSETS / name / "config.json").read_text(encoding="utf-8"))["id2label"])


@pytest.fixture(scope="module")
def vit_report():
    return evaluation_report("shapes-vit", n=36, seed=515)


def test_the_numbers_add_up(vit_report):
    r = vit_report
    assert r["n"] == 36 and r["n_shapes"] + r["n_none"] == 36 and r["n_none"] == 4
    assert r["n_labels"] == _n_labels("shapes-vit") and r["labels"] == list(LABELS[: r["n_labels"]])
    assert sum(r["answers"].values()) == r["n"]
    for group in ("by_band", "by_style", "by_background"):
        assert sum(v["n"] for v in r[group].values()) == r["n_shapes"], group
    assert set(r["by_band"]) == set(BAND_NAMES) and set(r["by_style"]) == set(STYLES)
    assert set(r["by_background"]) <= set(BACKGROUND_KINDS)
    assert sum(v["n"] for v in r["none_by_kind"].values()) == r["n_none"]
    shares = [r["accuracy"], r["shape_accuracy"], r["none_answered_none"], r["shapes_answered_none"]]
    shares += [
        v["accuracy"] for g in ("by_band", "by_style", "by_background", "by_class") for v in r[g].values()
    ]
    assert all(0.0 <= x <= 1.0 for x in shares)
    # The overall accuracy is the classes' accuracies weighted by their counts; the shapes' by band likewise.
    by_class = sum(v["n"] * v["accuracy"] for v in r["by_class"].values()) / r["n"]
    assert r["accuracy"] == pytest.approx(by_class)
    by_band = sum(v["n"] * v["accuracy"] for v in r["by_band"].values()) / r["n_shapes"]
    assert r["shape_accuracy"] == pytest.approx(by_band)
    if r["n_labels"] == NONE:  # an eight-label model cannot answer "none of these"
        assert r["none_answered_none"] == 0.0 and r["answers"][LABELS[NONE]] == 0
        assert r["accuracy"] == pytest.approx(r["shape_accuracy"] * r["n_shapes"] / r["n"])


def test_the_vit_plays_the_pointing_game(vit_report):
    p = vit_report["pointing"]
    assert 0.0 <= p["uniform"] < p["mean"] <= 1.0, "the rollout should beat a uniform map"
    assert sum(v["n"] for v in p["by_band"].values()) == vit_report["n_shapes"]
    for v in p["by_band"].values():
        assert 0.0 < v["uniform"] < 1.0 and 0.0 <= v["mean"] <= 1.0


def test_the_fixed_drawings_are_answered(vit_report):
    fixed = vit_report["fixed"]
    assert [f["name"] for f in fixed] == [name for name, _ in fixed_drawings()]
    assert all(f["answer"] in LABELS and 0 < f["confidence"] <= 1 for f in fixed)
    text = format_report(vit_report)
    assert "pointing game" in text and "the cat photograph" in text and "by size band" in text


def test_the_swin_report_has_no_pointing_and_adds_up():
    samples = evaluation_set(18, seed=516)
    r = evaluate_samples(load_model("shapes-swin"), samples)
    assert "pointing" not in r and r["n"] == 18 and sum(r["answers"].values()) == 18
    labels = np.array([s.label for s in samples])
    assert r["by_class"][LABELS[NONE]]["n"] == int((labels == NONE).sum()) == 2


@pytest.fixture(scope="module")
def fresh_sample():
    return evaluation_set(180, seed=90_519)  # a seed used nowhere else


#: What each bundled model reaches on the full 900-image report (assets/README.md): ViT 92.6%, Swin 95.9%
#: overall (issue 19 asks for 90%); 96% and 99% of shape-free images "none of these" (it asks for 85%). The bars
#: below sit about two standard errors of a 180-image sample under those, so a retraining that loses ground
#: fails.
BARS = {"shapes-vit": (0.88, 0.85), "shapes-swin": (0.91, 0.90)}


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_models_meet_the_bar(name, fresh_sample):
    """Freshly drawn images from the second renderer, a sample no script draws: overall accuracy and the
    share of shape-free images answered "none of these" at least the model's bar."""
    assert _n_labels(name) == len(LABELS)  # the ninth answer
    r = evaluate_samples(load_model(name), fresh_sample)
    assert r["n_labels"] == len(LABELS)
    summary = format_report({**r, "model": name, "seed": 90_519, "seconds_rendering": 0, "seconds_total": 0})
    accuracy, none = BARS[name]
    assert r["accuracy"] >= accuracy, summary
    assert r["none_answered_none"] >= none, summary

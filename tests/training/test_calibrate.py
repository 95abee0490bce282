"""Temperature scaling: the fit recovers the temperature that made the labels, and ECE is what its formula says."""

from __future__ import annotations

import json

import numpy as np

from viz.core.hf_config import CALIBRATION_KEY
from viz.training.vision.calibrate import expected_calibration_error, fit_temperature, nll, write_temperature


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


def test_the_fit_recovers_the_temperature_the_labels_were_drawn_with():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (4000, 9))
    true_t = 2.5
    probs = _softmax(logits / true_t)
    labels = np.array([rng.choice(9, p=p) for p in probs])
    fitted = fit_temperature(logits, labels)
    assert abs(fitted - true_t) / true_t < 0.08
    assert nll(logits, labels, fitted) < nll(logits, labels, 1.0)
    assert expected_calibration_error(_softmax(logits / fitted), labels) < 0.03
    assert expected_calibration_error(_softmax(logits), labels) > 0.1  # over-confident before


def test_ece_by_hand():
    probs = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])
    labels = np.array([0, 1, 0, 0])
    # bin (0.867, 0.933]: confidence 0.9, accuracy 0.5; bin (0.533, 0.6]: confidence 0.6, accuracy 1.0
    assert np.isclose(expected_calibration_error(probs, labels), 0.5 * 0.4 + 0.5 * 0.4)


def test_the_temperature_is_written_into_config_json(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "vit"}))
    write_temperature(tmp_path, 1.23456)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config == {"model_type": "vit", CALIBRATION_KEY: 1.2346}

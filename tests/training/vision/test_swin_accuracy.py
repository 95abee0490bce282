"""The bundled shapes Swin reaches the issue's accuracy on a small, fresh held-out sample."""

from __future__ import annotations

from viz.data.shapes import make_shapes
from viz.models.swin.registry import load_swin_model
from viz.training.vision.evaluate import evaluate

#: A seed that no training, validation or evaluation script draws from, so the sample is fresh.
FRESH_SEED = 20240613
N_IMAGES = 400


def test_bundled_swin_held_out_accuracy():
    model = load_swin_model("shapes-swin", device="cpu")
    images, masks, labels = make_shapes(N_IMAGES, seed=FRESH_SEED, size=model.config.image_size)
    result = evaluate(model, images, masks, labels)
    assert result.n_images == N_IMAGES
    # The evaluation script measures >= 95% on 2000 images; 400 fresh ones keep the test quick, with a margin
    # of two standard errors below the target for the sampling noise of a model at ~98%.
    assert result.accuracy >= 0.95 - 0.015, f"{result.accuracy:.3f}"
    assert result.masked_mass == 0.0  # nothing crosses a shifted-window region border

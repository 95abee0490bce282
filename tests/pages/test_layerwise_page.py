"""Layer-wise page: SI per layer of the bundled sentences, CSV uploads good and bad, forward learning."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.pages.helpers import array, assert_no_exception, open_page, plotly_figures
from viz import separation_index
from viz.layerwise.representations import sentence_representations

PAGE = "app_pages/layerwise.py"


@pytest.fixture
def at():
    """The page, freshly opened for each test: no test sees what another one set."""
    return open_page(PAGE, timeout=300)


def test_bundled_sentences_si_per_layer(at):
    assert_no_exception(at)
    data = pd.read_csv("assets/text/topics.csv")
    assert data["label"].nunique() >= 4 and data["label"].value_counts().min() >= 50
    table = next(d.value for d in at.dataframe if "SI" in getattr(d.value, "columns", []))
    assert len(table) == 7 and table["layer"].tolist()[0] == "embeddings"
    reps = sentence_representations(data["text"].tolist())
    expected = [separation_index(x, data["label"].to_numpy(), device="cpu") for x in reps]
    np.testing.assert_allclose(table["SI"], expected, atol=1e-9)
    assert table["SI"].iloc[-1] > 0.8  # MiniLM's last layer separates the topics well
    curves = next(f for t, f in plotly_figures(at).items() if t.startswith("Separation through"))
    np.testing.assert_allclose(array(curves["data"][0]["y"]), expected, atol=1e-9)
    # the page opens on a threshold that marks a jump: the largest rise between two layers
    largest = int(np.argmax(np.diff(expected))) + 1
    marked = " ".join(m.value for m in at.markdown)
    assert "SI jumps at:" in marked and f"→ {table['layer'].iloc[largest]}" in marked


def test_pca_slider(at):
    at.select_slider(key="lw_text_layer").set_value("embeddings").run()
    assert_no_exception(at)
    assert any("embeddings: the first two principal components" in t for t in plotly_figures(at))


def upload(at, content: bytes, name="data.csv"):
    at.segmented_control(key="lw_view").set_value("Your CSV").run()
    at.file_uploader(key="lw_csv").upload(name, content, "text/csv").run()
    assert_no_exception(at)


def test_good_csv(at):
    rows = (
        ["text,label"]
        + [f"I love playing football match {i},sport" for i in range(6)]
        + [f"Bake the bread with flour number {i},food" for i in range(6)]
    )
    upload(at, "\n".join(rows).encode())
    table = next(d.value for d in at.dataframe if "SI" in getattr(d.value, "columns", []))
    assert table["SI"].iloc[-1] == 1.0
    assert not at.error


@pytest.mark.parametrize(
    "content,message",
    [
        (b"text,label\nonly,one\nclass,one\n", "two different labels"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
        (b"GIF89a\x00\x01", "NUL"),
        (b"\xff\xfe\xfa", "UTF-8"),
        (b"", "empty"),
    ],
)
def test_bad_csv_gets_a_clear_message(content, message):
    at = open_page(PAGE, timeout=300)
    upload(at, content)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("plotly_chart")


def test_forward_learning_runs(at):
    at.segmented_control(key="lw_view").set_value("Layer-wise learning").run()
    at.slider(key="fl_layers").set_value(2).run()
    at.button(key="fl_train").click().run()
    assert_no_exception(at)
    metrics = [m.value for m in at.metric]
    assert len(metrics) == 2 and all(float(v.rstrip("%")) > 85 for v in metrics)
    assert any(t.startswith("SI of the test set after each layer") for t in plotly_figures(at))


def test_dates_section(at):
    at.segmented_control(key="lw_view").set_value("Dates (encoder-decoder)").run()
    assert_no_exception(at)
    table = next(d.value for d in at.dataframe if "SI" in getattr(d.value, "columns", []))
    assert len(table) == 3 and table["SI"].iloc[-1] > table["SI"].iloc[0]


def test_shapes_vit_section(at):
    from viz.layerwise.representations import shape_representations

    at.segmented_control(key="lw_view").set_value("Shapes (ViT)").run()
    assert_no_exception(at)
    cls, mean, labels = shape_representations()
    for token, reps in (("cls", cls), ("mean", mean)):
        at.radio(key="lw_vit_token").set_value(token).run()
        assert_no_exception(at)
        table = next(d.value for d in at.dataframe if "SI" in getattr(d.value, "columns", []))
        assert len(table) == reps.shape[0] and table["layer"].tolist()[0] == "embeddings"
        expected = [separation_index(x, labels, device="cpu") for x in reps]
        np.testing.assert_allclose(table["SI"], expected, atol=1e-9)
        assert table["SI"].iloc[-1] > table["SI"].iloc[0] + 0.3  # the classes separate through the blocks

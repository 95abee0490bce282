"""Shared fixtures. Tests never reach a network: models come from installed packages or are made here."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# every chart a test draws is checked against plotly's validation (viz.figures.style.check_figure)
os.environ.setdefault("VIZ_CHECK_FIGURES", "1")

import pytest  # noqa: E402

#: Sentences that stress the tokenizer and the model: plain, unicode, emoji, RTL, HTML, markdown, control chars.
SENTENCES = [
    "The animal didn't cross the street because it was too tired.",
    "Thinking Machines",
    "a",
    "Je suis étudiant — naïve café, ça va?",
    "Emoji: 😀🚀👩‍👩‍👧 and ☃ snowman",
    "שלום עולם مرحبا بالعالم (right to left)",
    "Combining: e\u0301 a\u0308 n\u0303 and zero width\u200bjoiner",
    "<script>alert('x')</script> <b>bold</b> &amp; <img src=x onerror=alert(1)>",
    "**markdown** _italic_ [link](http://example.com) `code` # heading",
    "Control\x00chars\x07and\ttabs\nnewlines\r\n",
    "日本語のテキストと中文字符",
    "1234567890 !@#$%^&*() ~~~ ???",
]


@pytest.fixture(scope="session")
def minilm_folder():
    from viz.models.bert.registry import minilm_folder

    return minilm_folder()


@pytest.fixture(autouse=True)
def _operator_settings():
    """Each test starts from the default operator settings of the model library, whatever a test set."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("VIZ_") or k.startswith("HF_")}
    yield
    for key in [k for k in os.environ if k.startswith("VIZ_") or k.startswith("HF_")]:
        if key not in saved:
            del os.environ[key]
    os.environ.update(saved)

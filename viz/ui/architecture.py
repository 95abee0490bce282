"""The landing page's overview blocks: the three uses and the vanilla architecture (the map drawn by
:mod:`viz.figures.architecture_map`, every box a link), linked to pages."""

from __future__ import annotations

import streamlit as st

from viz.figures.architecture_map import Sizes, architecture_html, paper_base, sizes_table
from viz.models.seq2seq.config import TRANSFORMER_BASE  # torch-free: the base model's sizes by formula
from viz.ui.controls import bound_radio

#: The paper's base model beside the live one.
PAPER_BASE = paper_base(TRANSFORMER_BASE.n_params)
ATTENTION_PAGE = "app_pages/attention.py"
WALKTHROUGH_PAGE = "app_pages/walkthrough.py"
MULTIHEAD_PAGE = "app_pages/multihead.py"
POSITIONAL_PAGE = "app_pages/positional.py"
SEQ2SEQ_PAGE = "app_pages/seq2seq.py"
BLOCK_PAGE = "app_pages/block.py"
DECODER_PAGE = "app_pages/decoder.py"
#: The map's variants as the chooser (and the address) names them.
MAP_VARIANTS = {
    "Encoder-decoder (the paper)": "encoder-decoder",
    "Encoder-only (BERT, MiniLM)": "encoder",
    "Decoder-only (GPT-2)": "decoder",
}

THREE_USES = [
    (
        "Encoder-decoder",
        "The original Transformer (Vaswani et al. 2017), T5, BART",
        "Reads a whole input, then writes an output token by token while looking back at the input through "
        "cross-attention: translation, summarisation, format conversion.",
    ),
    (
        "Encoder-only",
        "BERT, all-MiniLM-L6-v2 (used in this app)",
        "Every token sees every other token in both directions: sentence embeddings, classification, search, "
        "tagging.",
    ),
    (
        "Decoder-only",
        "GPT-2, GPT-3 and later chat models",
        "Each token sees only the tokens before it (masked self-attention) and predicts the next one: text "
        "generation.",
    ),
]

# (part, what it does, page that explains it or None)
PARTS = [
    ("Input embedding", "Each token becomes a vector of d_model = 512 numbers.", POSITIONAL_PAGE),
    (
        "Positional encoding",
        "Sines and cosines of different frequencies added to the embeddings, so word order is visible.",
        POSITIONAL_PAGE,
    ),
    (
        "Self-attention",
        "Each token's query is scored against every key; softmax(QK^T / √d_k) weighs the values.",
        WALKTHROUGH_PAGE,
    ),
    (
        "Multi-head self-attention",
        "h = 8 heads, each of d_k = d_v = 64, attend over the whole sequence; "
        "their outputs are concatenated and projected by W^O.",
        MULTIHEAD_PAGE,
    ),
    (
        "Add & Norm",
        "A residual connection around each sub-layer, followed by layer normalisation.",
        BLOCK_PAGE,
    ),
    (
        "Feed-forward network",
        "FFN(x) = max(0, xW1 + b1)W2 + b2 with inner size d_ff = 2048, applied to each position alike.",
        BLOCK_PAGE,
    ),
    ("Masked self-attention (decoder)", "Decoder tokens may not look at later positions.", SEQ2SEQ_PAGE),
    ("Cross-attention (decoder)", "Decoder queries attend to the encoder's keys and values.", SEQ2SEQ_PAGE),
    (
        "Linear + softmax",
        "The decoder output is projected to the vocabulary and turned into next-token probabilities.",
        SEQ2SEQ_PAGE,
    ),
    (
        "Decoder-only language model",
        "One stack of masked self-attention blocks reads a prompt and writes the next token, again and again "
        "(GPT-2): temperature, top-k and top-p shape the choice.",
        DECODER_PAGE,
    ),
]


def render_three_uses() -> None:
    for column, (name, examples, text) in zip(st.columns(3), THREE_USES):
        with column:
            st.subheader(name)
            st.caption(examples)
            st.write(text)


_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|<>~"})


def _markdown_text(text: str) -> str:
    """``text`` shown literally in a markdown table cell."""
    return text.translate(_MARKDOWN_SPECIAL)


def render_map(
    variant: str, current: set[str] | frozenset[str] = frozenset(), live: Sizes | None = None
) -> None:
    """The architecture map (each box a link to its live view) and, beside it, the sizes of the live model (if
    any) and of the paper's base model."""
    left, right = st.columns([7, 3])  # the map at its own size (its text 15 px) on a 1366 px screen
    left.html(architecture_html(variant, current=current))
    rows = sizes_table(PAPER_BASE, live)
    names = list(rows[0])
    lines = [
        "| " + " | ".join(_markdown_text(n if n != "size" else "") for n in names) + " |",
        "|" + "|".join([":--"] + ["--:"] * (len(names) - 1)) + "|",
    ]
    lines += ["| " + " | ".join(_markdown_text(row[n]) for n in names) + " |" for row in rows]
    right.markdown("\n".join(lines))
    right.caption("Click a box to open the page that computes it live.")


def render_architecture() -> None:
    label = bound_radio("Architecture", list(MAP_VARIANTS), key="map", horizontal=True)
    render_map(MAP_VARIANTS[label])
    numbers = st.columns(5)
    for column, (label, value, help_text) in zip(
        numbers,
        [
            ("Encoder layers N", "6", "identical blocks in the encoder, and 6 in the decoder"),
            ("Heads h", "8", "attention heads per multi-head attention"),
            ("d_model", "512", "width of every token vector"),
            ("d_ff", "2048", "inner width of the feed-forward network"),
            ("d_k = d_v", "64", "d_model / h: width of each head"),
        ],
    ):
        column.metric(label, value, help=help_text)
    with st.expander("The parts in words, each with its page"):
        for part, text, page in PARTS:
            left, right = st.columns([1, 3])
            left.markdown(f"**{part}**")
            with right:
                st.write(text)
                if page:
                    st.page_link(page, label=f"See it live: {part.lower()}", icon=":material/arrow_forward:")

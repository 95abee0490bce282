"""Text input shared by the text pages, with clear messages for empty or overlong input."""

from __future__ import annotations

import streamlit as st

from viz.models.bert.tokenizer import MAX_CHARS
from viz.trace.sentence import EmptyInputError, SentenceTrace
from viz.ui.cache import cached_trace

DEFAULT_SENTENCE = "The animal didn't cross the street because it was too tired."


def sentence_trace(key: str = "sentence", default: str = DEFAULT_SENTENCE) -> SentenceTrace | None:
    """A text box and the trace of what was typed; None (after a friendly prompt) when there is nothing."""
    text = st.text_area(
        "Type a sentence",
        value=default,
        key=key,
        height=80,
        bind="query-params",
        help="Any language, emoji or symbols. Long text is cut to the model's limit. "
        "The address bar keeps the sentence and the view: share it to open the same view.",
    )
    try:
        trace = cached_trace(text or "")
    except EmptyInputError:
        st.info("Type a sentence in the box above to see its attention.")
        return None
    if trace.n_chars_cut:
        st.warning(f"The text has {len(text):,} characters; only the first {MAX_CHARS:,} were read.")
    if trace.n_tokens_dropped:
        st.warning(
            f"The sentence has {trace.n_tokens_total:,} tokens but the model reads at most {trace.max_tokens}: "
            f"the last {trace.n_tokens_dropped:,} tokens were dropped (the final [SEP] is kept)."
        )
    return trace


def show_tokens(tokens: list[str]) -> None:
    """The tokens as literal text (never rendered as HTML or markdown)."""
    st.caption(
        f"{len(tokens)} tokens, as the model sees them (## marks a word piece joined to the one before):"
    )
    st.code("  ".join(tokens), language=None, wrap_lines=True)

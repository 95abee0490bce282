"""Text input shared by the text pages, with clear messages for empty or overlong input."""

from __future__ import annotations

import streamlit as st

from viz.models.bert.tokenizer import MAX_CHARS
from viz.trace.sentence import EmptyInputError, SentenceTrace
from viz.ui.cache import cached_trace
from viz.ui.controls import bound_text_area
from viz.ui.models import choose_model

UNKNOWN = "[UNK]"  # BERT's token for what its vocabulary cannot spell
DEFAULT_SENTENCE = "The animal didn't cross the street because it was too tired."
#: The box takes at most this many characters, and longer text from a link is cut to it before it reaches
#: the cache. The model reads at most 256 tokens, about 1,500 characters of English.
SENTENCE_MAX_CHARS = 5_000


def sentence_trace(key: str = "sentence", default: str = DEFAULT_SENTENCE) -> SentenceTrace | None:
    """The sidebar's text-model chooser, a text box and the trace of what was typed; None (after a friendly
    prompt) when there is nothing or the model is still loading."""
    model = choose_model("text")
    linked = st.query_params.get_all(key)  # a link's text, which bound_text_area cuts to the limit
    text = bound_text_area(
        "Type a sentence",
        default,
        key=key,
        max_chars=SENTENCE_MAX_CHARS,
        height=80,
        help=f"Up to {SENTENCE_MAX_CHARS:,} characters; the model reads at most 256 tokens. The bundled "
        "all-MiniLM-L6-v2 learned English: other languages fall apart into word pieces, and characters outside "
        "its vocabulary (most emoji) become [UNK]. The address bar keeps the sentence and the view: share it "
        "to open the same view.",
    )
    sent = max(len(linked[-1]) if linked else 0, len(st.session_state.get(key) or ""))  # before the cut
    if sent > SENTENCE_MAX_CHARS:
        st.warning(f"The text has {sent:,} characters; only the first {SENTENCE_MAX_CHARS:,} were read.")
    if model is None:
        return None
    try:
        trace = cached_trace(text, model)
    except EmptyInputError:
        st.info("Type a sentence in the box above to see its attention.")
        return None
    if trace.n_chars_cut:  # only if MAX_CHARS were ever below the box's limit
        st.warning(f"The text has {len(text):,} characters; only the first {MAX_CHARS:,} were read.")
    if trace.n_tokens_dropped:
        st.warning(
            f"The sentence has {trace.n_tokens_total:,} tokens but the model reads at most {trace.max_tokens}: "
            f"the last {trace.n_tokens_dropped:,} tokens were dropped (the final [SEP] is kept)."
        )
    unknown = trace.tokens.count(UNKNOWN)
    if unknown:
        st.info(
            f"{unknown} of the {len(trace.tokens)} tokens are {UNKNOWN}: the model's English vocabulary has no "
            "piece for them (emoji and many scripts), so it reads them all as one and the same token.",
            icon=":material/translate:",
        )
    return trace


def show_tokens(tokens: list[str]) -> None:
    """The tokens as literal text (never rendered as HTML or markdown), folded into one line that opens, so
    that a long input does not push the charts down."""
    with st.expander(f"The {len(tokens)} tokens, as the model sees them", icon=":material/segment:"):
        st.caption("## marks a word piece joined to the one before.")
        st.code("  ".join(tokens), language=None, wrap_lines=True)

"""Decoder-only, for real: a language model reads a prompt and writes English, next token by next token, with
every step visible (the bundled English GPT-2, or any GPT-2 the model library offers)."""

import streamlit as st

from viz.tasks.vocab import InputError
from viz.ui import lm_views as views
from viz.ui.controls import bound_radio, bound_segmented, bound_text_input
from viz.ui.models import choose_model, model_name

#: What the view chooser says (and the address holds) -> the view.
VIEWS = ["Next token", "Generate", "Inside the blocks", "Logit lens", "Heads found", "Embeddings"]

st.title("Decoder-only: a language model writes")
model = choose_model("decoder")
if model is not None:
    left, right = st.columns([1.3, 2])
    views.follow_default_prompt(model)
    prompt = bound_text_input(
        "Prompt",
        views.default_prompt(model),
        key="lm_prompt",
        max_chars=views.MAX_PROMPT_CHARS,
        where=left,
        help="Any text: the model reads its tokens and continues it.",
    )
    view = bound_radio("View", VIEWS, key="lm_view", where=right, horizontal=True)
    st.caption(
        f"{model_name('decoder', model)}: every token attends only to itself and the tokens before it (masked "
        "self-attention); the last position's output, through the final LayerNorm and the output layer, is "
        "the distribution of the next token."
    )
    try:
        if view == "Generate":
            strategy, n_new, seed = views.generation_controls()
            settings = views.sampling_controls(
                st.expander("Temperature, top-k, top-p", expanded=strategy == "sample")
            )
            trace = views.cached_lm(prompt, model, n_new, strategy, *settings, seed)
        else:
            # every other view reads the prompt's part of the default greedy continuation: one trace, which
            # the Generate view's defaults share
            trace = views.cached_lm(prompt, model, views.DEFAULT_STEPS, "greedy", 1.0, 0, 1.0, 0)
    except InputError as err:
        from viz.ui.seq2seq import show_input_error

        show_input_error(err)
        trace = None
    if trace is not None:
        if view == "Next token":
            views.next_token_view(trace, model)
        elif view == "Generate":
            views.generation_view(trace, model, settings)
        elif view == "Inside the blocks":
            part = bound_segmented("Part", views.PARTS, views.PARTS[0], key="lm_part")
            if part == "Masked attention":
                views.masked_attention_view(trace)
            elif part == "All heads":
                views.heads_view(trace)
            else:
                from viz.ui import block_views

                block = block_views.cached_block("decoder", model, prompt)
                if part == "MLP":
                    layer, token = block_views.layer_and_token(block, "lm_")
                    block_views.ffn_view(block, layer, token)
                else:
                    token = block_views.layer_and_token(block, "lm_", with_layer=False)[1]
                    block_views.residual_view(block, token)
        elif view == "Logit lens":
            views.lens_view(trace, model)
        elif view == "Heads found":
            views.heads_found_view(trace, model)
        else:
            views.embeddings_view(trace)

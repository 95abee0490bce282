"""The whole block, live: the position-wise feed-forward network, the residual stream, LayerNorm, post-LN
against pre-LN and the final linear + softmax, on MiniLM, the encoder-decoder's encoder and a GPT-2."""

import streamlit as st

from viz.tasks.vocab import InputError
from viz.ui import block_views as views
from viz.ui.controls import bound_radio, bound_text_input, token_choice
from viz.ui.inputs import DEFAULT_SENTENCE, sentence_trace
from viz.ui.models import choose_model, model_name

#: What the view chooser says (and the address holds: Streamlit names an option by its label) -> the view.
VIEWS = {
    "Feed-forward": "ffn",
    "Residuals": "residual",
    "LayerNorm": "norm",
    "Post-LN vs pre-LN": "prepost",
    "Output": "output",
}
CURRENT = {
    "ffn": {"ffn"},
    "residual": {"add_norm", "add", "stack"},
    "norm": {"add_norm", "norm"},
    "prepost": {"add_norm", "norm", "add"},
    "output": {"linear", "softmax"},
}

st.title("Feed-forward, residuals, LayerNorm")
left, right = st.columns([1, 2])
label = bound_radio(
    "Model",
    list(views.ARCHITECTURES),
    key="arch",
    where=left,
    horizontal=True,
    help=" · ".join(f"{k}: {v}" for k, v in views.ARCHITECTURES.items()),
)
architecture = views.ARCHITECTURES[label]
view = VIEWS[bound_radio("View", list(VIEWS), key="view", where=right, horizontal=True)]
views.show_strip(architecture, CURRENT[view])

trace, task, text, name = None, None, None, ""
try:
    if architecture == "encoder":
        sentence = sentence_trace(key="sentence")
        if sentence is not None:
            name = model_name("text", sentence.model)
            trace = views.cached_block("encoder", sentence.model, sentence.text)
    elif architecture == "encoder-decoder":
        from viz.ui.seq2seq import task_and_text

        task, text = task_and_text()
        name = f"bundled {task} model"
        trace = views.cached_block("encoder-decoder", task, text)
    else:
        model = choose_model("decoder")
        if model is not None:
            default = views.default_prompt(model)
            views.follow_default_prompt(model, "blk_prompt")
            prompt = bound_text_input("Prompt", default, key="blk_prompt", max_chars=500)
            name = model_name("decoder", model)
            trace = views.cached_block("decoder", model, prompt)
except InputError as err:
    from viz.ui.seq2seq import show_input_error

    show_input_error(err)

if trace is not None:
    if view == "output" and architecture == "decoder":  # opens on the last position: what comes next
        token = token_choice(trace.tokens, label="Token", key="dec_out_token", default=len(trace.tokens) - 1)
    if view in ("ffn", "norm", "residual"):
        prefix = views.PREFIXES[architecture]
        if view == "norm":
            layer, token, which = views.layer_and_token(trace, prefix, extra=views.norm_choice)
        else:  # the residual view draws every layer: it asks for the token only
            layer, token = views.layer_and_token(trace, prefix, with_layer=view != "residual")
    if view == "ffn":
        views.ffn_view(trace, layer, token)
    elif view == "residual":
        views.residual_view(trace, token)
    elif view == "norm":
        views.norm_view(trace, layer, token, which)
    elif view == "prepost":
        others = [
            ("all-MiniLM-L6-v2", "encoder", "minilm", DEFAULT_SENTENCE),
            ("encoder-decoder (date)", "encoder-decoder", "date", "30 Nov 2026"),
            ("English GPT-2 (bundled)", "decoder", "kjv", views.default_prompt("kjv")),
        ]
        shown = [(f"{name} (this input)", trace)] + [
            (label, views.cached_block(arch, key, sample))
            for label, arch, key, sample in others
            if arch != architecture
        ]
        views.post_pre_view(shown)
    elif architecture == "decoder":
        views.output_view_decoder(trace, token)
    elif architecture == "encoder-decoder":
        views.output_view_seq2seq(task, text)
    else:
        st.info(
            "An encoder has no linear + softmax over a vocabulary: MiniLM gives one vector per token (a "
            "sentence embedding is their mean). Choose the encoder-decoder or the decoder-only model above."
        )
    with st.expander("The whole architecture, with this model's sizes beside the paper's"):
        views.show_map(architecture, CURRENT[view], trace, name)

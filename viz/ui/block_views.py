"""The views of the whole block (feed-forward, residuals, LayerNorm, post-LN against pre-LN, the final linear +
softmax) and the architecture map, written once for every page that shows a block: the encoder (MiniLM), the
encoder-decoder's encoder and a decoder-only GPT-2.

Typed text reaches the page only through ``st.code`` or escaped chart labels.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.analysis import block as analysis
from viz.figures import block as figures
from viz.figures.architecture_map import Sizes, architecture_strip
from viz.figures.seq2seq import next_token_bars
from viz.figures.style import BLUE, GREEN, VERMILLION
from viz.trace.block import BlockInsideTrace, ffn_rows, trace_block, trace_decoder_block, trace_encoder_block
from viz.ui.architecture import render_map
from viz.ui.controls import bound_radio, bound_slider, token_choice
from viz.ui.export import chart

#: The three ways a block is shown: what the chooser says (and the address holds) -> architecture.
ARCHITECTURES = {
    "MiniLM": "encoder",  # post-LN, GELU
    "Encoder-decoder": "encoder-decoder",  # its encoder: post-LN, ReLU
    "GPT-2": "decoder",  # pre-LN, GELU
}
#: Each architecture's layer and token controls have their own keys (their ranges differ).
PREFIXES = {"encoder": "enc_", "encoder-decoder": "ed_", "decoder": "dec_"}
#: A block trace reads at most this many tokens (the page's arrays are L x T x d_ff).
MAX_BLOCK_TOKENS = 128


def follow_default_prompt(model: str, key: str) -> None:
    """The prompt box follows the chosen model's default (:func:`viz.ui.lm_views.follow_default_prompt`)."""
    from viz.ui.lm_views import follow_default_prompt as follow

    follow(model, key)


def default_prompt(model: str) -> str:
    """The decoder's opening prompt, as the decoder-only page's (:func:`viz.ui.lm_views.default_prompt`)."""
    from viz.ui.lm_views import default_prompt as lm_default

    return lm_default(model)


TOP_UNITS = 12


@st.cache_data(max_entries=32, show_spinner="Running the model, block by block…")
def cached_block(architecture: str, model: str, text: str) -> BlockInsideTrace:
    """One block trace per (architecture, model or task, text), shared by every session."""
    if architecture == "encoder":
        return trace_block(text, model=model, max_tokens=MAX_BLOCK_TOKENS)
    if architecture == "encoder-decoder":
        return trace_encoder_block(text, task=model)
    return trace_decoder_block(text, model=model)


@st.cache_data(max_entries=64, show_spinner=False)
def cached_ffn_rows(architecture: str, model_key: str, layer: int, rows: np.ndarray) -> np.ndarray:
    return ffn_rows(architecture, model_key, layer, rows)


def live_sizes(trace: BlockInsideTrace, name: str) -> Sizes:
    """The map's table entry of the traced model."""
    p = trace.parameters
    return Sizes(
        name,
        trace.n_layers,
        trace.n_heads,
        trace.d_model,
        trace.d_ff,
        p["attention"],
        p["W1"] + p["W2"],
        trace.n_params,
    )


def show_map(
    architecture: str, current: set[str], trace: BlockInsideTrace | None = None, name: str = ""
) -> None:
    """The architecture map (every box a link) and the traced model's sizes beside the paper's base model."""
    render_map(architecture, current, live_sizes(trace, name) if trace is not None else None)


def show_strip(architecture: str, current: set[str], n_layers: int | None = None) -> None:
    """The small map at the top of a page: the path of ``architecture``, its boxes linked."""
    st.html(architecture_strip(architecture, current=current, n_layers=n_layers))


def _activation_name(trace: BlockInsideTrace) -> str:
    return "ReLU" if trace.activation == "relu" else "GELU"


def layer_and_token(trace: BlockInsideTrace, prefix: str = "blk_", extra=None, with_layer: bool = True):
    """0-based layer and token chosen side by side; defaults where the FFN adds the most. ``extra(where)``, if
    given, draws one more control in a third column and its value is returned third. Without ``with_layer``
    (a view of every layer at once) only the token is chosen and the layer is None."""
    best_layer, best_token = analysis.showcase(trace)
    columns = st.columns(3 if extra else 2)
    layer = (
        bound_slider("Layer", 1, trace.n_layers, best_layer + 1, key=f"{prefix}layer", where=columns[0]) - 1
        if with_layer
        else None
    )
    with columns[1]:
        token = token_choice(trace.tokens, label="Token", key=f"{prefix}token", default=best_token)
    if extra:
        return layer, token, extra(columns[2])
    return layer, token


def norm_choice(where=None) -> str:
    """Which of the block's two LayerNorms the LayerNorm view shows."""
    return NORMS[bound_radio("Which LayerNorm", list(NORMS), key="blk_norm", horizontal=True, where=where)]


def ffn_view(trace: BlockInsideTrace, layer: int, token: int) -> None:
    """One token through the FFN, the active units of every token, the neurons x tokens view, the same weights
    at every position, and the parameter counts."""
    act_name = _activation_name(trace)
    n_active = analysis.active_units(trace.ffn_activation[layer, token])
    ratio = trace.d_ff / trace.d_model
    label = trace.tokens[token]
    rows = [
        (f"in: the FFN's input x (d_model = {trace.d_model})", trace.ffn_input[layer, token]),
        (
            f"x W1 + b1: the expansion (d_ff = {trace.d_ff}, {ratio:g} × d_model)",
            trace.ffn_pre_activation[layer, token],
        ),
        (
            f"{act_name}(x W1 + b1): {n_active} of {trace.d_ff} units active (> 0)",
            trace.ffn_activation[layer, token],
        ),
        (f"… W2 + b2: the projection back (d_model = {trace.d_model})", trace.ffn_output[layer, token]),
        (
            "block output (after the residual sum"
            + (" and LayerNorm)" if trace.norm_position == "post" else ")"),
            trace.block_output[layer, token],
        ),
    ]
    chart(
        figures.vector_strips(
            rows, f"Layer {layer + 1}, token {token} “{label}”: FFN(x) = {act_name}(x W1 + b1) W2 + b2"
        ),
        "blk_ffn_strips",
        lambda: {name: vector.tolist() for name, vector in rows},
        filename=f"ffn_L{layer + 1}_T{token}",
    )
    counts = analysis.active_units(trace.ffn_activation[layer])
    left, right = st.columns(2)
    chart(
        figures.token_bars(
            trace.tokens,
            counts,
            token,
            f"Layer {layer + 1}: {act_name} units active per token (of {trace.d_ff})",
            "active units (> 0)",
            percent_of=trace.d_ff,
        ),
        "blk_active",
        [{"token": t, "active units": int(c)} for t, c in zip(trace.tokens, counts)],
        where=left,
    )
    units = analysis.top_units(trace.ffn_activation[layer], TOP_UNITS)
    chart(
        figures.neurons_tokens(
            trace.ffn_activation[layer],
            units,
            trace.tokens,
            f"Layer {layer + 1}: the {len(units)} units that fire most, token by token",
        ),
        "blk_neurons",
        trace.ffn_activation[layer][:, units].T,
        [f"unit {u}" for u in units],
        trace.tokens,
        where=right,
    )
    if trace.activation != "relu":
        st.caption(
            "Active = above 0. GELU(x) = x·Φ(x) is above 0 exactly when x W1 + b1 is; below 0 it is small and "
            "negative (never under −0.17), so an inactive unit passes almost nothing on."
        )
    same_weights(trace, layer, token)
    parameters(trace)


def same_weights(trace: BlockInsideTrace, layer: int, token: int) -> None:
    """Copy one token's FFN input over another position's and run the FFN on the whole sentence again."""
    n = len(trace.tokens)
    if n < 2:
        return
    other = bound_slider(
        "Copy this token's FFN input to position",
        0,
        n - 1,
        (token + n // 2) % n or (1 if token != 1 else 0),
        key="blk_copy_to",
        help="The FFN runs on the whole sentence again, with one row replaced: only that row's output changes.",
    )
    if other == token:
        other = (token + 1) % n
    rows = trace.ffn_input[layer].copy()
    rows[other] = rows[token]
    out = cached_ffn_rows(trace.architecture, trace.model_key, layer, rows)
    i, j = f"{token} “{trace.tokens[token]}”", f"{other} “{trace.tokens[other]}”"
    chart(
        figures.same_weights_scatter(
            trace.ffn_output[layer, token], out[other], trace.ffn_output[layer, other], i, j
        ),
        "blk_same",
        lambda: {"at i": trace.ffn_output[layer, token].tolist(), "at j, fed i's input": out[other].tolist()},
    )
    unchanged = np.delete(np.abs(out - trace.ffn_output[layer]).max(axis=1), other)
    st.caption(
        f"Position-wise: the FFN never looks at the position or at the other tokens (a 1 × 1 convolution). The "
        f"other {n - 1} positions' outputs moved by at most {float(unchanged.max()) if unchanged.size else 0.0:.1e} "
        "(float32 rounding)."
    )


def parameters(trace: BlockInsideTrace) -> None:
    p = trace.parameters
    base = analysis.parameter_split(512, 2048)
    cols = st.columns(4)
    cols[0].metric(
        "W1 (with b1)",
        f"{p['W1']:,}",
        help=f"d_model × d_ff + d_ff = {trace.d_model} × {trace.d_ff} + {trace.d_ff}",
    )
    cols[1].metric("W2 (with b2)", f"{p['W2']:,}", help="d_ff × d_model + d_model")
    cols[2].metric("Attention (W^Q, W^K, W^V, W^O)", f"{p['attention']:,}", help="4 × d_model² + 4 × d_model")
    cols[3].metric(
        "FFN share of a block",
        f"{analysis.ffn_share(p):.0%}",
        help=f"The paper's base block: {analysis.ffn_share(base):.0%} (W1 + W2 = {base['W1'] + base['W2']:,}, "
        f"attention {base['attention']:,})",
    )


#: The two LayerNorms of a block, as the chooser (and the address) names them.
NORMS = {"Around attention": "attention_norm", "Around the FFN": "ffn_norm"}

STREAM_STEPS = {
    "post": [
        ("in", "block_input", "stream"),
        ("+attn", "attention_output", "add"),
        ("sum", "attention_residual", "stream"),
        ("LN", "ffn_input", "stream"),
        ("+FFN", "ffn_output", "add"),
        ("sum", "ffn_residual", "stream"),
        ("LN", "block_output", "stream"),
    ],
    "pre": [
        ("in", "block_input", "stream"),
        ("+attn", "attention_output", "add"),
        ("sum", "attention_residual", "stream"),
        ("+FFN", "ffn_output", "add"),
        ("out", "block_output", "stream"),
    ],
}


def residual_view(trace: BlockInsideTrace, token: int) -> None:
    """One token's vector norm at every step through the layers, and how much each sub-layer adds."""
    labels, values, kinds = [], [], []
    for layer in range(trace.n_layers):
        for name, field, kind in STREAM_STEPS[trace.norm_position]:
            if name == "in" and layer > 0:
                continue  # the previous block's output
            labels.append(f"L{layer + 1} {name}")
            values.append(float(np.linalg.norm(getattr(trace, field)[layer, token])))
            kinds.append(kind)
    label = trace.tokens[token]
    chart(
        figures.stream_path(
            labels,
            np.array(values),
            kinds,
            f"Token {token} “{label}” through the {trace.n_layers} blocks: ‖x‖ on the residual stream ({trace.norm_position}-LN)",
        ),
        "blk_stream",
        [{"step": s, "norm": v} for s, v in zip(labels, values)],
    )
    left, right = st.columns(2)
    for where, sub, name in ((left, "attention", "attention"), (right, "ffn", "FFN")):
        share = analysis.sublayer_share(trace, sub)
        chart(
            figures.share_heatmap(
                share, trace.tokens, f"How much {name} adds: ‖{name} output‖ / ‖residual in‖", "ratio"
            ),
            f"blk_share_{sub}",
            share,
            [f"layer {i + 1}" for i in range(trace.n_layers)],
            trace.tokens,
            where=where,
        )
    if trace.norm_position == "post":
        st.caption(
            "Post-LN: each sum is normalised at once, so the stream's norm is reset after every sub-layer."
        )
    else:
        st.caption(
            "Pre-LN: the sums are never normalised; each sub-layer only reads a normalised copy, and the stream grows."
        )


def norm_view(trace: BlockInsideTrace, layer: int, token: int, which: str = "attention_norm") -> None:
    """LayerNorm's per-token mean and variance before, then one token's vector, normalised, gain, bias, out."""
    get = lambda field: getattr(trace, f"{which}_{field}")  # noqa: E731
    given = (
        (trace.attention_residual if which == "attention_norm" else trace.ffn_residual)
        if trace.norm_position == "post"
        else (trace.block_input if which == "attention_norm" else trace.attention_residual)
    )
    what = "x + sub-layer(x)" if trace.norm_position == "post" else "the residual stream"
    chart(
        figures.norm_statistics(
            trace.tokens,
            get("mean")[layer],
            get("variance")[layer],
            token,
            f"Layer {layer + 1}: LayerNorm's input ({what}) per token, mean and variance over its {trace.d_model} numbers",
        ),
        "blk_norm_stats",
        [
            {"token": t, "mean": float(m), "variance": float(v)}
            for t, m, v in zip(trace.tokens, get("mean")[layer], get("variance")[layer])
        ],
    )
    mean, var = float(get("mean")[layer, token]), float(get("variance")[layer, token])
    rows = [
        (f"before: {what} (mean {mean:.3g}, variance {var:.3g})", given[layer, token]),
        ("normalised: (x − mean) / √(variance + ε)  (mean 0, variance 1)", get("normalised")[layer, token]),
        ("gain γ (learned, one per feature)", get("gain")[layer]),
        ("bias β (learned)", get("bias")[layer]),
        ("out: γ · normalised + β", get("output")[layer, token]),
    ]
    chart(
        figures.vector_strips(
            rows, f"Layer {layer + 1}, token {token} “{trace.tokens[token]}” through LayerNorm"
        ),
        "blk_norm_strips",
        lambda: {name: vector.tolist() for name, vector in rows},
    )


def rms_through_layers(trace: BlockInsideTrace) -> np.ndarray:
    """(L + 1,) the stream's RMS (‖x‖ / √d_model, mean over tokens) entering each block and after the last."""
    stream = np.concatenate([trace.block_input, trace.block_output[-1:]], axis=0)
    return (analysis.norms(stream) / np.sqrt(trace.d_model)).mean(axis=1)


def post_pre_view(traces: list[tuple[str, BlockInsideTrace]]) -> None:
    """The stream's size through the layers of post-LN models against a pre-LN one."""
    colours = {"post": [BLUE, GREEN], "pre": [VERMILLION]}
    used = {"post": 0, "pre": 0}
    series = []
    for name, trace in traces:
        pool = colours[trace.norm_position]
        series.append(
            (
                f"{name} ({trace.norm_position}-LN)",
                rms_through_layers(trace),
                pool[used[trace.norm_position] % len(pool)],
            )
        )
        used[trace.norm_position] += 1
    chart(
        figures.post_pre_growth(
            series, "Post-LN renormalises the stream after each sub-layer; pre-LN lets it grow"
        ),
        "blk_post_pre",
        [
            {"model": n, **{f"after {i} blocks": float(v) for i, v in enumerate(vals)}}
            for n, vals, _ in series
        ],
    )
    st.markdown(
        "- **Post-LN** (the paper, BERT, MiniLM, the bundled encoder-decoder): `x = LN(x + Sublayer(x))`. "
        "Every block's output has mean 0 and variance 1 before its gain and bias.\n"
        "- **Pre-LN** (GPT-2): `x = x + Sublayer(LN(x))`, and one last LayerNorm before the output layer. The "
        "residual path is a straight sum from the embeddings to the top, which trains deep stacks more stably."
    )


def output_view_decoder(trace: BlockInsideTrace, token: int) -> None:
    """A decoder's final LayerNorm + linear + softmax at one position: the most likely next tokens."""
    top = list(trace.next_tokens[token])
    chosen = top[0][2]
    chart(
        next_token_bars(
            top,
            chosen,
            f"After “{trace.tokens[token]}” (position {token}): final LayerNorm, linear, softmax: top {len(top)} next tokens",
        ),
        "blk_next",
        [{"token": t, "probability": p} for t, p, _ in top],
    )
    st.caption(
        "The same chart as the encoder-decoder page's: orange is the most likely token (greedy choice)."
    )


def output_view_seq2seq(task: str, text: str) -> None:
    """The encoder-decoder's final linear + softmax at one decoding step (the encoder-decoder page's chart)."""
    from viz.analysis.decoding import top_tokens
    from viz.ui.seq2seq import cached_translation

    translation = cached_translation(text, task, "greedy", 1.0, 0, 0)
    n = translation.n_steps
    step = bound_slider("Decoding step", 1, n, 1, key="blk_step") if n > 1 else 1
    k = min(10, len(translation.vocab))
    top = top_tokens(translation.step_probs[step - 1], translation.vocab, k)
    chosen = translation.vocab.index(translation.output_tokens[step - 1])
    chart(
        next_token_bars(top, chosen, f"Decoder step {step} of {n}: linear + softmax, top {k} next tokens"),
        "blk_next",
        [{"token": t, "probability": p, "chosen": i == chosen} for t, p, i in top],
    )
    st.caption("Output so far, as the decoder wrote it:")
    st.code(" ".join(translation.output_tokens[:step]), language=None)

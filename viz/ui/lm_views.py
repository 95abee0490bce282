"""The decoder-only page's views: next token, generation step by step, inside the blocks, the logit lens and
the heads found by measurement. Every control is bound to the address; typed text reaches the page only
through ``st.code`` or escaped chart labels.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from viz.analysis.decoding import choose_token, next_token_distribution
from viz.analysis.induction import previous_token_scores, ranked, uniform_causal
from viz.figures import lm as figures
from viz.figures.attention import attention_heatmap, heads_grid
from viz.figures.matrices import matrix_heatmap
from viz.trace.lm import MAX_NEW_TOKENS, HeadTest, LMTrace, token_name, trace_head_test, trace_lm
from viz.trace.lm import MAX_PROMPT_CHARS as MAX_PROMPT_CHARS  # the page bounds its prompt box by it
from viz.ui.controls import (
    bound_number,
    bound_radio,
    bound_segmented,
    bound_selectbox,
    bound_slider,
    token_choice,
)
from viz.ui.export import chart

#: The settings a class opens on: a little cooler than the model, the unlikely tail cut (as the samples in
#: assets/README.md were drawn), so the pale and solid bars differ on the first screen.
DEFAULT_TEMPERATURE, DEFAULT_TOP_K, DEFAULT_TOP_P = 0.8, 0, 0.9
DEFAULT_STEPS = 16
DEFAULT_PROMPT = "And the LORD said unto"  # the bundled English model answers " Moses" with most of its mass
CHAR_PROMPT = "attention"  # the bundled character model reverses lowercase letters


def default_prompt(model: str) -> str:
    """The prompt a page opens on: a word for a character model like the bundled reverser, the start of a
    verse for the bundled English model (it learned the King James Bible), else the app's sentence."""
    from viz.trace.causal import is_char_model
    from viz.ui.inputs import DEFAULT_SENTENCE

    if is_char_model(model):
        return CHAR_PROMPT
    return DEFAULT_PROMPT if model == "kjv" else DEFAULT_SENTENCE


def follow_default_prompt(model: str, key: str = "lm_prompt") -> None:
    """When another model is chosen and the prompt is still the last model's default, open on the new
    model's default (a verse start means nothing to the letter-reversing model). Call before the box."""
    marker = f"_default_{key}"
    new, old = default_prompt(model), st.session_state.get(marker)
    st.session_state[marker] = new
    if old is not None and old != new and st.session_state.get(key) == old:
        st.session_state[key] = new


def cached_lm(
    text: str, model: str, n_new: int, strategy: str, temperature: float, top_k: int, top_p: float, seed: int
) -> LMTrace:
    """One trace per input and settings, shared by every session; greedy ignores the sampling settings, so
    every greedy request for a prompt is one cache entry."""
    if strategy == "greedy":
        temperature, top_k, top_p, seed = 1.0, 0, 1.0, 0
    return _cached_lm(
        text, model, int(n_new), strategy, float(temperature), int(top_k), float(top_p), int(seed)
    )


@st.cache_data(max_entries=16, show_spinner="Running the model…")
def _cached_lm(
    text: str, model: str, n_new: int, strategy: str, temperature: float, top_k: int, top_p: float, seed: int
) -> LMTrace:
    return trace_lm(text, model, n_new, strategy, temperature, top_k, top_p, seed)


@st.cache_data(max_entries=8, show_spinner="Measuring every head on a repeated random block…")
def cached_head_test(model: str) -> HeadTest:
    return trace_head_test(model)


@st.cache_data(max_entries=256, show_spinner=False)
def _name(model: str, token_id: int) -> str:
    return token_name(model, token_id)


def names(trace: LMTrace, model: str, ids) -> list[str]:
    return [trace.lens_tokens.get(int(i)) or _name(model, int(i)) for i in ids]


def sampling_controls(where=None) -> tuple[float, int, float]:
    """Temperature, top-k (0 = off) and top-p (1 = off), bound to the address; shared by every view."""
    where = where or st
    temperature = bound_slider(
        "Temperature T",
        0.05,
        2.0,
        DEFAULT_TEMPERATURE,
        0.05,
        key="lm_temp",
        where=where,
        help="The logits are divided by T before the softmax: T < 1 sharpens the distribution, T > 1 flattens it.",
    )
    top_k = bound_slider(
        "Top-k (0 = all tokens)",
        0,
        100,
        DEFAULT_TOP_K,
        key="lm_topk",
        where=where,
        help="Keep only the k most likely tokens, then renormalise.",
    )
    top_p = bound_slider(
        "Top-p (nucleus; 1 = all)",
        0.05,
        1.0,
        DEFAULT_TOP_P,
        0.05,
        key="lm_topp",
        where=where,
        help="Keep the fewest most likely tokens whose probabilities add up to p, then renormalise.",
    )
    return float(temperature), int(top_k), float(top_p)


def prompt_strip(trace: LMTrace, key: str = "lm_tokens") -> None:
    dropped = (
        f" ({trace.n_prompt_dropped} tokens cut from its start to fit)" if trace.n_prompt_dropped else ""
    )
    chart(
        figures.token_strip(
            trace.tokens[: trace.n_prompt],
            trace.ids[: trace.n_prompt],
            f"The prompt as {trace.n_prompt} tokens (id below each; ␣ is a space){dropped}",
        ),
        key,
        [{"position": i, "token": t, "id": n} for i, (t, n) in enumerate(zip(trace.tokens, trace.ids))][
            : trace.n_prompt
        ],
    )


def _bars(trace: LMTrace, model: str, step: int, settings, chosen: int | None, title: str, key: str) -> None:
    """The next-token chart of one step under ``settings``; ``chosen``: the id that step really wrote."""
    temperature, top_k, top_p = settings
    before = next_token_distribution(trace.step_logits[step], temperature)
    after = trace.distribution(step, temperature, top_k, top_p)
    order = np.argsort(-before, kind="stable")[: figures.N_BARS]
    greedy = int(order[0])
    if chosen is None:  # the next-token view: what a seeded draw would pick
        chosen = choose_token(after, "sample", np.random.default_rng(0))
    sampled = int(np.flatnonzero(order == chosen)[0]) if chosen in order else None
    labels = names(trace, model, order)
    chart(
        figures.next_token_chart(labels, before[order], after[order], 0, sampled, title),
        key,
        [
            {"token": t, "softmax(logits/T)": float(before[i]), "after top-k, top-p": float(after[i])}
            for t, i in zip(labels, order)
        ],
    )
    kept = int((after > 0).sum())
    st.caption(
        f"Orange outline: greedy's choice, “{labels[0]}” ({before[greedy]:.1%} at T = {temperature:g}). "
        f"Top-k and top-p keep {kept:,} of {trace.vocab_size:,} tokens"
        + ("" if sampled is not None else "; the token drawn is beyond the bars shown")
        + "."
    )


def next_token_view(trace: LMTrace, model: str) -> None:
    """The distribution of the token that comes next, live with the sliders, then the prompt's tokens."""
    left, right = st.columns([1, 2.4])
    settings = sampling_controls(left)
    left.caption(
        "logits = LN_f(x) W_Uᵀ → divide by T → keep the top k → keep the top p → softmax → pick. "
        "Greedy takes the most likely token; sampling draws one."
    )
    with right:
        _bars(
            trace,
            model,
            0,
            settings,
            None,
            f"What comes after “{trace.tokens[trace.n_prompt - 1]}”: the {figures.N_BARS} most likely next tokens",
            "lm_next",
        )
    prompt_strip(trace)


def generation_controls(where=None) -> tuple[str, int, int]:
    columns = (where or st).columns([1, 1.4, 1])
    strategy = bound_segmented(
        "Decoding", ["greedy", "sample"], "greedy", key="lm_strategy", where=columns[0]
    )
    n_new = bound_slider(
        "Tokens to write", 1, MAX_NEW_TOKENS, DEFAULT_STEPS, key="lm_steps", where=columns[1]
    )
    seed = bound_number("Seed (sampling)", 0, 9999, 0, key="lm_seed", where=columns[2])
    return strategy, int(n_new), int(seed)


def generation_view(trace: LMTrace, model: str, settings) -> None:
    """Step through the continuation: at each step the text so far, which earlier tokens the position that
    writes attended to, and the distribution it chose from."""
    n = trace.n_steps
    st.code(trace.prompt_text + " ▸ " + trace.generated_text, language=None, wrap_lines=True)
    if n == 0:
        st.info("Nothing was written.")
        return
    columns = st.columns([2, 1, 1])
    step = (
        bound_slider(
            "Step", 1, n, 1, key="lm_step", where=columns[0], help="Drag, or click the slider and use ← →."
        )
        - 1
    )
    position = trace.n_prompt - 1 + step
    layer_names = ["mean of all layers"] + [f"layer {i}" for i in range(1, trace.n_layers + 1)]
    which = bound_selectbox(
        "Attention of", layer_names, index=len(layer_names) - 1, key="lm_step_layer", where=columns[1]
    )
    head_names = ["mean of the heads"] + [f"head {h}" for h in range(1, trace.n_heads + 1)]
    head = bound_selectbox("Head", head_names, index=0, key="lm_step_head", where=columns[2])
    weights = (
        trace.attentions if which == layer_names[0] else trace.attentions[[layer_names.index(which) - 1]]
    )
    weights = weights.mean(axis=0)  # (H, T, T)
    row = weights.mean(axis=0) if head == head_names[0] else weights[head_names.index(head) - 1]
    values = row[position, : position + 1]
    new_token = trace.generated_tokens[step]
    tokens = trace.tokens[: position + 1] + [new_token]
    strength = np.append(values, np.nan)  # the token being written reads nothing yet
    chart(
        figures.token_strip(
            tokens,
            None,
            f"Step {step + 1} of {n}: position {position} (“{trace.tokens[position]}”) reads the tokens before it "
            f"and writes “{new_token}” (outlined); colour: its attention, {which}, {head}",
            values=strength,
            mark=len(tokens) - 1,
        ),
        "lm_step_strip",
        [
            {"position": i, "token": t, "weight": float(w)}
            for i, (t, w) in enumerate(zip(tokens[:-1], values))
        ],
    )
    top = np.argsort(-values)[:3]
    st.caption(
        "Most attended: "
        + ", ".join(f"“{trace.tokens[i]}” ({values[i]:.0%})" for i in top)
        + ". Every row of a causal attention map ends at its own position: nothing later is visible."
    )
    title = f"Step {step + 1}: the distribution “{new_token}” was {'drawn' if trace.strategy == 'sample' else 'taken'} from"
    _bars(trace, model, step, settings, trace.generated_ids[step], title, "lm_step_next")


PARTS = ["Masked attention", "All heads", "MLP", "Residual stream"]


def masked_attention_view(trace: LMTrace) -> None:
    """One head's scaled scores with -inf above the diagonal, and the softmax that makes them weights."""
    n = trace.n_prompt
    left, right = st.columns(2)
    layer = bound_slider("Layer", 1, trace.n_layers, 1, key="lm_layer", where=left) - 1
    head = bound_slider("Head", 1, trace.n_heads, 1, key="lm_head", where=right) - 1
    tokens = trace.tokens[:n]
    scores = trace.masked_scores[layer, head, :n, :n]
    columns = st.columns(2)
    chart(
        matrix_heatmap(
            scores,
            f"Q Kᵀ / √d_head + mask, layer {layer + 1}, head {head + 1}: −∞ above the diagonal",
            "key",
            "query",
            row_labels=tokens,
            col_labels=tokens,
            clip=True,
            title_width=50,
        ),
        "lm_scores",
        scores,
        tokens,
        tokens,
        where=columns[0],
    )
    weights = trace.attentions[layer, head, :n, :n]
    chart(
        attention_heatmap(weights, tokens, title="softmax → weights (exactly 0 above the diagonal)"),
        "lm_weights",
        weights,
        tokens,
        tokens,
        where=columns[1],
    )
    above = weights[np.triu_indices(n, 1)]
    st.caption(
        f"Largest weight above the diagonal: {float(above.max()) if above.size else 0.0:g} (e^−∞ = 0). "
        "Position t may read positions ≤ t only, so the model can be trained on every position at once and "
        "still never see the token it must predict."
    )


def heads_view(trace: LMTrace) -> None:
    layer = bound_slider("Layer", 1, trace.n_layers, 1, key="lm_layer") - 1
    n = trace.n_prompt
    chart(
        heads_grid(
            trace.attentions[layer, :, :n, :n],
            trace.tokens[:n],
            f"Layer {layer + 1}: every head (a triangle each)",
        ),
        "lm_heads",
    )


def lens_view(trace: LMTrace, model: str) -> None:
    """What each layer's residual stream would predict next, read through the final LayerNorm and W_U."""
    start, end = trace.lens_start, trace.n_prompt
    ids, probs = trace.lens_ids, trace.lens_probs  # (L + 1, P, k)
    top_names = [[trace.lens_tokens[int(i)] for i in row[:, 0]] for row in ids]
    hover = [
        [
            [f"{trace.lens_tokens[int(i)]!r} {p:.1%}".replace("'", "") for i, p in zip(cell_ids, cell_p)]
            for cell_ids, cell_p in zip(row_ids, row_p)
        ]
        for row_ids, row_p in zip(ids, probs)
    ]
    truth = (trace.ids[start + 1 : end] + [trace.generated_ids[0] if trace.generated_ids else -1])[
        : end - start
    ]
    hits = ids[:, :, 0] == np.asarray(truth)[None, :]
    chart(
        figures.lens_heatmap(
            top_names,
            probs[:, :, 0],
            hover,
            trace.tokens[start:end],
            hits,
            "Logit lens: the most likely next token if the model stopped after each block (✓ = the prompt's real next token)",
        ),
        "lm_lens",
        [
            {
                "stream": "embeddings" if r == 0 else f"after block {r}",
                "position": start + c,
                "token": trace.tokens[start + c],
            }
            | {f"top{k + 1}": trace.lens_tokens[int(ids[r, c, k])] for k in range(ids.shape[2])}
            | {f"p{k + 1}": float(probs[r, c, k]) for k in range(ids.shape[2])}
            for r in range(ids.shape[0])
            for c in range(ids.shape[1])
        ],
    )
    final_hits, first_hits = int(hits[-1].sum()), int(hits[0].sum())
    st.caption(
        f"Each cell: LN_f(x_l) W_Uᵀ at that position, the same final LayerNorm and output layer as the real "
        f"output (the last row). The real next token is the top guess at {first_hits} of {hits.shape[1]} positions "
        f"straight from the embeddings and at {final_hits} after the last block: each block refines the guess. "
        + (f"The lens covers the prompt's last {hits.shape[1]} positions." if start else "")
    )


def heads_found_view(trace: LMTrace, model: str) -> None:
    """Previous-token and induction heads, found on a repeated random block and shown on the prompt."""
    test = cached_head_test(model)
    even_previous = float(previous_token_scores(uniform_causal(len(test.ids))[None, None])[0, 0])
    even_induction = float(1 / np.mean(np.arange(test.start + test.period, test.start + 2 * test.period) + 1))
    columns = st.columns(2)
    chart(
        figures.head_scores_heatmap(
            test.previous_token, "Previous-token score: weight on position t − 1", even_previous
        ),
        "lm_prev_scores",
        test.previous_token,
        where=columns[0],
    )
    chart(
        figures.head_scores_heatmap(
            test.induction, "Induction score: weight on what followed the earlier copy", even_induction
        ),
        "lm_induction_scores",
        test.induction,
        where=columns[1],
    )
    best_prev, best_ind = ranked(test.previous_token, 3), ranked(test.induction, 3)
    st.caption(
        f"Measured on {test.period} random tokens repeated once ({len(test.ids)} tokens). A head that spreads its "
        f"weight evenly scores {even_previous:.2f} (previous token) and {even_induction:.2f} (induction). "
        f"Best previous-token heads: {', '.join(f'{h.layer + 1}.{h.head + 1} ({h.score:.2f})' for h in best_prev)}. "
        f"Best induction heads: {', '.join(f'{h.layer + 1}.{h.head + 1} ({h.score:.2f})' for h in best_ind)}. "
        f"Loss on the first copy {test.loss_first:.2f}, on the second {test.loss_second:.2f} nats per token"
        + (
            ": the model copies, it has learned induction."
            if test.loss_second < test.loss_first - 1.0
            else ": no better the second time, so this model has not learned to copy (induction heads form "
            "in models trained on far more text, such as GPT-2)."
        )
    )
    options = {f"previous-token head {h.layer + 1}.{h.head + 1}": h for h in best_prev[:1]}
    options |= {f"induction head {h.layer + 1}.{h.head + 1}": h for h in best_ind[:1]}
    left, right = st.columns([1, 1])
    label = bound_radio("Show on the prompt and on the test", list(options), key="lm_found", where=left)
    chosen = options[label]
    n = trace.n_prompt
    columns = st.columns(2)
    chart(
        attention_heatmap(
            trace.attentions[chosen.layer, chosen.head, :n, :n],
            trace.tokens[:n],
            title=f"{label} on the prompt",
        ),
        "lm_found_prompt",
        where=columns[0],
    )
    chart(
        attention_heatmap(
            test.attentions[chosen.layer, chosen.head],
            test.tokens,
            title=f"{label} on the repeated random block",
        ),
        "lm_found_test",
        where=columns[1],
    )


def embeddings_view(trace: LMTrace) -> None:
    """Token embedding + position embedding = what block 1 reads."""
    n = trace.n_prompt
    token = token_choice(trace.tokens[:n], label="Token", key="lm_emb_token", default=n - 1)
    rows = [
        ("wte[id]: the token's embedding", trace.token_embeddings[token]),
        (f"wpe[{token}]: the position's embedding", trace.position_embeddings[token]),
        ("x₀ = wte[id] + wpe[position]: block 1's input", trace.hidden_states[0, token]),
    ]
    matrix = np.stack([r[1] for r in rows])
    chart(
        matrix_heatmap(
            matrix,
            f"“{trace.tokens[token]}” (id {trace.ids[token]}) at position {token}",
            "dimension",
            "vector",
            row_labels=[r[0] for r in rows],
            clip=True,
            height=300,
        ),
        "lm_embedding",
        matrix,
        [r[0] for r in rows],
    )
    norms = (
        np.linalg.norm(trace.token_embeddings[:n], axis=1),
        np.linalg.norm(trace.position_embeddings[:n], axis=1),
    )
    st.caption(
        f"d_model = {trace.token_embeddings.shape[1]}. GPT-2 learns both tables (no sinusoids). Norms over the "
        f"prompt: token embeddings {norms[0].min():.2f}–{norms[0].max():.2f}, position embeddings "
        f"{norms[1].min():.2f}–{norms[1].max():.2f}."
    )

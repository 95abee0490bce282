"""Presenter mode: the step-through of each page's explanation, for projecting in class.

Each page's steps are short sentences a teacher can click through (PageDown / PageUp, as presentation
clickers send, or the buttons) while the page below stays live. Each step points at what it describes: its
``targets`` name a chart or widget by its key (Streamlit gives its element the class ``st-key-<key>``) or a
heading by its anchor (``#milestones``); the first of them on the page is scrolled to and outlined
(:mod:`viz.ui.presenter`). A page that shows one view at a time lists the view's control last, so a step
whose chart is in another view points at the control that opens it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One sentence of a lesson and what on the page it is about (chart or widget keys, ``#anchors``):
    the first of ``targets`` that the page shows is the one pointed at."""

    text: str
    targets: tuple[str, ...]


LESSONS: dict[str, list[Step]] = {
    "home": [
        Step(
            "A transformer builds each token's representation by attending to the other tokens.",
            ("#transformers-made-visible",),
        ),
        Step(
            "Three families: encoder-decoder (translation), encoder-only (BERT: understanding), decoder-only (GPT: generation).",
            ("#three-ways-to-use-a-transformer",),
        ),
        Step(
            "2017: the Transformer. 2018: BERT. 2020: GPT-3, DETR, ViT. 2021: many vision variants.",
            ("timeline", "#milestones"),
        ),
        Step(
            "The vanilla model: N = 6 layers, h = 8 heads, d_model = 512, d_ff = 2048. Each part has its own page.",
            ("#the-vanilla-transformer-at-a-glance",),
        ),
    ],
    "attention": [
        Step(
            "Type a sentence. The model splits it into tokens, adding [CLS] at the start and [SEP] at the end.",
            ("sentence",),
        ),
        Step(
            "Each small map is one head. A row is a token asking (query); a column is a token answering (key).",
            ("grid",),
        ),
        Step("Every row sums to 1: it says how a token spreads its attention.", ("enlarged",)),
        Step(
            "Some heads look at the next or the previous word, some at [SEP], some at related words: compare layers.",
            ("layer",),
        ),
    ],
    "walkthrough": [
        Step(
            "Step 1: multiply the token's vector x by W^Q, W^K and W^V to get its query, key and value.",
            ("wt_x", "wt_view"),
        ),
        Step("Step 2: score the query against every key with a dot product.", ("wt_scores", "wt_view")),
        Step(
            "Step 3: divide the scores by √d_k so the softmax does not become too peaked.",
            ("wt_scaled", "wt_view"),
        ),
        Step("Step 4: the softmax turns scores into weights that sum to 1.", ("wt_weights", "wt_view")),
        Step(
            "Step 5 and 6: weigh each value vector and add them up: that is the head's output z.",
            ("wt_weighted", "wt_z", "wt_view"),
        ),
        Step(
            "Try the toy: 112 and 96, divided by 8, give 14 and 12; the softmax gives 0.88 and 0.12.",
            ("toy_divisor", "wt_view"),
        ),
        Step(
            "Ablations: switch off the scaling and watch the entropy drop; switch on the causal mask and see the −∞.",
            ("ab_scale", "wt_view"),
        ),
    ],
    "multihead": [
        Step(
            "The model view shows every layer and head at once: look for patterns that repeat.",
            ("mh_model_view", "mh_view"),
        ),
        Step(
            "The head view draws lines from each token to the tokens it attends to, one colour per head.",
            ("mh_head_view", "mh_view"),
        ),
        Step(
            "The heads' outputs are concatenated and multiplied by W^O to mix them back together.",
            ("mh_concat", "mh_wo", "mh_view"),
        ),
        Step(
            "Statistics rank the heads: previous-token heads, heads that park on [SEP], broad heads.",
            ("mh_stat_map", "mh_view"),
        ),
        Step(
            "Rollout follows attention through all layers, beside the raw attention of the last layer.",
            ("mh_rollout", "mh_view"),
        ),
    ],
    "positional": [
        Step(
            "Attention alone ignores word order, so a position signal is added to every token.", ("pe_view",)
        ),
        Step(
            "The sinusoid: each column is a wave; early columns change fast, late ones slowly.",
            ("pe_matrix", "pe_view"),
        ),
        Step(
            "The dot product between two positions depends only on how far apart they are.",
            ("pe_sim_map", "pe_view"),
        ),
        Step("Shifting by k positions is a rotation M_k, the same for every position.", ("pe_mk", "pe_view")),
        Step(
            "BERT and MiniLM learn their positions instead: compare their similarity pattern.",
            ("pe_learned", "pe_view"),
        ),
    ],
    "decoder-only": [
        Step(
            "A decoder-only model reads the prompt and gives a probability to every possible next token.",
            ("lm_next", "lm_view"),
        ),
        Step(
            "Temperature divides the logits: below 1 the favourite grows, above 1 the tail grows. Top-k and "
            "top-p cut the tail before sampling.",
            ("lm_temp", "lm_next", "lm_view"),
        ),
        Step(
            "Writing is a loop: pick a token, append it, read the whole sequence again, pick the next.",
            ("lm_step_strip", "lm_view"),
        ),
        Step(
            "The mask puts −∞ above the diagonal, so after the softmax no token sees a later one.",
            ("lm_scores", "lm_view"),
        ),
        Step(
            "The logit lens reads each layer's residual stream through the output layer: the guess sharpens "
            "layer by layer.",
            ("lm_lens", "lm_view"),
        ),
        Step(
            "Some heads have a job we can measure: looking at the previous token, or copying what followed "
            "the last time the same token appeared (induction).",
            ("lm_prev_scores", "lm_view"),
        ),
    ],
    "block": [
        Step(
            "Each block: attention, then a feed-forward network, each wrapped in a residual and a LayerNorm.",
            ("blk_ffn_strips", "view"),
        ),
        Step(
            "The feed-forward network expands each token to d_ff = 4 x d_model, applies GELU or ReLU, projects back.",
            ("blk_ffn_strips", "view"),
        ),
        Step(
            "The same weights at every position: a copied vector gives exactly the same output.",
            ("blk_same", "view"),
        ),
        Step(
            "The residual stream carries each token through the layers; each sub-layer adds a little to it.",
            ("blk_stream", "view"),
        ),
        Step(
            "LayerNorm: subtract the mean, divide by the standard deviation, then scale by the gain and add the bias.",
            ("blk_norm_stats", "view"),
        ),
        Step(
            "Post-LN (the paper, BERT) keeps the stream's size flat; pre-LN (GPT-2) lets it grow.",
            ("blk_post_pre", "view"),
        ),
    ],
    "models": [
        Step(
            "The bundled models always work offline; real checkpoints come from the Hugging Face cache.",
            ("#on-this-server",),
        ),
        Step(
            "Each model page's sidebar lists the models of its family, the bundled one first.",
            ("#on-this-server",),
        ),
        Step(
            "A lecturer fetches a model once (python -m viz fetch vit-base) and copies the cache to the server.",
            ("#recommended-checkpoints",),
        ),
    ],
    "layerwise": [
        Step(
            "The Separation Index: the share of points whose nearest neighbour has the same label.",
            ("lw_text_pca", "lw_date_pca", "lw_vit_pca", "lw_view"),
        ),
        Step(
            "Follow SI through the layers: where does the network separate the classes?",
            ("lw_text_curves", "lw_date_curves", "lw_vit_curves", "lw_view"),
        ),
        Step(
            "A jump in SI marks a layer where branching or fusing makes sense.",
            ("lw_text_jump", "lw_date_jump", "lw_vit_jump", "lw_view"),
        ),
        Step(
            "Layer-wise learning trains one layer at a time with its own classifier; compare with backpropagation.",
            ("fl_layers", "lw_view"),
        ),
    ],
    "encoder-decoder": [
        Step(
            "The encoder reads the whole input; the decoder writes the output one token at a time.",
            ("s2s_text",),
        ),
        Step(
            "Masked self-attention: the decoder sees only what it has written so far (−∞ above the diagonal).",
            ("s2s_self", "s2s_mask", "s2s_tab"),
        ),
        Step(
            "Cross-attention: each output character looks back at the input characters it needs.",
            ("s2s_cross", "s2s_tab"),
        ),
        Step(
            "The final linear layer and softmax give a probability for every next token; temperature reshapes it.",
            ("s2s_bars", "s2s_tab"),
        ),
        Step(
            "Train a small model live and watch its loss fall and its attention become sharp.",
            ("train_start", "s2s_tab"),
        ),
    ],
    "vit-patches": [
        Step("A Vision Transformer cuts the image into patches, like words in a sentence.", ("vit_grid",)),
        Step("Each patch is flattened into one long vector of pixel values.", ("vit_flat", "vit_sequence")),
        Step(
            "A learned linear projection turns each flattened patch into a d_model-wide embedding.",
            ("vit_filters",),
        ),
        Step(
            "A [CLS] token is put in front and a learned position embedding is added to every patch.",
            ("vit_positions",),
        ),
    ],
    "vit-attention": [
        Step("The encoder blocks let every patch attend to every other patch.", ("vit_patch_chart",)),
        Step("The [CLS] token's attention shows which patches it reads, per layer and head.", ("vit_heads",)),
        Step(
            "Attention rollout follows attention through all layers to the input patches.", ("vit_rollout",)
        ),
        Step("The [CLS] token's final vector gives the class probabilities.", ("vit_top5",)),
    ],
    "swin": [
        Step(
            "Swin attends only inside M × M windows: cost grows linearly with the image, not quadratically.",
            ("swin_regular",),
        ),
        Step(
            "Shifting the windows by M/2 in the next block lets information cross window borders.",
            ("swin_shifted",),
        ),
        Step(
            "A cyclic shift keeps the number of windows fixed; a mask stops regions that were not neighbours from attending to each other.",
            ("swin_mask", "swin_rolled"),
        ),
        Step("A learned relative position bias is added to each head's scores.", ("swin_bias",)),
    ],
    "swin-hierarchy": [
        Step(
            "Patch merging halves the resolution and doubles the channels between stages, like a CNN pyramid.",
            ("swin_pyramid",),
        ),
        Step("Swin-T at 224 px: 56×56×96, 28×28×192, 14×14×384, 7×7×768.", ("swin_t_pyramid",)),
        Step(
            "Global attention costs 2(hw)²C; window attention 2M²hwC: compare them as the image grows.",
            ("swin_cost",),
        ),
    ],
    "vision-results": [
        Step("The course's ImageNet results: CNNs, pure transformers and hybrids.", ("vr_imagenet",)),
        Step(
            "Accuracy against FLOPs and throughput: what does each family buy for its cost?",
            ("vr_axis", "vr_imagenet"),
        ),
        Step("COCO detection: transformer backbones and heads against CNNs.", ("vr_coco",)),
    ],
}


def lesson_for(url_path: str) -> list[Step]:
    """The steps for a page's URL path ('' is the home page); an empty list when a page has none."""
    return LESSONS.get(url_path or "home", [])

"""Presenter mode: the step-through of each page's explanation, for projecting in class.

Each page's steps are short sentences a teacher can click through (PageDown / PageUp, as presentation
clickers send, or the buttons) while the page below stays live.
"""
from __future__ import annotations

LESSONS: dict[str, list[str]] = {
    "home": [
        "A transformer builds each token's representation by attending to the other tokens.",
        "Three families: encoder-decoder (translation), encoder-only (BERT: understanding), decoder-only (GPT: "
        "generation).",
        "2017: the Transformer. 2018: BERT. 2020: GPT-3, DETR, ViT. 2021: many vision variants.",
        "The vanilla model: N = 6 layers, h = 8 heads, d_model = 512, d_ff = 2048. Each part has its own page.",
    ],
    "attention": [
        "Type a sentence. The model splits it into tokens, adding [CLS] at the start and [SEP] at the end.",
        "Each small map is one head. A row is a token asking (query); a column is a token answering (key).",
        "Every row sums to 1: it says how a token spreads its attention.",
        "Some heads look at the next or the previous word, some at [SEP], some at related words: compare layers.",
    ],
    "walkthrough": [
        "Step 1: multiply the token's vector x by W^Q, W^K and W^V to get its query, key and value.",
        "Step 2: score the query against every key with a dot product.",
        "Step 3: divide the scores by √d_k so the softmax does not become too peaked.",
        "Step 4: the softmax turns scores into weights that sum to 1.",
        "Step 5 and 6: weigh each value vector and add them up: that is the head's output z.",
        "Try the toy: 112 and 96, divided by 8, give 14 and 12; the softmax gives 0.88 and 0.12.",
        "Ablations: switch off the scaling and watch the entropy drop; switch on the causal mask and see the −∞.",
    ],
    "multihead": [
        "The model view shows every layer and head at once: look for patterns that repeat.",
        "The head view draws lines from each token to the tokens it attends to, one colour per head.",
        "The heads' outputs are concatenated and multiplied by W^O to mix them back together.",
        "Statistics rank the heads: previous-token heads, heads that park on [SEP], broad heads.",
        "Rollout follows attention through all layers, beside the raw attention of the last layer.",
    ],
    "positional": [
        "Attention alone ignores word order, so a position signal is added to every token.",
        "The sinusoid: each column is a wave; early columns change fast, late ones slowly.",
        "The dot product between two positions depends only on how far apart they are.",
        "Shifting by k positions is a rotation M_k, the same for every position.",
        "BERT and MiniLM learn their positions instead: compare their similarity pattern.",
    ],
    "layerwise": [
        "The Separation Index: the share of points whose nearest neighbour has the same label.",
        "Follow SI through the layers: where does the network separate the classes?",
        "A jump in SI marks a layer where branching or fusing makes sense.",
        "Layer-wise learning trains one layer at a time with its own classifier; compare with backpropagation.",
    ],
}


def lesson_for(url_path: str) -> list[str]:
    """The steps for a page's URL path ('' is the home page); an empty list when a page has none."""
    return LESSONS.get(url_path or "home", [])

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
    "models": [
        "The bundled models always work offline; real checkpoints come from the Hugging Face cache.",
        "Each model page's sidebar lists the models of its family, the bundled one first.",
        "A lecturer fetches a model once (python -m viz fetch vit-base) and copies the cache to the server.",
    ],
    "layerwise": [
        "The Separation Index: the share of points whose nearest neighbour has the same label.",
        "Follow SI through the layers: where does the network separate the classes?",
        "A jump in SI marks a layer where branching or fusing makes sense.",
        "Layer-wise learning trains one layer at a time with its own classifier; compare with backpropagation.",
    ],
    "encoder-decoder": [
        "The encoder reads the whole input; the decoder writes the output one token at a time.",
        "Masked self-attention: the decoder sees only what it has written so far (−∞ above the diagonal).",
        "Cross-attention: each output character looks back at the input characters it needs.",
        "The final linear layer and softmax give a probability for every next token; temperature reshapes it.",
        "Train a small model live and watch its loss fall and its attention become sharp.",
    ],
    "vit-patches": [
        "A Vision Transformer cuts the image into patches, like words in a sentence.",
        "Each patch is flattened into one long vector of pixel values.",
        "A learned linear projection turns each flattened patch into a d_model-wide embedding.",
        "A [CLS] token is put in front and a learned position embedding is added to every patch.",
    ],
    "vit-attention": [
        "The encoder blocks let every patch attend to every other patch.",
        "The [CLS] token's attention shows which patches it reads, per layer and head.",
        "Attention rollout follows attention through all layers to the input patches.",
        "The [CLS] token's final vector gives the class probabilities.",
    ],
    "swin": [
        "Swin attends only inside M × M windows: cost grows linearly with the image, not quadratically.",
        "Shifting the windows by M/2 in the next block lets information cross window borders.",
        "A cyclic shift keeps the number of windows fixed; a mask stops regions that were not neighbours from "
        "attending to each other.",
        "A learned relative position bias is added to each head's scores.",
    ],
    "swin-hierarchy": [
        "Patch merging halves the resolution and doubles the channels between stages, like a CNN pyramid.",
        "Swin-T at 224 px: 56×56×96, 28×28×192, 14×14×384, 7×7×768.",
        "Global attention costs 2(hw)²C; window attention 2M²hwC: compare them as the image grows.",
    ],
    "vision-results": [
        "The course's ImageNet results: CNNs, pure transformers and hybrids.",
        "Accuracy against FLOPs and throughput: what does each family buy for its cost?",
        "COCO detection: transformer backbones and heads against CNNs.",
    ],
}


def lesson_for(url_path: str) -> list[str]:
    """The steps for a page's URL path ('' is the home page); an empty list when a page has none."""
    return LESSONS.get(url_path or "home", [])

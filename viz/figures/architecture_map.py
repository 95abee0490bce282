"""The Transformer's architecture figure (Vaswani et al. 2017, figure 1), drawn by the app as SVG: every box
a link to the page and section that makes it live, the current page's boxes highlighted, the live model's
sizes beside the paper's base model.

Three variants: "encoder-decoder" (the paper; the bundled task models), "encoder" (BERT, all-MiniLM-L6-v2)
and "decoder" (GPT-2, drawn pre-LN as it computes: LayerNorm before each sub-layer, a final LayerNorm). Every
text is escaped; the links are relative ("block?view=Feed-forward"), so they work under any base path.
"""

from __future__ import annotations

import dataclasses
import html

from viz.figures.style import BLUE, ORANGE, VERMILLION, WHITE

VARIANTS = ("encoder-decoder", "encoder", "decoder")

#: part -> (page url_path, query) of the view that makes it live.
LINKS = {
    "inputs": ("attention", ""),
    "embedding": ("positional", ""),
    "positional": ("positional", ""),
    "attention": ("multihead", ""),
    "qkv": ("walkthrough", ""),
    "masked_attention": ("encoder-decoder", ""),
    "cross_attention": ("encoder-decoder", ""),
    "add_norm": ("block", "view=LayerNorm"),
    "norm": ("block", "view=LayerNorm"),
    "add": ("block", "view=Residuals"),
    "ffn": ("block", "view=Feed-forward"),
    "linear": ("block", "view=Output"),
    "softmax": ("block", "view=Output"),
    "stack": ("block", "view=Residuals"),
}

#: Where the decoder-only map sends a part instead: the decoder-only page computes it on a language model.
DECODER_LINKS = {
    "masked_attention": ("decoder-only", "lm_view=Inside+the+blocks"),
    "embedding": ("decoder-only", "lm_view=Embeddings"),
    "linear": ("decoder-only", ""),
    "softmax": ("decoder-only", ""),
}

#: Fill colour of each kind of box (the paper's figure colours them by kind, too).
FILLS = {
    "attention": "#FCE3C8",
    "qkv": "#FCE3C8",
    "masked_attention": "#FCE3C8",
    "cross_attention": "#FCE3C8",
    "add_norm": "#F5F3C4",
    "norm": "#F5F3C4",
    "add": "#F5F3C4",
    "ffn": "#CFE8F5",
    "embedding": "#F6D5E6",
    "positional": WHITE,
    "linear": "#D9D2EC",
    "softmax": "#CDEBDD",
    "inputs": WHITE,
}
FONT = 15  # px: the map is drawn at its own size (never scaled below it)
BOX_W, BOX_H, GAP = 200, 34, 14


def url(part: str, variant: str = "encoder-decoder") -> str:
    """The relative link of a part's live view ("block?view=Feed-forward") on ``variant``'s map."""
    page, query = (DECODER_LINKS if variant == "decoder" else {}).get(part) or LINKS[part]
    return f"{page}?{query}" if query else page


@dataclasses.dataclass(frozen=True)
class Sizes:
    """What the table beside the map lists, for the live model and for the paper's base model."""

    name: str
    n_layers: int
    n_heads: int
    d_model: int
    d_ff: int
    attention: int  # parameters of one block's attention (each, where a decoder block has two)
    ffn: int  # of one block's W1 + W2 (with biases)
    total: int


def paper_base(n_params: int) -> Sizes:
    """The paper's base model (N = 6, h = 8, d_model = 512, d_ff = 2048); ``n_params`` its total, counted by
    the caller from the model's config (the paper rounds it to 65M)."""
    return Sizes(
        "paper's base model",
        6,
        8,
        512,
        2048,
        4 * 512 * 512 + 4 * 512,
        512 * 2048 + 2048 + 2048 * 512 + 512,
        n_params,
    )


def _columns(variant: str) -> list[dict]:
    """Each column: its items from the bottom up (part, label), the stacked range, residual pairs
    (stream index -> add box index) and a title."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    encoder = dict(
        title="Encoder",
        items=[
            ("inputs", "Inputs (tokens)"),
            ("embedding", "Input embedding"),
            ("positional", "+ Positional encoding"),
            ("attention", "Multi-head attention"),
            ("add_norm", "Add & Norm"),
            ("ffn", "Feed-forward"),
            ("add_norm", "Add & Norm"),
        ],
        stack=(3, 6),
        residuals=[(3, 4), (5, 6)],
    )
    if variant == "encoder":
        return [encoder]
    if variant == "decoder":
        return [
            dict(
                title="Decoder (GPT-2: pre-LN)",
                items=[
                    ("inputs", "Inputs (tokens so far)"),
                    ("embedding", "Token embedding"),
                    ("positional", "+ Learned positions"),
                    ("norm", "LayerNorm"),
                    ("masked_attention", "Masked self-attention"),
                    ("add", "Add"),
                    ("norm", "LayerNorm"),
                    ("ffn", "Feed-forward"),
                    ("add", "Add"),
                    ("norm", "Final LayerNorm"),
                    ("linear", "Linear"),
                    ("softmax", "Softmax → next token"),
                ],
                stack=(3, 8),
                residuals=[(3, 5), (6, 8)],
            )
        ]
    decoder = dict(
        title="Decoder",
        items=[
            ("inputs", "Outputs (shifted right)"),
            ("embedding", "Output embedding"),
            ("positional", "+ Positional encoding"),
            ("masked_attention", "Masked self-attention"),
            ("add_norm", "Add & Norm"),
            ("cross_attention", "Cross-attention"),
            ("add_norm", "Add & Norm"),
            ("ffn", "Feed-forward"),
            ("add_norm", "Add & Norm"),
            ("linear", "Linear"),
            ("softmax", "Softmax → probabilities"),
        ],
        stack=(3, 8),
        residuals=[(3, 4), (5, 6), (7, 8)],
    )
    return [encoder, decoder]


def _text(
    x: float, y: float, text: str, size: int = FONT, anchor: str = "middle", weight: str = "normal"
) -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
        f'dominant-baseline="middle" fill="#222">{html.escape(text)}</text>'
    )


SIZE_FIELDS = [
    ("N (layers)", "n_layers"),
    ("h (heads)", "n_heads"),
    ("d_model", "d_model"),
    ("d_ff", "d_ff"),
    ("attention / block", "attention"),
    ("FFN (W1, W2) / block", "ffn"),
    ("parameters", "total"),
]


def sizes_table(base: Sizes, live: Sizes | None = None) -> list[dict[str, str]]:
    """The sizes beside the map, one row a size: the live model's (when given) and the paper's base model's
    (:func:`paper_base`)."""
    rows = []
    for label, field in SIZE_FIELDS:
        row = {"size": label}
        if live is not None:
            row[live.name] = f"{getattr(live, field):,}"
        row[base.name] = f"{getattr(base, field):,}"
        rows.append(row)
    return rows


def architecture_svg(
    variant: str = "encoder-decoder", current: frozenset[str] | set[str] = frozenset()
) -> str:
    """The map as an SVG string; ``current``: the parts the current page makes live (outlined in orange).

    Raises:
        ValueError: for an unknown variant or part.
    """
    return _draw(variant, current)[0]


def _draw(variant: str, current: frozenset[str] | set[str]) -> tuple[str, int, int, list[tuple]]:
    """The SVG, its width and height, and each linked box as (href, label, x, y, w, h)."""
    unknown = set(current) - set(LINKS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}; the map has {sorted(LINKS)}")
    columns = _columns(variant)
    n_rows = max(len(c["items"]) for c in columns)
    height = 70 + n_rows * (BOX_H + GAP) + 50
    col_x = [80 + i * (BOX_W + 96) for i in range(len(columns))]
    width = col_x[-1] + BOX_W + 80
    boxes: list[tuple] = []
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" font-family="sans-serif" style="max-width:100%;height:auto">',
        f"<title>{html.escape(f'Transformer architecture ({variant}); every box links to its live view')}</title>",
    ]
    tops: list[float] = []
    for c, column in enumerate(columns):
        x = col_x[c]
        items = column["items"]

        def y_of(i: int) -> float:
            return height - 60 - (i + 1) * (BOX_H + GAP)

        first, last = column["stack"]
        frame_top, frame_bottom = y_of(last) - 10, y_of(first) + BOX_H + 10
        frame_stroke = ORANGE if "stack" in current else "#888"
        parts.append(
            f'<rect x="{x - 34}" y="{frame_top:.0f}" width="{BOX_W + 48}" height="{frame_bottom - frame_top:.0f}" '
            f'rx="10" fill="#F4F4F4" stroke="{frame_stroke}" stroke-width="1.5"/>'
        )
        parts.append(f'<a href="{html.escape(url("stack", variant))}" target="_self">')
        parts.append(
            _text(
                x - 44 if c == 0 else x + BOX_W + 24,  # the decoder's on its right, clear of the cross path
                (frame_top + frame_bottom) / 2,
                "N×",
                size=18,
                anchor="end" if c == 0 else "start",
                weight="bold",
            )
        )
        parts.append("</a>")
        parts.append(_text(x + BOX_W / 2, 24, column["title"], size=17, weight="bold"))
        for i in range(len(items) - 1):  # the stream upwards
            parts.append(
                f'<line x1="{x + BOX_W / 2}" y1="{y_of(i):.0f}" x2="{x + BOX_W / 2}" '
                f'y2="{y_of(i + 1) + BOX_H:.0f}" stroke="#555" stroke-width="2"/>'
            )
        for start, add in column["residuals"]:  # around each sub-layer, into its Add
            y0 = y_of(start) + BOX_H + GAP / 2
            y1 = y_of(add) + BOX_H / 2
            parts.append(
                f'<path d="M {x + BOX_W / 2} {y0:.0f} H {x - 16} V {y1:.0f} H {x}" fill="none" '
                f'stroke="{BLUE}" stroke-width="2" stroke-dasharray="5 3"/>'
            )
        for i, (part, label) in enumerate(items):
            y = y_of(i)
            highlighted = part in current
            stroke, stroke_width = (ORANGE, 4) if highlighted else ("#555", 1.5)
            fill = FILLS.get(part, WHITE)
            boxes.append((url(part, variant), label, x, y, BOX_W, BOX_H))
            parts.append(f'<a href="{html.escape(url(part, variant))}" target="_self">')
            parts.append(
                f'<rect x="{x}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" rx="6" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="{stroke_width}"><title>{html.escape(label)}: open its live '
                f"view</title></rect>"
            )
            parts.append(
                _text(x + BOX_W / 2, y + BOX_H / 2, label, weight="bold" if highlighted else "normal")
            )
            parts.append("</a>")
        tops.append(y_of(last))
        column["y_of"] = y_of
    if len(columns) == 2:  # the encoder's output feeds every decoder block's cross-attention
        enc, dec = columns
        y_enc = enc["y_of"](enc["stack"][1])
        y_cross = dec["y_of"](5) + BOX_H / 2
        parts.append(
            f'<path d="M {col_x[0] + BOX_W / 2} {y_enc:.0f} V {y_enc - 24:.0f} H {col_x[1] - 50} V {y_cross:.0f} '
            f'H {col_x[1]}" fill="none" stroke="{VERMILLION}" stroke-width="2.5"/>'
        )
        parts.append(_text(col_x[1] - 55, y_enc - 36, "keys, values", size=FONT, anchor="end"))
    legend_y, legend_x = height - 14, 30
    parts.append(
        f'<line x1="{legend_x}" y1="{legend_y - 4}" x2="{legend_x + 30}" y2="{legend_y - 4}" stroke="{BLUE}" '
        f'stroke-width="2" stroke-dasharray="5 3"/>'
    )
    parts.append(_text(legend_x + 38, legend_y - 4, "residual connection", anchor="start"))
    if current:
        parts.append(
            f'<rect x="{legend_x + 230}" y="{legend_y - 14}" width="26" height="20" fill="none" stroke="{ORANGE}" '
            f'stroke-width="4"/>'
        )
        parts.append(_text(legend_x + 264, legend_y - 4, "this page", anchor="start"))
    parts.append("</svg>")
    return "".join(parts), width, height, boxes


def architecture_html(
    variant: str = "encoder-decoder", current: frozenset[str] | set[str] = frozenset()
) -> str:
    """The map for ``st.html``: the SVG as a picture (Streamlit's sanitiser keeps no inline SVG) under one
    transparent link per box, placed in percent so that they stay on their boxes at any width."""
    import base64

    svg, width, height, boxes = _draw(variant, current)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    alt = html.escape(
        f"The Transformer's architecture ({variant}); every box links to its live view", quote=True
    )
    links = "".join(
        f'<a href="{html.escape(href, quote=True)}" target="_self" title="{html.escape(label, quote=True)}: open '
        f'its live view" aria-label="{html.escape(label, quote=True)}" style="position:absolute;display:block;'
        f"left:{100 * x / width:.3f}%;top:{100 * y / height:.3f}%;width:{100 * w / width:.3f}%;"
        f'height:{100 * h / height:.3f}%"></a>'
        for href, label, x, y, w, h in boxes
    )
    return (
        f'<div style="position:relative;width:{width}px;max-width:100%">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{alt}" style="display:block;width:100%;height:auto"/>'
        f"{links}</div>"
    )


#: The strip's boxes per variant: (part, label), left to right; "[" and "]" mark the stacked block.
STRIPS = {
    "encoder": ["embedding", "positional", "[", "attention", "add_norm", "ffn", "add_norm", "]"],
    "encoder-decoder": [
        "embedding",
        "positional",
        "[",
        "attention",
        "add_norm",
        "ffn",
        "add_norm",
        "]",
        "cross_attention",
        "linear",
        "softmax",
    ],
    "decoder": [
        "embedding",
        "positional",
        "[",
        "norm",
        "masked_attention",
        "add",
        "norm",
        "ffn",
        "add",
        "]",
        "linear",
        "softmax",
    ],
}
STRIP_LABELS = {
    "embedding": "Embed",
    "positional": "+ Pos",
    "attention": "Self-attention",
    "masked_attention": "Masked attention",
    "cross_attention": "Cross-attention",
    "add_norm": "Add & Norm",
    "norm": "Norm",
    "add": "Add",
    "ffn": "Feed-forward",
    "linear": "Linear",
    "softmax": "Softmax",
}


def architecture_strip(
    variant: str, current: frozenset[str] | set[str] = frozenset(), n_layers: int | None = None
) -> str:
    """The small map for the top of a page: the variant's path as one row of linked boxes (the stacked block
    in a frame marked N×), as HTML for ``st.html``. Same links and highlight as :func:`architecture_svg`."""
    if variant not in STRIPS:
        raise ValueError(f"variant must be one of {tuple(STRIPS)}, got {variant!r}")
    out = ['<div style="display:flex;flex-wrap:wrap;align-items:center;gap:5px;font-size:15px">']
    for part in STRIPS[variant]:
        if part == "[":
            out.append(
                '<div style="display:flex;align-items:center;gap:6px;padding:4px 8px;border:1.5px solid #888;'
                'border-radius:8px;background:#F4F4F4">'
            )
            continue
        if part == "]":
            out.append(f'<b title="the block is repeated">{n_layers or "N"}×</b></div>')
            continue
        highlighted = part in current
        border = f"3px solid {ORANGE}" if highlighted else "1.5px solid #555"
        out.append(
            f'<a href="{html.escape(url(part, variant), quote=True)}" target="_self" style="padding:3px 9px;border:{border};'
            f"border-radius:6px;background:{FILLS.get(part, WHITE)};color:#222;text-decoration:none;"
            f'font-weight:{"bold" if highlighted else "normal"}">{html.escape(STRIP_LABELS[part])}</a>'
        )
    out.append("</div>")
    return "".join(out)

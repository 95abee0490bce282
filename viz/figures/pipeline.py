"""The whole of one attention head as a left-to-right strip of boxes, each sized by its matrix's shape:

    X (T x d_model) -> W^Q, W^K, W^V (d_model x d_k) -> Q, K, V (T x d_k) -> QK^T/sqrt(d_k) (T x T)
      -> softmax (T x T) -> Z (T x d_v)

A box is as wide as its matrix has columns and as tall as it has rows, on a square-root scale (d_model is
twelve times d_k in MiniLM: a linear strip would be a line and a tower); the stage a page is on is outlined.
Only numbers and our own names are written (no user text). Queries, keys and values keep their colours.
"""

from __future__ import annotations

import dataclasses
import math
from typing import TYPE_CHECKING

from viz.figures import style
from viz.figures.style import GREY, SELECTED_COLOUR, chart_layout, figure, rgba

if TYPE_CHECKING:
    from viz.figures.spec import Figure

#: Queries, keys and values: one colour each across the figures (style's, where it defines them).
QKV = getattr(style, "QKV_COLOURS", {"q": style.BLUE, "k": style.VERMILLION, "v": style.GREEN})
GAP = 6.5  # between the columns of the strip, in the units of a box's side (sqrt of a dimension)
INNER_GAP = 1.2  # between the boxes of one column (W^Q, W^K, W^V side by side)


@dataclasses.dataclass(frozen=True)
class Box:
    """One matrix of the strip: its name (plotly's HTML subset), its shape and where it is drawn."""

    key: str  # "X", "W_Q", ..., "Q", ..., "A_scaled", "A", "Z"
    name: str
    rows: int
    cols: int
    colour: str
    column: int = 0  # 0 (X) to 5 (Z): boxes of one column are one step of the computation
    x0: float = 0.0
    y0: float = 0.0

    @property
    def width(self) -> float:
        return math.sqrt(self.cols)

    @property
    def height(self) -> float:
        return math.sqrt(self.rows)


def side(n: int) -> float:
    """The drawn side (in strip units) of a matrix dimension of ``n``: sqrt(n)."""
    return math.sqrt(n)


def pipeline_boxes(n_tokens: int, d_model: int, d_k: int, d_v: int | None = None) -> list[Box]:
    """The strip's boxes, in order, placed left to right (columns centred on y = 0).

    Raises:
        ValueError: if a dimension is not positive.
    """
    d_v = d_k if d_v is None else d_v
    if min(n_tokens, d_model, d_k, d_v) < 1:
        raise ValueError(
            f"dimensions must be positive: T={n_tokens}, d_model={d_model}, d_k={d_k}, d_v={d_v}"
        )
    T = n_tokens
    columns = [
        [Box("X", "X", T, d_model, GREY)],
        [
            Box("W_Q", "W<sup>Q</sup>", d_model, d_k, QKV["q"]),
            Box("W_K", "W<sup>K</sup>", d_model, d_k, QKV["k"]),
            Box("W_V", "W<sup>V</sup>", d_model, d_v, QKV["v"]),
        ],
        [Box("Q", "Q", T, d_k, QKV["q"]), Box("K", "K", T, d_k, QKV["k"]), Box("V", "V", T, d_v, QKV["v"])],
        [Box("A_scaled", "QK<sup>T</sup>/√d<sub>k</sub>", T, T, GREY)],
        [Box("A", "softmax", T, T, GREY)],
        [Box("Z", "Z", T, d_v, QKV["v"])],
    ]
    placed, x = [], 0.0
    for c, column in enumerate(columns):
        for box in column:
            placed.append(dataclasses.replace(box, column=c, x0=x, y0=-box.height / 2))
            x += box.width + INNER_GAP
        x += GAP - INNER_GAP
    return placed


#: Which boxes each stage of the walk-through works on.
STAGE_BOXES = {
    "x": ("X",),
    "q, k, v": ("W_Q", "W_K", "W_V", "Q", "K", "V"),
    "q · k": ("Q", "K", "A_scaled"),
    "÷ √d_k": ("A_scaled",),
    "softmax": ("A",),
    "w · v": ("A", "V"),
    "z": ("Z",),
}


def _arrow(x_from: float, x_to: float) -> dict:
    return dict(
        x=x_to,
        y=0,
        ax=x_from,
        ay=0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowwidth=2,
        arrowcolor="#555555",
        standoff=2,
        startstandoff=2,
    )


def pipeline_strip(
    n_tokens: int,
    d_model: int,
    d_k: int,
    d_v: int | None = None,
    current: tuple[str, ...] = (),
    title: str = "One head, from X to Z",
) -> Figure:
    """The strip of :func:`pipeline_boxes`, with the boxes named in ``current`` outlined and filled strongly
    (the others pale). Each box is labelled with its name above and its shape below."""
    boxes = pipeline_boxes(n_tokens, d_model, d_k, d_v)
    unknown = set(current) - {b.key for b in boxes}
    if unknown:
        raise ValueError(f"no box {sorted(unknown)} in the strip (boxes: {[b.key for b in boxes]})")
    top = max(b.height for b in boxes) / 2
    shapes, notes = [], []
    for box in boxes:
        on = box.key in current
        shapes.append(
            dict(
                type="rect",
                xref="x",
                yref="y",
                x0=box.x0,
                x1=box.x0 + box.width,
                y0=box.y0,
                y1=box.y0 + box.height,
                fillcolor=rgba(box.colour, 0.85 if on else 0.25),
                line=dict(color=SELECTED_COLOUR if on else box.colour, width=5 if on else 1),
                name=box.key,  # read back by the tests: which box is which
            )
        )
        centre = box.x0 + box.width / 2
        notes.append(
            dict(
                x=centre,
                y=box.y0 + box.height,
                yanchor="bottom",
                text=f"<b>{box.name}</b>" if on else box.name,
            )
        )
    # the shape under each box; a column of three alike (W^Q, W^K, W^V; Q, K, V) says it once
    for c in range(boxes[-1].column + 1):
        column = [b for b in boxes if b.column == c]
        middle = column[len(column) // 2]
        alike = len(column) > 1 and len({(b.rows, b.cols) for b in column}) == 1
        shape = f"{middle.rows}×{middle.cols}" + (" each" if alike else "")
        notes.append(dict(x=middle.x0 + middle.width / 2, y=middle.y0, yanchor="top", text=shape))
    for note in notes:
        note.update(xref="x", yref="y", showarrow=False)
    # an arrow from each column's right edge to the next column's left edge
    n_columns = boxes[-1].column + 1
    left = [min(b.x0 for b in boxes if b.column == c) for c in range(n_columns)]
    right = [max(b.x0 + b.width for b in boxes if b.column == c) for c in range(n_columns)]
    notes.extend(_arrow(right[c], left[c + 1]) for c in range(n_columns - 1))
    end = boxes[-1].x0 + boxes[-1].width
    axis = dict(visible=False, showgrid=False, zeroline=False, fixedrange=True)
    return figure(
        [],
        chart_layout(
            title,
            195,
            top=34,
            bottom=0,
            shapes=shapes,
            annotations=notes,
            xaxis=dict(axis, range=[-1.0, end + 1.0]),
            yaxis=dict(axis, range=[-top - 3.4, top + 3.4], scaleanchor="x"),
            showlegend=False,
            plot_bgcolor="rgba(0, 0, 0, 0)",
        ),
    )

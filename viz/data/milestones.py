"""Key milestones of the transformer, after the course material's timeline (Han et al., survey, 2022)."""

from __future__ import annotations

#: One milestone a line: date as year-month | name | what it showed | field.
_TABLE = """
2017-06 | Transformer       | Built solely on attention; strong results on NLP tasks (Vaswani et al.).              | NLP
2018-10 | BERT              | Pre-trained transformer encoders come to dominate NLP.                                | NLP
2020-05 | GPT-3             | A huge decoder-only transformer (175B parameters), a step towards general NLP models. | NLP
2020-05 | DETR              | Object detection as direct set prediction with a transformer.                         | Vision
2020-07 | iGPT              | The NLP transformer recipe used for image pre-training.                               | Vision
2020-10 | ViT               | A pure transformer on image patches works well for visual recognition.                | Vision
2020-12 | IPT / SETR / CLIP | Transformers for low-level vision, segmentation and multimodality.                    | Vision
2021-06 | ViT variants      | DeiT, PVT, TNT, Swin and more refine the vision transformer.                          | Vision
"""
MILESTONES: list[tuple[str, str, str, str]] = [
    tuple(cell.strip() for cell in line.split("|")) for line in _TABLE.strip().splitlines()
]


def milestone_table() -> list[dict[str, str]]:
    """The milestones as records (date, name, what it showed, field), e.g. for a CSV download."""
    return [dict(date=d, name=n, what=w, field=f) for d, n, w, f in MILESTONES]

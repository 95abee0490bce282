"""The typed course tables: complete, consistent, and spot-checked against the course's rows."""

from __future__ import annotations

import pytest

from viz.data import vision_results as vr


def test_imagenet_table_is_complete():
    assert len(vr.IMAGENET) == 37
    counts = {f: sum(r.family == f for r in vr.IMAGENET) for f in vr.IMAGENET_FAMILIES}
    assert counts == {vr.CNN: 8, vr.PURE: 16, vr.HYBRID: 13}
    assert len({r.model for r in vr.IMAGENET}) == 37
    assert {r.architecture for r in vr.IMAGENET} == {
        "ResNet",
        "EfficientNet",
        "DeiT",
        "T2T-ViT",
        "PVT",
        "TNT",
        "CPVT",
        "Swin",
        "Twins",
        "Shuffle",
        "CMT",
        "VOLO",
    }
    for r in vr.IMAGENET:
        assert r.architecture.split("-")[0] in r.model.replace("Twins-SVT", "Twins")
        assert 0 < r.params_m < 300 and 0 < r.flops_b < 70 and 60 <= r.throughput <= 2700 and 70 < r.top1 < 87


@pytest.mark.parametrize(
    "model,values",
    [
        ("ResNet-50", (25.6, 4.1, 1226, 79.1)),
        ("EfficientNet-B0", (5.3, 0.39, 2694, 77.1)),
        ("DeiT-B", (86, 17.6, 292, 81.8)),
        ("Swin-T", (29, 4.5, 755, 81.3)),
        ("Swin-B", (88, 15.4, 278, 83.3)),
        ("Twins-SVT-L", (99.2, 15.1, 288, 83.7)),
        ("VOLO-D5", (296, 69.0, 64, 86.1)),
    ],
)
def test_imagenet_rows_as_printed(model, values):
    row = next(r for r in vr.IMAGENET if r.model == model)
    assert (row.params_m, row.flops_b, row.throughput, row.top1) == values


def test_coco_table_is_complete():
    assert len(vr.COCO) == 23
    counts = {f: sum(r.family == f for r in vr.COCO) for f in vr.COCO_FAMILIES}
    assert counts == {vr.CNN_DET: 2, vr.CNN_BACKBONE_TF_HEAD: 10, vr.TF_BACKBONE_CNN_HEAD: 6, vr.PURE_DET: 5}
    assert len({r.method for r in vr.COCO}) == 23
    for r in vr.COCO:
        for value in (r.ap, r.ap50, r.ap75, r.ap_s, r.ap_m, r.ap_l):
            assert value is None or 0 < value < 70
        if r.ap50 is not None and r.ap75 is not None:
            assert r.ap50 > r.ap75 and r.ap50 > r.ap  # AP averages IoU 0.5-0.95: below AP50
    estimated = {r.method for r in vr.COCO if r.fps_estimated}
    assert estimated == {"FCOS", "TSP-FCOS", "TSP-RCNN", "ACT+MKKD (L=32)"}


@pytest.mark.parametrize(
    "method,values",
    [
        ("Deformable DETR", (50, 46.2, 65.2, 50.0, 28.8, 49.2, 61.7, 40, 173, 19)),
        ("Swin-T+RetinaNet", (12, 41.5, 62.1, 44.2, 25.1, 44.9, 55.5, 38.5, 118, None)),
        ("Swin-T+ATSS", (36, 47.2, 66.5, 51.3, None, None, None, 36, 215, None)),
        ("YOLOS-Ti", (300, 30.0, None, None, None, None, None, 6.5, 21, None)),
        ("ACT+MKKD (L=32)", (None, 43.1, None, None, 61.4, 47.1, 22.2, None, 169, 14)),
    ],
)
def test_coco_rows_as_printed(method, values):
    r = next(r for r in vr.COCO if r.method == method)
    assert (r.epochs, r.ap, r.ap50, r.ap75, r.ap_s, r.ap_m, r.ap_l, r.params_m, r.gflops, r.fps) == values


def test_vit_variants():
    assert [(v.model, v.layers, v.hidden_size, v.mlp_size, v.heads, v.params_m) for v in vr.VIT_VARIANTS] == [
        ("ViT-Base", 12, 768, 3072, 12, 86),
        ("ViT-Large", 24, 1024, 4096, 16, 307),
        ("ViT-Huge", 32, 1280, 5120, 16, 632),
    ]


def test_column_headings_cover_every_field():
    assert list(vr.IMAGENET_COLUMNS) == list(vr.records(vr.IMAGENET)[0])
    # every printed field has a heading; "doubtful" is ours (what the chart marks), not a column of the source
    assert list(vr.COCO_COLUMNS) + ["doubtful"] == list(vr.records(vr.COCO)[0])
    assert list(vr.VIT_COLUMNS) == list(vr.records(vr.VIT_VARIANTS)[0])
    for source in (vr.IMAGENET_SOURCE, vr.COCO_SOURCE, vr.VIT_SOURCE):
        assert "Kalhor" in source

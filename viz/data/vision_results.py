"""The course's tables of vision results, typed in by hand: ImageNet classification, COCO 2017 detection,
and the ViT sizes.

Values are copied as printed in the course material (slides by Ahmad Kalhor, University of Tehran), which
reproduces Tables 2 and 3 of Han et al., "A Survey on Vision Transformer" (IEEE TPAMI, 2022) and Table 1 of
Dosovitskiy et al., "An Image is Worth 16x16 Words" (ICLR 2021). A "-" in the source is ``None`` here.
Plain Python only: the charts, the tables on the page and the tests all read these tuples.
"""

from __future__ import annotations

import dataclasses

COURSE = "Course material: Ahmad Kalhor (University of Tehran), Transformers, section on vision transformers"
IMAGENET_SOURCE = (
    f"{COURSE}: 'ImageNet result comparison of representative CNN and vision transformer models', "
    "after Han et al., A Survey on Vision Transformer (IEEE TPAMI 2022), Table 2"
)
COCO_SOURCE = (
    f"{COURSE}: 'Comparison of different transformer-based object detectors on COCO 2017 val set', "
    "after Han et al., A Survey on Vision Transformer (IEEE TPAMI 2022), Table 3. FPS measured on an NVIDIA "
    "Tesla V100 GPU as reported by Deformable DETR; † marks speeds estimated from the papers"
)
VIT_SOURCE = f"{COURSE}: the three ViT models, after Dosovitskiy et al. (ICLR 2021), Table 1"

#: ImageNet families, in the order of the course's table.
CNN, PURE, HYBRID = "CNN", "Pure transformer", "CNN + transformer"
IMAGENET_FAMILIES = (CNN, PURE, HYBRID)
#: What the course says each family means.
FAMILY_NOTES = {
    CNN: "convolutional networks",
    PURE: "only a few convolutions, in the stem",
    HYBRID: "convolutions in the intermediate layers",
}


@dataclasses.dataclass(frozen=True)
class ImageNetResult:
    model: str
    family: str  # one of IMAGENET_FAMILIES
    architecture: str  # the model's line (ResNet, DeiT, Swin, ...)
    params_m: float  # parameters, millions
    flops_b: float  # FLOPs per image, billions
    throughput: float  # images per second
    top1: float  # ImageNet top-1 accuracy, %


IMAGENET: tuple[ImageNetResult, ...] = (
    ImageNetResult("ResNet-50", CNN, "ResNet", 25.6, 4.1, 1226, 79.1),
    ImageNetResult("ResNet-101", CNN, "ResNet", 44.7, 7.9, 753, 79.9),
    ImageNetResult("ResNet-152", CNN, "ResNet", 60.2, 11.5, 526, 80.8),
    ImageNetResult("EfficientNet-B0", CNN, "EfficientNet", 5.3, 0.39, 2694, 77.1),
    ImageNetResult("EfficientNet-B1", CNN, "EfficientNet", 7.8, 0.70, 1662, 79.1),
    ImageNetResult("EfficientNet-B2", CNN, "EfficientNet", 9.2, 1.0, 1255, 80.1),
    ImageNetResult("EfficientNet-B3", CNN, "EfficientNet", 12, 1.8, 732, 81.6),
    ImageNetResult("EfficientNet-B4", CNN, "EfficientNet", 19, 4.2, 349, 82.9),
    ImageNetResult("DeiT-Ti", PURE, "DeiT", 5, 1.3, 2536, 72.2),
    ImageNetResult("DeiT-S", PURE, "DeiT", 22, 4.6, 940, 79.8),
    ImageNetResult("DeiT-B", PURE, "DeiT", 86, 17.6, 292, 81.8),
    ImageNetResult("T2T-ViT-14", PURE, "T2T-ViT", 21.5, 5.2, 764, 81.5),
    ImageNetResult("T2T-ViT-19", PURE, "T2T-ViT", 39.2, 8.9, 464, 81.9),
    ImageNetResult("T2T-ViT-24", PURE, "T2T-ViT", 64.1, 14.1, 312, 82.3),
    ImageNetResult("PVT-Small", PURE, "PVT", 24.5, 3.8, 820, 79.8),
    ImageNetResult("PVT-Medium", PURE, "PVT", 44.2, 6.7, 526, 81.2),
    ImageNetResult("PVT-Large", PURE, "PVT", 61.4, 9.8, 367, 81.7),
    ImageNetResult("TNT-S", PURE, "TNT", 23.8, 5.2, 428, 81.5),
    ImageNetResult("TNT-B", PURE, "TNT", 65.6, 14.1, 246, 82.9),
    ImageNetResult("CPVT-S", PURE, "CPVT", 23, 4.6, 930, 80.5),
    ImageNetResult("CPVT-B", PURE, "CPVT", 88, 17.6, 285, 82.3),
    ImageNetResult("Swin-T", PURE, "Swin", 29, 4.5, 755, 81.3),
    ImageNetResult("Swin-S", PURE, "Swin", 50, 8.7, 437, 83.0),
    ImageNetResult("Swin-B", PURE, "Swin", 88, 15.4, 278, 83.3),
    ImageNetResult("Twins-SVT-S", HYBRID, "Twins", 24, 2.9, 1059, 81.7),
    ImageNetResult("Twins-SVT-B", HYBRID, "Twins", 56, 8.6, 469, 83.2),
    ImageNetResult("Twins-SVT-L", HYBRID, "Twins", 99.2, 15.1, 288, 83.7),
    ImageNetResult("Shuffle-T", HYBRID, "Shuffle", 29, 4.6, 791, 82.5),
    ImageNetResult("Shuffle-S", HYBRID, "Shuffle", 50, 8.9, 450, 83.5),
    ImageNetResult("Shuffle-B", HYBRID, "Shuffle", 88, 15.6, 279, 84.0),
    ImageNetResult("CMT-S", HYBRID, "CMT", 25.1, 4.0, 563, 83.5),
    ImageNetResult("CMT-B", HYBRID, "CMT", 45.7, 9.3, 285, 84.5),
    ImageNetResult("VOLO-D1", HYBRID, "VOLO", 27, 6.8, 481, 84.2),
    ImageNetResult("VOLO-D2", HYBRID, "VOLO", 59, 14.1, 244, 85.2),
    ImageNetResult("VOLO-D3", HYBRID, "VOLO", 86, 20.6, 168, 85.4),
    ImageNetResult("VOLO-D4", HYBRID, "VOLO", 193, 43.8, 100, 85.7),
    ImageNetResult("VOLO-D5", HYBRID, "VOLO", 296, 69.0, 64, 86.1),
)

#: COCO detector families, in the order of the course's table.
CNN_DET = "CNN based"
CNN_BACKBONE_TF_HEAD = "CNN backbone + transformer head"
TF_BACKBONE_CNN_HEAD = "Transformer backbone + CNN head"
PURE_DET = "Pure transformer based"
COCO_FAMILIES = (CNN_DET, CNN_BACKBONE_TF_HEAD, TF_BACKBONE_CNN_HEAD, PURE_DET)


@dataclasses.dataclass(frozen=True)
class CocoResult:
    method: str  # as printed, with the pre-training or epochs added where two rows share a name
    family: str  # one of COCO_FAMILIES
    epochs: int | None
    ap: float
    ap50: float | None
    ap75: float | None
    ap_s: float | None  # small objects
    ap_m: float | None
    ap_l: float | None
    params_m: float | None
    gflops: float | None
    fps: float | None
    fps_estimated: bool = False  # † in the source
    note: str = ""
    doubtful: tuple[str, ...] = ()  # metrics printed as in the source but very likely wrong there


COCO: tuple[CocoResult, ...] = (
    CocoResult("FCOS", CNN_DET, 36, 41.0, 59.8, 44.1, 26.2, 44.6, 52.2, None, 177, 23, True),
    CocoResult("Faster R-CNN + FPN", CNN_DET, 109, 42.0, 62.1, 45.5, 26.6, 45.4, 53.4, 42, 180, 26),
    CocoResult("DETR", CNN_BACKBONE_TF_HEAD, 500, 42.0, 62.4, 44.2, 20.5, 45.8, 61.1, 41, 86, 28),
    CocoResult("DETR-DC5", CNN_BACKBONE_TF_HEAD, 500, 43.3, 63.1, 45.9, 22.5, 47.3, 61.1, 41, 187, 12),
    CocoResult("Deformable DETR", CNN_BACKBONE_TF_HEAD, 50, 46.2, 65.2, 50.0, 28.8, 49.2, 61.7, 40, 173, 19),
    CocoResult("TSP-FCOS", CNN_BACKBONE_TF_HEAD, 36, 43.1, 62.3, 47.0, 26.6, 46.8, 55.9, None, 189, 20, True),
    CocoResult("TSP-RCNN", CNN_BACKBONE_TF_HEAD, 96, 45.0, 64.5, 49.6, 29.7, 47.7, 58.0, None, 188, 15, True),
    CocoResult(
        "ACT+MKKD (L=32)",
        CNN_BACKBONE_TF_HEAD,
        None,
        43.1,
        None,
        None,
        61.4,
        47.1,
        22.2,
        None,
        169,
        14,
        True,
        note="APS and APL as printed (they look swapped in the source)",
        doubtful=("ap_s", "ap_l"),
    ),
    CocoResult("SMCA", CNN_BACKBONE_TF_HEAD, 108, 45.6, 65.5, 49.1, 25.9, 49.3, 62.6, None, None, None),
    CocoResult("Efficient DETR", CNN_BACKBONE_TF_HEAD, 36, 45.1, 63.1, 49.1, 28.3, 48.4, 59.0, 35, 210, None),
    CocoResult(
        "UP-DETR (150 epochs)", CNN_BACKBONE_TF_HEAD, 150, 40.5, 60.8, 42.6, 19.0, 44.4, 60.0, 41, None, None
    ),
    CocoResult(
        "UP-DETR (300 epochs)", CNN_BACKBONE_TF_HEAD, 300, 42.8, 63.0, 45.3, 20.8, 47.1, 61.7, 41, None, None
    ),
    CocoResult(
        "ViT-B/16-FRCNN ‡",
        TF_BACKBONE_CNN_HEAD,
        21,
        36.6,
        56.3,
        39.3,
        17.4,
        40.0,
        55.5,
        None,
        None,
        None,
        note="‡ backbone pre-trained on ImageNet-21k",
    ),
    CocoResult(
        "ViT-B/16-FRCNN *",
        TF_BACKBONE_CNN_HEAD,
        21,
        37.8,
        57.4,
        40.1,
        17.8,
        41.4,
        57.3,
        None,
        None,
        None,
        note="* backbone pre-trained on a private dataset of 1.3 billion images",
    ),
    CocoResult(
        "PVT-Small+RetinaNet", TF_BACKBONE_CNN_HEAD, 12, 40.4, 61.3, 43.0, 25.0, 42.9, 55.7, 34.2, 118, None
    ),
    CocoResult(
        "Twins-SVT-S+RetinaNet", TF_BACKBONE_CNN_HEAD, 12, 43.0, 64.2, 46.3, 28.0, 46.4, 57.5, 34.3, 104, None
    ),
    CocoResult(
        "Swin-T+RetinaNet", TF_BACKBONE_CNN_HEAD, 12, 41.5, 62.1, 44.2, 25.1, 44.9, 55.5, 38.5, 118, None
    ),
    CocoResult("Swin-T+ATSS", TF_BACKBONE_CNN_HEAD, 36, 47.2, 66.5, 51.3, None, None, None, 36, 215, None),
    CocoResult("PVT-Small+DETR", PURE_DET, 50, 34.7, 55.7, 35.4, 12.0, 36.4, 56.7, 40, None, None),
    CocoResult("TNT-S+DETR", PURE_DET, 50, 38.2, 58.9, 39.4, 15.5, 41.1, 58.8, 39, None, None),
    CocoResult("YOLOS-Ti", PURE_DET, 300, 30.0, None, None, None, None, None, 6.5, 21, None),
    CocoResult("YOLOS-S", PURE_DET, 150, 37.6, 57.6, 39.2, 15.9, 40.2, 57.3, 28, 179, None),
    CocoResult("YOLOS-B", PURE_DET, 150, 42.0, 62.2, 44.5, 19.5, 45.3, 62.1, 127, 537, None),
)


@dataclasses.dataclass(frozen=True)
class ViTVariant:
    model: str
    layers: int
    hidden_size: int  # D
    mlp_size: int
    heads: int
    params_m: float


VIT_VARIANTS: tuple[ViTVariant, ...] = (
    ViTVariant("ViT-Base", 12, 768, 3072, 12, 86),
    ViTVariant("ViT-Large", 24, 1024, 4096, 16, 307),
    ViTVariant("ViT-Huge", 32, 1280, 5120, 16, 632),
)

#: Column headings for each table, in the course's order (field name -> heading).
IMAGENET_COLUMNS = {
    "model": "Model",
    "family": "Family",
    "architecture": "Architecture",
    "params_m": "Params (M)",
    "flops_b": "FLOPs (B)",
    "throughput": "Throughput (images/s)",
    "top1": "Top-1 (%)",
}
COCO_COLUMNS = {
    "method": "Method",
    "family": "Family",
    "epochs": "Epochs",
    "ap": "AP",
    "ap50": "AP50",
    "ap75": "AP75",
    "ap_s": "AP_S",
    "ap_m": "AP_M",
    "ap_l": "AP_L",
    "params_m": "#Params (M)",
    "gflops": "GFLOPs",
    "fps": "FPS",
    "fps_estimated": "FPS estimated (†)",
    "note": "Note",
}
VIT_COLUMNS = {
    "model": "Model",
    "layers": "Layers",
    "hidden_size": "Hidden size D",
    "mlp_size": "MLP size",
    "heads": "Heads",
    "params_m": "Params (M)",
}


def records(rows) -> list[dict]:
    """The rows of one of the tables as plain dicts (field name -> value), in order."""
    return [dataclasses.asdict(r) for r in rows]

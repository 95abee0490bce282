"""Shapes as students make them: drawn by hand, filled or outlined, on paper or on textures, photographed with
a phone; and images with no shape at all ("none of these"). The training data of the bundled vision models.

Each image: one of the eight classes of :mod:`viz.data.shapes` (its geometry, then a wobble: the outline is
densified and bent by smooth random waves, as a hand draws), covering 3% to 60% of the image, filled or
outlined with a pen-to-marker stroke (an outline may not close exactly), in a pen colour on paper (plain,
lined, squared) or a contrasting colour on the synthetic backgrounds of :mod:`viz.data.shapes`; then the
camera: uneven light, a slight perspective, blur, sensor noise and JPEG compression. A ninth class, "none of
these", is the same backgrounds and camera with no shape, or a crop of a sample photograph (not the cat:
the app's cat photograph stays out of training, so "the cat is none of these" is a held-out test).

The mask is the shape's silhouette (the region its outer boundary encloses, stroke included; a ring's
annulus), warped with the image, so the pointing measure asks the rollout to fall on the drawn shape.

Only numpy and Pillow; reproducible from the generator passed in.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from viz.data.shapes import (
    BACKGROUNDS,
    CLASSES,
    IMAGE_SIZE,
    LABELS,
    _background,
    _contrasting_colour,
    area_per_squared_radius,
    shape_outline,
)

NONE = len(CLASSES)  # the label of "none of these"
PAPERS: tuple[str, ...] = ("paper", "lined paper", "squared paper")
#: Every background a drawn image may have: paper (as a phone photographs a sheet) and the textures.
DRAWN_BACKGROUNDS: tuple[str, ...] = PAPERS + BACKGROUNDS
STYLES: tuple[str, ...] = ("filled", "outline")
#: The shape's area as a share of the image: from a small doodle to most of the sheet (log-uniform).
AREA_RANGE = (0.03, 0.60)
PAPER_SHARE = 0.55  # images on paper; the rest on the synthetic backgrounds
OUTLINE_SHARE = 0.5
PHOTO_SHARE = 0.3  # "none of these" images that are crops of a photograph
#: Photographs the "none of these" class crops (scikit-image's sample data; the cat is held out).
PHOTOS = ("astronaut.jpg", "coffee.jpg", "rocket.jpg")
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"
_K = 4  # drawn at 4x, averaged down
#: Pen colours on paper: black, blue and red ballpoint, green, pencil grey.
_INKS = np.array(
    [(25, 25, 30), (30, 50, 160), (190, 30, 35), (20, 120, 60), (105, 105, 110)], dtype=np.float64
)


@dataclasses.dataclass(frozen=True, eq=False)
class DrawnSample:
    image: np.ndarray  # (S, S, 3) uint8
    mask: np.ndarray  # (S, S) bool: the silhouette, empty for "none of these"
    label: int  # index into LABELS (8: none of these)
    style: str  # "filled", "outline" or "none"
    background: str  # one of DRAWN_BACKGROUNDS, or "photo"

    @property
    def name(self) -> str:
        return LABELS[self.label]

    @property
    def coverage(self) -> float:
        return float(self.mask.mean())


def _closed_outline(name: str, radius: float, rotation: float) -> list[np.ndarray]:
    """The class's boundary as closed polygons centred at 0: one, or two for the ring (outer, inner)."""
    vertices, inner = shape_outline(name, radius, rotation)
    if vertices is not None:
        return [vertices]
    circle = [_circle(radius)]
    return circle + ([_circle(inner)] if inner is not None else [])


def _circle(radius: float, n: int = 64) -> np.ndarray:
    angles = 2 * np.pi * np.arange(n) / n
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def _densify(polygon: np.ndarray, n: int = 96) -> np.ndarray:
    """``n`` points spaced evenly along the closed polygon's perimeter (corners kept where they fall)."""
    closed = np.vstack([polygon, polygon[:1]])
    steps = np.linalg.norm(np.diff(closed, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    t = np.linspace(0, along[-1], n, endpoint=False)
    return np.stack([np.interp(t, along, closed[:, 0]), np.interp(t, along, closed[:, 1])], axis=1)


def _wobble(polygon: np.ndarray, radius: float, rng: np.random.Generator, amount: float) -> np.ndarray:
    """Bend the densified outline along its normals by a few smooth waves (a hand's unsteady line)."""
    points = _densify(polygon)
    n = len(points)
    t = 2 * np.pi * np.arange(n) / n
    offset = np.zeros(n)
    for frequency in rng.integers(2, 6, size=3):  # slow waves, the faster ones smaller
        offset += rng.normal(0, 1) / frequency * np.sin(frequency * t + rng.uniform(0, 2 * np.pi))
    offset *= amount * radius
    tangent = np.roll(points, -1, axis=0) - np.roll(points, 1, axis=0)
    normal = np.stack([tangent[:, 1], -tangent[:, 0]], axis=1)
    normal /= np.maximum(np.linalg.norm(normal, axis=1, keepdims=True), 1e-9)
    return points + offset[:, None] * normal


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    canvas = Image.new("L", (IMAGE_SIZE * _K, IMAGE_SIZE * _K), 0)
    return canvas, ImageDraw.Draw(canvas)


def _coverage(canvas: Image.Image) -> np.ndarray:
    return np.asarray(canvas.reduce(_K), dtype=np.float32) / 255.0


def _to_canvas(polygon: np.ndarray, centre: tuple[float, float]) -> list[tuple[float, float]]:
    return [((centre[0] + x) * _K, (centre[1] + y) * _K) for x, y in polygon]


def _silhouette(polygons: list[np.ndarray], centre: tuple[float, float]) -> np.ndarray:
    """(S, S) coverage of the region the outer polygon encloses (minus a ring's hole)."""
    canvas, draw = _canvas()
    draw.polygon(_to_canvas(polygons[0], centre), fill=255)
    for hole in polygons[1:]:
        draw.polygon(_to_canvas(hole, centre), fill=0)
    return _coverage(canvas)


def _stroke(polygons: list[np.ndarray], centre: tuple[float, float], width: float, rng) -> np.ndarray:
    """(S, S) coverage of the outlines drawn as lines ``width`` pixels wide; a hand may leave a small gap
    where the line should close, or overshoot it."""
    canvas, draw = _canvas()
    for polygon in polygons:
        points = _to_canvas(polygon, centre)
        start = int(rng.integers(len(points)))
        points = points[start:] + points[:start]
        ending = rng.random()
        if ending < 0.3:  # a gap
            points = points[: len(points) - int(rng.integers(1, max(2, len(points) // 12)))]
        elif ending < 0.6:  # an overshoot
            points = points + points[1 : 1 + int(rng.integers(1, max(2, len(points) // 10)))]
        else:
            points = points + points[:1]
        draw.line(points, fill=255, width=max(1, round(width * _K)), joint="curve")
    return _coverage(canvas)


def _paper(rng: np.random.Generator, kind: str) -> np.ndarray:
    """(S, S, 3) float: an off-white sheet, maybe ruled or squared, with fibre-like noise."""
    s = IMAGE_SIZE
    tint = rng.uniform(225, 255) - np.array([0.0, rng.uniform(0, 6), rng.uniform(0, 14)])
    low = rng.normal(0, 1, (6, 6))
    grain = np.asarray(Image.fromarray(low.astype(np.float32)).resize((s, s), Image.BICUBIC))
    sheet = np.broadcast_to(tint, (s, s, 3)) + grain[..., None] * rng.uniform(0, 4)
    if kind == "paper":
        return sheet
    tilt = rng.uniform(-0.12, 0.12)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float64)
    spacing = rng.uniform(4.0, 9.0)
    ink = np.array([rng.uniform(90, 170), rng.uniform(150, 200), rng.uniform(210, 245)])  # pale blue
    strength = rng.uniform(0.35, 0.8)

    def lines(u: np.ndarray) -> np.ndarray:
        d = np.abs((u / spacing + 0.5) % 1.0 - 0.5) * spacing  # pixels to the nearest line
        return np.exp(-((d / 0.6) ** 2))

    v = yy + tilt * xx + rng.uniform(0, spacing)
    weight = lines(v)
    if kind == "squared paper":
        weight = np.maximum(weight, lines(xx - tilt * yy + rng.uniform(0, spacing)))
    elif rng.random() < 0.5:  # the red margin of a school notebook
        margin = np.exp(-(((xx - rng.uniform(4, 14)) / 0.7) ** 2))
        sheet = sheet + (np.array([230.0, 90, 90]) - sheet) * (margin * strength)[..., None]
    return sheet + (ink - sheet) * (weight * strength)[..., None]


def _ink(rng: np.random.Generator, on_paper: bool, under: np.ndarray) -> np.ndarray:
    if on_paper:
        if rng.random() < 0.8:
            return np.clip(_INKS[int(rng.integers(len(_INKS)))] + rng.normal(0, 12, 3), 0, 255)
        return rng.uniform(0, 200, 3) * np.array([1.0, 1.0, 1.0])  # a marker of any dark-enough colour
    return _contrasting_colour(rng, under)


@functools.cache
def _photo(name: str) -> np.ndarray:
    with Image.open(SAMPLES_DIR / name) as image:
        return np.asarray(image.convert("RGB"))


def _photo_crop(rng: np.random.Generator) -> np.ndarray:
    photo = _photo(PHOTOS[int(rng.integers(len(PHOTOS)))])
    h, w = photo.shape[:2]
    side = int(rng.uniform(0.2, 1.0) * min(h, w))
    top, left = int(rng.integers(0, h - side + 1)), int(rng.integers(0, w - side + 1))
    crop = Image.fromarray(photo[top : top + side, left : left + side]).resize(
        (IMAGE_SIZE, IMAGE_SIZE), Image.BILINEAR
    )
    return np.asarray(crop, dtype=np.float64)


def _camera(rng: np.random.Generator, image: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Uneven light, a slight perspective, blur, sensor noise, JPEG: a phone photograph of the sheet."""
    s = IMAGE_SIZE
    yy, xx = np.mgrid[0:s, 0:s] / s
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)
    light = 1.0 - rng.uniform(0, 0.45) * np.clip(ramp + rng.uniform(-0.3, 0.3), 0, None)
    cast = 1.0 + rng.normal(0, 0.04, 3)
    image = np.clip(image * light[..., None] * cast, 0, 255)
    picture = Image.fromarray(image.astype(np.uint8))
    silhouette = Image.fromarray((mask * 255).astype(np.uint8))
    if rng.random() < 0.6:  # the sheet seen a little from the side
        j = s * 0.1  # each corner moves inwards: the picture stays filled to its edges
        quad = [
            (x + dx * rng.uniform(0, j), y + dy * rng.uniform(0, j))
            for x, y, dx, dy in ((0, 0, 1, 1), (0, s, 1, -1), (s, s, -1, -1), (s, 0, -1, 1))
        ]
        flat = [c for point in quad for c in point]
        picture = picture.transform((s, s), Image.QUAD, flat, Image.BILINEAR)
        silhouette = silhouette.transform((s, s), Image.QUAD, flat, Image.BILINEAR)
    blur = rng.uniform(0, 1.0)
    if blur > 0.25:
        picture = picture.filter(ImageFilter.GaussianBlur(blur))
    out = np.asarray(picture, dtype=np.float32)
    out = out + rng.standard_normal(out.shape, dtype=np.float32) * rng.uniform(1, 9)
    picture = Image.fromarray(np.clip(np.rint(out), 0, 255).astype(np.uint8))
    if rng.random() < 0.5:
        buffer = io.BytesIO()
        picture.save(buffer, format="JPEG", quality=int(rng.integers(35, 90)))
        buffer.seek(0)
        picture = Image.open(buffer).convert("RGB")
    return np.asarray(picture, dtype=np.uint8), np.asarray(silhouette) >= 128


def make_drawn(
    rng: np.random.Generator,
    label: int | None = None,
    style: str | None = None,
    background: str | None = None,
    area_range: tuple[float, float] = AREA_RANGE,
) -> DrawnSample:
    """One image of class ``label`` (0-7 a shape, 8 none; random when None) at :data:`IMAGE_SIZE`."""
    label = int(rng.integers(len(LABELS))) if label is None else int(label)
    if not 0 <= label < len(LABELS):
        raise ValueError(f"label must be in [0, {len(LABELS)}), got {label}")
    if background is None:
        on_paper = rng.random() < PAPER_SHARE
        kinds = PAPERS if on_paper else BACKGROUNDS
        background = kinds[int(rng.integers(len(kinds)))]
    if background not in DRAWN_BACKGROUNDS:
        raise ValueError(f"unknown background {background!r}; the kinds are {', '.join(DRAWN_BACKGROUNDS)}")
    on_paper = background in PAPERS
    s = IMAGE_SIZE
    canvas = _paper(rng, background) if on_paper else _background(rng, s, background)
    if label == NONE:
        if rng.random() < PHOTO_SHARE:
            canvas, background = _photo_crop(rng), "photo"
        empty = np.zeros((s, s), dtype=bool)
        image, _ = _camera(rng, canvas, empty)
        return DrawnSample(image, empty, NONE, "none", background)
    name = CLASSES[label]
    style = style or ("outline" if rng.random() < OUTLINE_SHARE else "filled")
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}; the styles are {', '.join(STYLES)}")
    low, high = area_range
    area = math.exp(rng.uniform(math.log(low), math.log(high)))
    radius = math.sqrt(area * s**2 / area_per_squared_radius(name))
    rotation = rng.uniform(0, 2 * np.pi)
    polygons = _closed_outline(name, radius, rotation)
    extent = max(float(np.abs(p).max()) for p in polygons)
    if extent > 0.46 * s:  # a shape this large would not fit: shrink it to the sheet
        scale = 0.46 * s / extent
        radius, polygons = radius * scale, [p * scale for p in polygons]
        extent = 0.46 * s
    amount = rng.uniform(0.0, 0.15)
    polygons = [_wobble(p, radius, rng, amount) for p in polygons]
    extent = max(float(np.abs(p).max()) for p in polygons)
    width = min(rng.uniform(0.015, 0.06) * s, 0.3 * radius) if style == "outline" else 0.0
    margin = min(extent + width / 2 + 1.0, s / 2 - 0.5)
    centre = (rng.uniform(margin, s - margin), rng.uniform(margin, s - margin))
    silhouette = _silhouette(polygons, centre)
    if style == "filled":
        ink = silhouette
    else:
        ink = _stroke(polygons, centre, width, rng)
        silhouette = np.maximum(silhouette, ink)
    mask = silhouette >= 0.5
    colour = _ink(rng, on_paper, canvas[mask] if mask.any() else canvas.reshape(-1, 3))
    image = canvas * (1 - ink[..., None]) + colour * ink[..., None]
    image, mask = _camera(rng, image, mask)
    return DrawnSample(image, mask, label, style, background)


def make_drawn_batch(seed: int, index: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch ``index`` of a training stream seeded by (seed, index): images (n, S, S, 3) uint8, masks
    (n, S, S) bool, labels (n,) int64 (classes random, "none of these" among them)."""
    rng = np.random.default_rng([seed, index, 19])
    samples = [make_drawn(rng) for _ in range(n)]
    return (
        np.stack([x.image for x in samples]),
        np.stack([x.mask for x in samples]),
        np.array([x.label for x in samples], dtype=np.int64),
    )


def make_drawn_set(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` images with the labels balanced (cycled over the nine, then shuffled), reproducible."""
    rng = np.random.default_rng([seed, 19])
    labels = rng.permutation(np.arange(n) % len(LABELS))
    samples = [make_drawn(rng, int(label)) for label in labels]
    return (
        np.stack([x.image for x in samples]),
        np.stack([x.mask for x in samples]),
        labels.astype(np.int64),
    )

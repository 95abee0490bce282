"""A second renderer of shapes, written only for evaluation: hand drawings as a student makes them, photographed.

It shares no drawing code with the training side (:mod:`viz.data.shapes`, :mod:`viz.data.drawn`): only the
label names come from :mod:`viz.data.shapes`. Its own geometry, its own rasteriser, its own backgrounds and
its own random source (numpy's Philox bit generator, seeded per image):

- geometry: each class is a polygon of radius 1 around 0 (a circle is a 96-gon), densified along its
  perimeter and bent by a few smooth random waves (a hand's wobble); an outline may stop short of its start
  or run past it (imperfect closure);
- rasteriser: every point of a supersampled grid is tested against the polygons (even-odd rule, by scanline
  crossings) and its exact distance to the drawn path is measured segment by segment; ink = inside (filled)
  or distance < stroke / 2 (outlined); coverage = the mean over each pixel's sub-samples;
- the sheet is photographed: a slight perspective (a homography of the whole sheet), uneven light or a
  shadow, blur, sensor noise, a colour cast, JPEG compression, then the app's own upload path
  (:func:`viz.data.images.read_image`, :func:`viz.data.images.model_view`) to the model's 64 x 64 input.

The mask is exact at the model's resolution: the shape's silhouette (the region its outer boundary encloses,
stroke included, for filled and outlined shapes alike; a ring's annulus) evaluated under the same
perspective on a 4 x 4 supersampled 64 x 64 grid, a pixel in the mask when at least half of it is covered.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import math

import numpy as np
from PIL import Image

from viz.core.registry import ASSETS
from viz.data.images import model_view, read_image
from viz.data.shapes import CLASSES, LABELS, NONE_LABEL

NONE = len(CLASSES)  # label 8: "none of these"
MODEL_SIDE = 64
#: Size bands of the shape's silhouette, as a share of the model's input: (name, low, high).
SIZE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("3-6%", 0.03, 0.06),
    ("6-12%", 0.06, 0.12),
    ("12-25%", 0.12, 0.25),
    ("25-60%", 0.25, 0.60),
)
BAND_NAMES = tuple(name for name, _, _ in SIZE_BANDS)
STYLES = ("filled", "outline")
PAPERS = ("plain paper", "lined paper", "squared paper", "shadowed paper")
SYNTHETIC = ("noise texture", "colour gradient", "stripes")
BACKGROUND_KINDS: tuple[str, ...] = PAPERS + SYNTHETIC
#: What a shape-free image may be: any background alone, pure sensor noise, or a crop of the cat photograph.
NONE_KINDS: tuple[str, ...] = BACKGROUND_KINDS + ("sensor noise", "cat photo")
#: Ink colours (RGB) for paper: pens, markers, a pencil.
PAPER_INKS: dict[str, tuple[int, int, int]] = {
    "black pen": (28, 28, 34),
    "blue pen": (30, 55, 160),
    "navy marker": (20, 30, 90),
    "red pen": (185, 30, 40),
    "green marker": (25, 115, 55),
    "purple pen": (95, 40, 140),
    "pencil": (85, 85, 92),
    "brown marker": (110, 65, 30),
}
#: Extra inks for the synthetic backgrounds (chalk and highlighters, for dark backgrounds).
LIGHT_INKS: dict[str, tuple[int, int, int]] = {
    "white chalk": (245, 245, 240),
    "yellow": (250, 225, 60),
    "cyan": (120, 225, 240),
}
INKS = {**PAPER_INKS, **LIGHT_INKS}
STROKE_RANGE = (0.015, 0.06)  # stroke width, as a share of the photographed square's side
MARGIN = 0.03  # the shape keeps this share of the side away from the square's edges
IMAGE_SIDES = (160, 176, 192)  # the photograph's width; its height is as long or a little longer
ASPECTS = (1.0, 1.0, 1.1, 1.25)
_SUPERSAMPLE = 2  # the photograph's sub-samples per pixel and axis
_MASK_SUPERSAMPLE = 4  # the mask's, at the model's resolution
CAT = ASSETS / "samples" / "cat.jpg"  # held out of training: a none-of-these test case


@dataclasses.dataclass(frozen=True, eq=False)
class EvalSample:
    """One evaluation image, as photographed and as the model receives it."""

    image: np.ndarray  # (H, W, 3) uint8, as rendered (before JPEG)
    model_input: np.ndarray  # (64, 64, 3) uint8: read_image(JPEG bytes) then model_view(rgb, 64)
    mask: np.ndarray  # (64, 64) bool: the silhouette at the model's resolution; empty for none
    label: int  # index into LABELS (8 = none of these)
    style: str  # "filled", "outline" or "none"
    background: str  # one of BACKGROUND_KINDS, or of NONE_KINDS for a shape-free image
    ink: str = ""  # one of INKS ("" for none)

    @property
    def name(self) -> str:
        return LABELS[self.label]

    @property
    def area(self) -> float:
        """The silhouette's share of the model input."""
        return float(self.mask.mean())

    @property
    def band(self) -> str:
        """The size band of the silhouette ("none" for a shape-free image)."""
        if self.label == NONE:
            return "none"
        return band_of(self.area)


def band_of(area: float) -> str:
    """The name of the size band an area share falls in (below 3%: the first, above 60%: the last)."""
    for name, _, high in SIZE_BANDS[:-1]:
        if area < high:
            return name
    return SIZE_BANDS[-1][0]


def _generator(seed: int, index: int) -> np.random.Generator:
    return np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, index, 19])))


# ---------------------------------------------------------------- geometry: unit polygons, wobble, warp


def _regular(n: int, radii: tuple[float, ...] = (1.0,), phase: float = 0.0) -> np.ndarray:
    """(n, 2) vertices at angles phase + 2 pi k / n (0 = pointing up), radius radii[k % len]."""
    angles = phase + 2 * np.pi * np.arange(n) / n
    r = np.array([radii[k % len(radii)] for k in range(n)])
    return np.stack([r * np.sin(angles), -r * np.cos(angles)], axis=1)  # y down, as in images


def _unit_outlines(name: str, rng: np.random.Generator) -> list[np.ndarray]:
    """The closed outlines (each (n, 2), radius about 1 around 0) of one drawing of class ``name``.

    A ring is two circles (the region between them is the ring); every other class is one polygon.
    """
    if name == "circle":
        aspect = rng.uniform(0.9, 1.1)
        return [_regular(96) * [aspect, 1 / aspect]]
    if name == "ring":
        aspect = rng.uniform(0.93, 1.07)
        inner = rng.uniform(0.5, 0.66)
        return [_regular(96) * [aspect, 1 / aspect], _regular(96)[::-1] * inner * [aspect, 1 / aspect]]
    if name == "square":
        aspect = rng.uniform(0.9, 1.1)
        return [np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)], float) * [aspect, 1 / aspect] * 0.75]
    if name == "triangle":  # roughly equilateral, each corner a little off
        return [_regular(3) + rng.uniform(-0.08, 0.08, (3, 2))]
    if name == "diamond":  # a tall, narrow rhombus
        width = rng.uniform(0.5, 0.66)
        return [np.array([(0, -1), (width, 0), (0, 1), (-width, 0)], float)]
    if name == "star":  # five points; the inner corners at 0.38 (a pentagram's) to 0.5 of the outer
        return [_regular(10, (1.0, rng.uniform(0.38, 0.5)))]
    if name == "cross":  # a plus sign with arms of equal length
        h = rng.uniform(0.25, 0.36)
        return [
            np.array(
                [
                    (-h, -1),
                    (h, -1),
                    (h, -h),
                    (1, -h),
                    (1, h),
                    (h, h),
                    (h, 1),
                    (-h, 1),
                    (-h, h),
                    (-1, h),
                    (-1, -h),
                    (-h, -h),
                ],
                float,
            )
        ]
    if name == "hexagon":
        return [_regular(6, phase=rng.choice([0.0, np.pi / 6]))]
    raise ValueError(f"unknown shape {name!r}; the classes are {', '.join(CLASSES)}")


def _densify(closed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points spread evenly along a closed polygon's perimeter, and their parameter t in [0, 1)."""
    edges = np.roll(closed, -1, axis=0) - closed
    lengths = np.hypot(*edges.T)
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    t = np.arange(n) / n
    s = t * cumulative[-1]
    k = np.clip(np.searchsorted(cumulative, s, side="right") - 1, 0, len(closed) - 1)
    fraction = ((s - cumulative[k]) / lengths[k])[:, None]
    return closed[k] + fraction * edges[k], t


def _wobble(t: np.ndarray, rng: np.random.Generator, amplitude: float) -> np.ndarray:
    """(n, 2) smooth displacements along a closed path: a few low-frequency waves in x and y."""
    out = np.zeros((len(t), 2))
    for k in range(1, 5):
        a = amplitude * rng.uniform(0.3, 1.0) / k
        out += a * np.cos(2 * np.pi * k * t[:, None] + rng.uniform(0, 2 * np.pi, 2))
    return out


@dataclasses.dataclass(frozen=True)
class _Drawing:
    """A drawing in the sheet's coordinates (the photographed square is [0, 1] x [0, 1] before the warp)."""

    regions: tuple[np.ndarray, ...]  # closed polygons; even-odd: the filled region (or the outlined one)
    strokes: tuple[np.ndarray, ...]  # open polylines drawn with the pen (outline style only)
    stroke: float  # stroke width, share of the side (0 for filled)


def _hand_drawn(
    name: str, style: str, rng: np.random.Generator, rotation: float, stroke: float
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Unit (radius about 1) regions and strokes of a hand drawing, rotated, wobbled, perhaps not closed."""
    c, s = math.cos(rotation), math.sin(rotation)
    turn = np.array([[c, s], [-s, c]])
    regions, strokes = [], []
    for outline in _unit_outlines(name, rng):
        points, t = _densify(outline @ turn, 120)
        points = points + _wobble(t, rng, rng.uniform(0.01, 0.035))
        if style == "filled":
            regions.append(points)
            continue
        # A pen starts somewhere, goes round and stops a little short of its start or a little past it.
        start = int(rng.integers(len(points)))
        points = np.roll(points, -start, axis=0)
        regions.append(points)
        overshoot = rng.uniform(-0.03, 0.06)
        n_more = int(round(abs(overshoot) * len(points)))
        path = np.concatenate([points, points[:n_more]]) if overshoot > 0 else points[: len(points) - n_more]
        drift = np.linspace(0.0, 1.0, len(path))[:, None] * rng.uniform(-1, 1, 2) * max(stroke, 0.01) * 0.8
        strokes.append(path + drift)
    return regions, strokes


def _homography(rng: np.random.Generator, strength: float) -> np.ndarray:
    """A 3 x 3 homography of the unit square whose corners each move by up to ``strength`` of the side."""
    source = np.array([(0, 0), (1, 0), (1, 1), (0, 1)], float)
    target = source + rng.uniform(-strength, strength, (4, 2))
    rows, rhs = [], []
    for (x, y), (u, v) in zip(source, target):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows), np.array(rhs))
    return np.append(h, 1.0).reshape(3, 3)


def _apply(h: np.ndarray, points: np.ndarray) -> np.ndarray:
    """(n, 2) points through homography h."""
    p = np.concatenate([points, np.ones((len(points), 1))], axis=1) @ h.T
    return p[:, :2] / p[:, 2:3]


# ---------------------------------------------------------------- rasteriser


def _grid(start: float, step: float, n: int) -> np.ndarray:
    return start + step * (np.arange(n) + 0.5)


def inside(polygons, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(len(ys), len(xs)) bool: grid points (xs[j], ys[i]) inside the closed polygons, even-odd rule.

    Scanline crossings: for each row, where every edge crosses it; a point is inside when an odd number of
    crossings lie to its left. ``xs`` must be increasing.
    """
    width = len(xs) + 1
    counts = np.zeros(len(ys) * width, dtype=np.int64)
    rows = np.arange(len(ys))[:, None] * width
    for polygon in polygons:
        p, q = polygon, np.roll(polygon, -1, axis=0)
        y = ys[:, None]
        crosses = (p[None, :, 1] <= y) != (q[None, :, 1] <= y)  # (rows, edges): the edge spans the row
        dy = np.where(q[:, 1] == p[:, 1], 1.0, q[:, 1] - p[:, 1])
        x = p[None, :, 0] + (y - p[None, :, 1]) * ((q[:, 0] - p[:, 0]) / dy)[None]
        column = np.searchsorted(xs, np.where(crosses, x, np.inf), side="right")  # first point right of it
        counts += np.bincount((rows + column).ravel(), minlength=counts.size)
    return (np.cumsum(counts.reshape(len(ys), width), axis=1)[:, :-1] % 2).astype(bool)


def distance_below(paths, xs: np.ndarray, ys: np.ndarray, radius: float) -> np.ndarray:
    """(len(ys), len(xs)) bool: grid points closer than ``radius`` to any segment of the open ``paths``.

    Exact point-to-segment distances, each segment measured only on the grid points of its own box.
    """
    near = np.zeros((len(ys), len(xs)), dtype=bool)
    x0, dx = xs[0], xs[1] - xs[0]
    y0, dy = ys[0], ys[1] - ys[0]
    r2 = radius * radius
    for path in paths:
        for a, b in zip(path[:-1], path[1:]):
            j0 = max(0, int(math.floor((min(a[0], b[0]) - radius - x0) / dx)))
            j1 = min(len(xs), int(math.ceil((max(a[0], b[0]) + radius - x0) / dx)) + 1)
            i0 = max(0, int(math.floor((min(a[1], b[1]) - radius - y0) / dy)))
            i1 = min(len(ys), int(math.ceil((max(a[1], b[1]) + radius - y0) / dy)) + 1)
            if j0 >= j1 or i0 >= i1:
                continue
            px = xs[None, j0:j1] - a[0]
            py = ys[i0:i1, None] - a[1]
            ex, ey = b - a
            length2 = ex * ex + ey * ey
            t = np.clip((px * ex + py * ey) / length2, 0.0, 1.0) if length2 > 0 else 0.0
            d2 = (px - t * ex) ** 2 + (py - t * ey) ** 2
            near[i0:i1, j0:j1] |= d2 < r2
    return near


def _silhouette(drawing_px: _Drawing, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ink, silhouette) booleans on the grid: where the pen put ink, and the region the outline encloses."""
    region = inside(drawing_px.regions, xs, ys)
    if not drawing_px.strokes:
        return region, region
    ink = distance_below(drawing_px.strokes, xs, ys, drawing_px.stroke / 2)
    return ink, region | ink


def _to_pixels(drawing: _Drawing, h: np.ndarray, left: float, top: float, side: float) -> _Drawing:
    """The drawing in image pixels: through the camera's homography, then onto the photographed square."""

    def move(points):
        return _apply(h, points) * side + [left, top]

    return _Drawing(
        tuple(move(p) for p in drawing.regions),
        tuple(move(p) for p in drawing.strokes),
        drawing.stroke * side,
    )


def _coverage(drawing_px: _Drawing, box: tuple[int, int, int, int], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Ink and silhouette coverage (float in [0, 1]) of the pixels of ``box`` = (x0, y0, x1, y1), k x k each."""
    x0, y0, x1, y1 = box
    xs = _grid(x0, 1.0 / k, (x1 - x0) * k)
    ys = _grid(y0, 1.0 / k, (y1 - y0) * k)
    ink, silhouette = _silhouette(drawing_px, xs, ys)
    shape = (y1 - y0, k, x1 - x0, k)
    return ink.reshape(shape).mean(axis=(1, 3)), silhouette.reshape(shape).mean(axis=(1, 3))


def model_mask(drawing_px: _Drawing, crop: tuple[int, int, int, int]) -> np.ndarray:
    """(64, 64) bool: model-input pixels at least half inside the silhouette (4 x 4 samples per pixel).

    The model input is the crop resized to 64 x 64; its pixel j covers crop pixels j * side / 64 onward.
    """
    left, top, right, _ = crop
    side = right - left
    scale = MODEL_SIDE / side
    moved = _Drawing(
        tuple((p - [left, top]) * scale for p in drawing_px.regions),
        tuple((p - [left, top]) * scale for p in drawing_px.strokes),
        drawing_px.stroke * scale,
    )
    _, silhouette = _coverage(moved, (0, 0, MODEL_SIDE, MODEL_SIDE), _MASK_SUPERSAMPLE)
    return silhouette >= 0.5


# ---------------------------------------------------------------- backgrounds


def _smooth_noise(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, cells: int) -> np.ndarray:
    """Value noise in [0, 1] at sheet coordinates (u, v): a random lattice of ``cells`` per side of the
    sheet, cosine-interpolated, covering u, v from -0.5 to 1.5 (the photograph reaches past the square)."""
    lattice = rng.uniform(0, 1, (2 * cells + 2, 2 * cells + 2))
    gu = np.clip((u + 0.5) * cells, 0, 2 * cells)
    gv = np.clip((v + 0.5) * cells, 0, 2 * cells)
    iu, iv = gu.astype(int), gv.astype(int)
    fu = (1 - np.cos(np.pi * (gu - iu))) / 2
    fv = (1 - np.cos(np.pi * (gv - iv))) / 2
    top = lattice[iv, iu] * (1 - fu) + lattice[iv, iu + 1] * fu
    bottom = lattice[iv + 1, iu] * (1 - fu) + lattice[iv + 1, iu + 1] * fu
    return top * (1 - fv) + bottom * fv


def _lines(coordinate: np.ndarray, spacing: float, width: float, offset: float) -> np.ndarray:
    """Soft lines in [0, 1]: 1 on lines ``spacing`` apart (sheet units), ``width`` wide (same units)."""
    d = np.abs(((coordinate - offset) / spacing + 0.5) % 1.0 - 0.5) * spacing
    return np.clip(1.0 - d / width, 0.0, 1.0)


def _paper(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, pixel: float) -> np.ndarray:
    """(H, W, 3) off-white paper with faint fibres."""
    base = np.array([rng.uniform(232, 252), rng.uniform(228, 250), rng.uniform(215, 245)])
    grain = 6.0 * (_smooth_noise(rng, u, v, int(rng.integers(20, 40))) - 0.5)
    return base + grain[..., None]


def _background(
    kind: str, rng: np.random.Generator, u: np.ndarray, v: np.ndarray, pixel: float
) -> np.ndarray:
    """(H, W, 3) float background of ``kind`` at sheet coordinates (u, v); ``pixel`` = one pixel in sheet units."""
    if kind in PAPERS:
        image = _paper(rng, u, v, pixel)
        ink = np.array([rng.uniform(120, 175), rng.uniform(160, 200), rng.uniform(205, 240)])  # pale blue
        width = pixel * rng.uniform(0.8, 1.6)
        if kind == "lined paper":
            t = _lines(v, rng.uniform(0.055, 0.1), width, rng.uniform(0, 1)) * rng.uniform(0.5, 0.9)
            image = image * (1 - t[..., None]) + ink * t[..., None]
            if rng.random() < 0.5:  # the red margin
                t = _lines(u, 10.0, width, rng.uniform(0.05, 0.2)) * 0.7
                image = image * (1 - t[..., None]) + np.array([215.0, 90, 95]) * t[..., None]
        elif kind == "squared paper":
            spacing, offset = rng.uniform(0.035, 0.07), rng.uniform(0, 1)
            t = np.maximum(_lines(u, spacing, width, offset), _lines(v, spacing, width, offset))
            t = t * rng.uniform(0.4, 0.8)
            image = image * (1 - t[..., None]) + ink * t[..., None]
        return image  # a shadowed paper is plain: its shadow falls on the ink too (see _shadow)
    first = rng.uniform(30, 225, 3)
    second = np.clip(first + rng.uniform(-60, 60, 3), 0, 255)
    if kind == "noise texture":
        t = 0.6 * _smooth_noise(rng, u, v, int(rng.integers(3, 9))) + 0.4 * _smooth_noise(
            rng, u, v, int(rng.integers(12, 30))
        )
    elif kind == "colour gradient":
        if rng.random() < 0.5:
            angle = rng.uniform(0, 2 * np.pi)
            t = np.clip(0.5 + np.cos(angle) * (u - 0.5) + np.sin(angle) * (v - 0.5), 0, 1)
        else:
            cx, cy = rng.uniform(0, 1, 2)
            t = np.clip(np.hypot(u - cx, v - cy) / 1.2, 0, 1)
        second = np.clip(first + rng.uniform(-110, 110, 3), 0, 255)
    elif kind == "stripes":
        angle = rng.uniform(0, np.pi)
        along = np.cos(angle) * u + np.sin(angle) * v
        period = rng.uniform(0.08, 0.3)
        wave = np.sin(2 * np.pi * along / period + rng.uniform(0, 2 * np.pi))
        t = 0.5 + 0.5 * (np.tanh(3 * wave) if rng.random() < 0.5 else wave)
    else:
        raise ValueError(f"unknown background {kind!r}; the kinds are {', '.join(BACKGROUND_KINDS)}")
    return first + (second - first) * t[..., None]


def _shadow(rng: np.random.Generator, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """(H, W) a phone's or a hand's shadow over one side of the sheet, soft-edged: 0.5 to 1."""
    angle = rng.uniform(0, 2 * np.pi)
    along = np.cos(angle) * (u - 0.5) + np.sin(angle) * (v - 0.5)
    edge = rng.uniform(-0.25, 0.3)
    soft = rng.uniform(0.04, 0.2)
    return 1.0 - rng.uniform(0.3, 0.5) / (1.0 + np.exp(np.clip(-(along - edge) / soft, -50, 50)))


def _light(rng: np.random.Generator, u: np.ndarray, v: np.ndarray, strength: float) -> np.ndarray:
    """(H, W) uneven light: a broad gradient and a vignette, about 1 +- strength."""
    angle = rng.uniform(0, 2 * np.pi)
    gradient = np.cos(angle) * (u - 0.5) + np.sin(angle) * (v - 0.5)
    vignette = (u - 0.5) ** 2 + (v - 0.5) ** 2
    return 1.0 + strength * gradient - rng.uniform(0, 0.6) * strength * vignette


@functools.cache
def _cat() -> np.ndarray:
    with Image.open(CAT) as photo:
        return np.asarray(photo.convert("RGB"), dtype=np.uint8)


def _cat_crop(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """(height, width, 3) float: a random crop of the cat photograph (40% to all of its short side)."""
    cat = _cat()
    side = int(min(cat.shape[:2]) * rng.uniform(0.4, 1.0))
    crop_w, crop_h = min(cat.shape[1], int(side * width / height)), side
    x = int(rng.integers(0, cat.shape[1] - crop_w + 1))
    y = int(rng.integers(0, cat.shape[0] - crop_h + 1))
    piece = Image.fromarray(cat[y : y + crop_h, x : x + crop_w]).resize((width, height), Image.BILINEAR)
    return np.asarray(piece, dtype=np.float64)


# ---------------------------------------------------------------- the camera


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian blur of (H, W, C), edges repeated."""
    if sigma < 0.3:
        return image
    radius = int(math.ceil(3 * sigma))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    for axis in (0, 1):
        padded = np.pad(image, [(radius, radius) if a == axis else (0, 0) for a in range(3)], mode="edge")
        n = image.shape[axis]
        image = sum(w * np.take(padded, np.arange(k, k + n), axis=axis) for k, w in enumerate(taps))
    return image


def _camera(image: np.ndarray, rng: np.random.Generator, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Uneven light, colour cast, exposure, blur and sensor noise: (H, W, 3) float -> uint8."""
    image = image * _light(rng, u, v, rng.uniform(0.05, 0.25))[..., None]
    image = image * (rng.uniform(0.88, 1.08) * (1 + rng.uniform(-0.06, 0.06, 3)))  # exposure, cast
    image = _blur(image, rng.uniform(0.0, 1.2))
    grey = rng.standard_normal(image.shape[:2])[..., None]
    image = image + rng.uniform(1.5, 7.0) * (0.7 * grey + 0.3 * rng.standard_normal(image.shape))
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def _upload(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The photograph saved as a JPEG and read back through the app's upload path: (64, 64, 3) uint8."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=int(rng.integers(70, 96)))
    loaded = read_image(buffer.getvalue())
    view, _ = model_view(loaded.rgb, MODEL_SIDE)
    return view


# ---------------------------------------------------------------- one image


def _contrasting_ink(rng: np.random.Generator, kind: str, under: np.ndarray) -> str:
    """A random ink that stands out from the mean background under the shape (brightness differs >= 70)."""
    luma = np.array([0.299, 0.587, 0.114])
    reference = float(under.reshape(-1, 3).mean(axis=0) @ luma)
    choices = list(PAPER_INKS) if kind in PAPERS else list(INKS)
    good = [name for name in choices if abs(np.array(INKS[name]) @ luma - reference) >= 70]
    if not good:
        return "white chalk" if reference < 128 else "black pen"
    return good[int(rng.integers(len(good)))]


def _fit(
    name: str, style: str, rng: np.random.Generator, h: np.ndarray, band: tuple[float, float], stroke: float
) -> _Drawing:
    """A hand drawing whose silhouette covers a share of the model input inside ``band``, whole in the square.

    Area and fit are measured, not assumed: the drawing is placed, its mask at the model's resolution is
    computed under the camera's warp, and its scale corrected until the area lands in the band.
    """
    low, high = band
    crop = (0, 0, MODEL_SIDE, MODEL_SIDE)
    room_total = 1 - 2 * MARGIN - stroke
    for _ in range(20):
        # Half the drawings roughly upright, as most hands draw them; the others turned any way.
        rotation = rng.uniform(-0.4, 0.4) if rng.random() < 0.5 else rng.uniform(0, 2 * np.pi)
        regions, strokes = _hand_drawn(name, style, rng, rotation, stroke)
        points = np.concatenate(regions + strokes)
        extent = points.max(axis=0) - points.min(axis=0)
        middle = (points.max(axis=0) + points.min(axis=0)) / 2
        largest = room_total / extent.max()  # the scale that just fits before the warp
        target = math.exp(rng.uniform(math.log(low), math.log(high)))
        fraction = rng.uniform(0, 1, 2)
        scale = 0.6 * largest
        for _ in range(8):
            scale = min(scale, largest)
            centre = (
                MARGIN + stroke / 2 + (room_total - scale * extent) * fraction + scale * (extent / 2 - middle)
            )
            drawing = _Drawing(
                tuple(p * scale + centre for p in regions), tuple(p * scale + centre for p in strokes), stroke
            )
            px = _to_pixels(drawing, h, 0, 0, MODEL_SIDE)
            moved = np.concatenate(px.regions + px.strokes)
            fits = moved.min() >= MARGIN * MODEL_SIDE and moved.max() <= (1 - MARGIN) * MODEL_SIDE
            area = float(model_mask(px, crop).mean())
            if fits and low <= area < high:
                return drawing
            if not fits:
                largest = scale = 0.96 * scale  # the warp pushed it out: shrink, and never grow back
                continue
            if area < low and scale >= largest:
                break  # it cannot grow into the band at this rotation: draw again
            scale *= math.sqrt(target / max(area, 1e-4))
    raise RuntimeError(f"could not fit a {style} {name} in the band {band}")  # not reached in practice


def render(
    seed: int,
    label: int,
    style: str | None = None,
    band: str | None = None,
    background: str | None = None,
    ink: str | None = None,
    index: int = 0,
) -> EvalSample:
    """One photographed drawing (or, for label 8, a shape-free photograph), reproducible from (seed, index).

    Args:
        seed, index: the random source (numpy's Philox, keyed by both).
        label: index into LABELS; 8 = none of these.
        style: "filled" or "outline" (random when None; ignored for none).
        band: one of BAND_NAMES (random when None).
        background: one of BACKGROUND_KINDS (NONE_KINDS for label 8); random when None.
        ink: one of INKS; one that contrasts with the background when None.
    """
    if not 0 <= label < len(LABELS):
        raise ValueError(f"label must be in [0, {len(LABELS)}), got {label}")
    rng = _generator(seed, index)
    width = int(IMAGE_SIDES[int(rng.integers(len(IMAGE_SIDES)))])
    height = int(round(width * ASPECTS[int(rng.integers(len(ASPECTS)))]))
    if rng.random() < 0.25:
        width, height = height, width  # held in landscape
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2  # model_view's square: the sheet's unit square
    kinds = NONE_KINDS if label == NONE else BACKGROUND_KINDS
    kind = kinds[int(rng.integers(len(kinds)))] if background is None else background
    if kind not in kinds:
        raise ValueError(f"background must be one of {', '.join(kinds)}, got {kind!r}")
    h = _homography(rng, rng.uniform(0.0, 0.05))
    # Sheet coordinates of every pixel centre: the inverse warp of the photograph's pixels.
    xx, yy = np.meshgrid((np.arange(width) + 0.5 - left) / side, (np.arange(height) + 0.5 - top) / side)
    sheet = _apply(np.linalg.inv(h), np.stack([xx.ravel(), yy.ravel()], axis=1))
    u, v = sheet[:, 0].reshape(height, width), sheet[:, 1].reshape(height, width)
    if kind == "cat photo":
        canvas = _cat_crop(rng, width, height)
    elif kind == "sensor noise":
        canvas = rng.uniform(60, 200, 3) + rng.uniform(10, 45) * rng.standard_normal((height, width, 3))
    else:
        canvas = _background(kind, rng, u, v, 1.0 / side)
    shade = _shadow(rng, u, v)[..., None] if kind == "shadowed paper" else 1.0
    if label == NONE:
        image = _camera(canvas * shade, rng, u, v)
        return EvalSample(image, _upload(image, rng), np.zeros((MODEL_SIDE,) * 2, bool), NONE, "none", kind)

    style = STYLES[int(rng.integers(2))] if style is None else style
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    band_name = BAND_NAMES[int(rng.integers(len(BAND_NAMES)))] if band is None else band
    if band_name not in BAND_NAMES:
        raise ValueError(f"band must be one of {', '.join(BAND_NAMES)}, got {band_name!r}")
    low, high = SIZE_BANDS[BAND_NAMES.index(band_name)][1:]
    # Thin pen to marker; on the smallest drawings a marker would fill the shape, so strokes shrink there.
    stroke = rng.uniform(*STROKE_RANGE) * min(1.0, math.sqrt(low / 0.06)) if style == "outline" else 0.0
    drawing = _fit(CLASSES[label], style, rng, h, (low, high), stroke)
    px = _to_pixels(drawing, h, left, top, side)
    crop = (left, top, left + side, top + side)
    mask = model_mask(px, crop)
    points = np.concatenate(px.regions + px.strokes)
    pad = int(math.ceil(px.stroke)) + 2
    box = (
        max(0, int(points[:, 0].min()) - pad),
        max(0, int(points[:, 1].min()) - pad),
        min(width, int(points[:, 0].max()) + pad + 1),
        min(height, int(points[:, 1].max()) + pad + 1),
    )
    ink_cover, _ = _coverage(px, box, _SUPERSAMPLE)
    x0, y0, x1, y1 = box
    under = canvas[y0:y1, x0:x1][ink_cover > 0.5]
    ink_name = _contrasting_ink(rng, kind, under if len(under) else canvas) if ink is None else ink
    if ink_name not in INKS:
        raise ValueError(f"ink must be one of {', '.join(INKS)}, got {ink_name!r}")
    colour = np.array(INKS[ink_name], dtype=np.float64)
    opacity = rng.uniform(0.8, 1.0) if ink_name != "pencil" else rng.uniform(0.65, 0.85)
    # Ink is not perfectly even: a faint mottled density.
    density = opacity * (1 - 0.12 * _smooth_noise(rng, u[y0:y1, x0:x1], v[y0:y1, x0:x1], 30))
    alpha = (ink_cover * density)[..., None]
    canvas = canvas.copy()
    canvas[y0:y1, x0:x1] = canvas[y0:y1, x0:x1] * (1 - alpha) + colour * alpha
    image = _camera(canvas * shade, rng, u, v)
    return EvalSample(image, _upload(image, rng), mask, label, style, kind, ink_name)


def evaluation_set(n: int, seed: int) -> list[EvalSample]:
    """``n`` images, the nine labels balanced (cycled, then shuffled), reproducible from ``seed``.

    The j-th image of class c (k = j + c) gets size band k % 4, style (k + k // 4) % 2 and background k % 7:
    every band and style after 4 images of a class (the classes start at different points), every
    combination of band, style and background once a class has 56; the shape-free images cycle through
    NONE_KINDS.
    """
    order = np.random.Generator(np.random.Philox(np.random.SeedSequence([seed, 19]))).permutation(n)
    labels = np.arange(n) % len(LABELS)
    samples: list[EvalSample | None] = [None] * n
    seen = [0] * len(LABELS)
    for position, i in enumerate(order):
        label = int(labels[position])
        j = seen[label]
        seen[label] += 1
        if label == NONE:
            samples[i] = render(seed, label, background=NONE_KINDS[j % len(NONE_KINDS)], index=int(i))
        else:
            k = j + label
            samples[i] = render(
                seed,
                label,
                style=STYLES[(k + k // 4) % 2],
                band=BAND_NAMES[k % 4],
                background=BACKGROUND_KINDS[k % len(BACKGROUND_KINDS)],
                index=int(i),
            )
    return samples  # type: ignore[return-value]


#: The fixed drawings: (name, label, style, band, background, ink, seed).
_FIXED = (
    ("blue pen outline star on lined paper", 4, "outline", "12-25%", "lined paper", "blue pen", 1),
    ("outline star under a shadow", 4, "outline", "25-60%", "shadowed paper", "black pen", 2),
    ("small filled star in red marker", 4, "filled", "3-6%", "plain paper", "red pen", 3),
    ("pencil circle on squared paper", 0, "outline", "12-25%", "squared paper", "pencil", 4),
    ("filled black circle, large", 0, "filled", "25-60%", "plain paper", "black pen", 5),
    ("marker square on lined paper", 1, "outline", "25-60%", "lined paper", "navy marker", 6),
    ("small filled square, green", 1, "filled", "6-12%", "shadowed paper", "green marker", 7),
    ("triangle in black pen", 2, "outline", "12-25%", "plain paper", "black pen", 8),
    ("filled triangle in the shade", 2, "filled", "12-25%", "shadowed paper", "purple pen", 9),
    ("diamond on squared paper", 3, "outline", "6-12%", "squared paper", "blue pen", 10),
    ("filled diamond, brown marker", 3, "filled", "25-60%", "plain paper", "brown marker", 11),
    ("plus sign in red pen", 5, "outline", "12-25%", "lined paper", "red pen", 12),
    ("filled cross, small", 5, "filled", "3-6%", "plain paper", "black pen", 13),
    ("ring drawn with a marker", 6, "outline", "25-60%", "plain paper", "navy marker", 14),
    ("filled ring on lined paper", 6, "filled", "12-25%", "lined paper", "black pen", 15),
    ("hexagon in pencil", 7, "outline", "12-25%", "squared paper", "pencil", 16),
    ("filled hexagon, green", 7, "filled", "6-12%", "plain paper", "green marker", 17),
    ("white chalk star on a dark texture", 4, "outline", "12-25%", "noise texture", "white chalk", 18),
    ("blank lined paper", NONE, None, None, "lined paper", None, 19),
    ("blank paper under a shadow", NONE, None, None, "shadowed paper", None, 20),
    ("a crop of the cat photograph", NONE, None, None, "cat photo", None, 22),
    ("the cat photograph", NONE, None, None, "cat photo", None, 21),  # assets/samples/cat.jpg, whole
)
FIXED_SEED = 19_000


def fixed_drawings() -> list[tuple[str, EvalSample]]:
    """A fixed set of named, photographed-looking hand drawings (and three shape-free photographs)."""
    out = []
    for name, label, style, band, background, ink, index in _FIXED:
        if name == "white chalk star on a dark texture":
            sample = _dark_render(index)
        elif name == "the cat photograph":  # the file itself, as a student uploads it
            view, _ = model_view(read_image(CAT).rgb, MODEL_SIDE)
            sample = EvalSample(_cat(), view, np.zeros((MODEL_SIDE,) * 2, bool), NONE, "none", "cat photo")
        else:
            sample = render(FIXED_SEED, label, style, band, background, ink, index=index)
        out.append((name, sample))
    return out


def _dark_render(index: int) -> EvalSample:
    """The chalk star: the seed is searched for a texture dark enough for white chalk to stand out."""
    for attempt in range(50):
        sample = render(
            FIXED_SEED, 4, "outline", "12-25%", "noise texture", "white chalk", index=index + 1000 * attempt
        )
        if sample.model_input[~sample.mask].mean() < 110:
            return sample
    return sample


__all__ = [
    "BACKGROUND_KINDS",
    "BAND_NAMES",
    "NONE",
    "NONE_KINDS",
    "NONE_LABEL",
    "SIZE_BANDS",
    "STYLES",
    "EvalSample",
    "band_of",
    "evaluation_set",
    "fixed_drawings",
    "render",
]

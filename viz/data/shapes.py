"""A generated dataset of shapes on textured, noisy backgrounds, with each shape's own pixel mask.

Eight classes (circle, square, triangle, diamond, star, cross, ring, hexagon) are drawn at a random
position, size, rotation and colour on one of five backgrounds (colour gradient, smooth value noise,
stripes, checkerboard, flat colour), then per-pixel noise is added everywhere. The shape's colour is drawn
until its brightness or hue differs clearly from the background under it, so every shape is visible.

Only numpy and Pillow: the page, the training script and the tests all draw from here; the same seed gives
the same images.
"""

from __future__ import annotations

import dataclasses
import functools
import math

import numpy as np
from PIL import Image, ImageDraw

CLASSES: tuple[str, ...] = ("circle", "square", "triangle", "diamond", "star", "cross", "ring", "hexagon")
#: The ninth answer of the bundled vision models: an image with none of the eight shapes in it.
NONE_LABEL = "none of these"
#: What the bundled vision models answer: the eight shapes, then "none of these" (index 8).
LABELS: tuple[str, ...] = CLASSES + (NONE_LABEL,)
BACKGROUNDS: tuple[str, ...] = ("gradient", "value noise", "stripes", "checkerboard", "flat")
#: Default image side and the range of the shape's outer radius, as fractions of the side.
IMAGE_SIZE = 64
#: The shape's area as a share of the image: every class, thin or round, covers 14% to 24% of it.
AREA_RANGE = (0.14, 0.24)
TEXTURE_CONTRAST = 80.0  # per channel, of 255
MIN_LUMA_CONTRAST = 100.0  # brightness difference between a shape and the background under it, of 255
_SUPERSAMPLE = 4  # shapes are drawn at 4x and averaged down: smooth edges, exact coverage


@dataclasses.dataclass(frozen=True, eq=False)
class ShapeSample:
    """One generated image. S = image side in pixels."""

    image: np.ndarray  # (S, S, 3) uint8
    mask: np.ndarray  # (S, S) bool: pixels at least half covered by the shape
    label: int  # index into CLASSES
    background: str  # one of BACKGROUNDS

    @property
    def name(self) -> str:
        return CLASSES[self.label]

    @property
    def coverage(self) -> float:
        """Share of the image covered by the shape's mask."""
        return float(self.mask.mean())


def _polygon(n: int, radius: float, rotation: float, radii: tuple[float, ...] = (1.0,)) -> np.ndarray:
    """(n, 2) vertices of a polygon centred at 0: vertex k at angle rotation + 2 pi k / n, radius r * radii[k]."""
    angles = rotation + 2 * np.pi * np.arange(n) / n
    scale = radius * np.array([radii[k % len(radii)] for k in range(n)])
    return np.stack([scale * np.cos(angles), scale * np.sin(angles)], axis=1)


def _cross(radius: float, rotation: float, half_width: float = 0.33) -> np.ndarray:
    """(12, 2) vertices of a plus sign whose arms reach ``radius`` and are 2 * half_width * radius wide."""
    a, w = radius, half_width * radius
    points = np.array(
        [
            (w, a),
            (w, w),
            (a, w),
            (a, -w),
            (w, -w),
            (w, -a),
            (-w, -a),
            (-w, -w),
            (-a, -w),
            (-a, w),
            (-w, w),
            (-w, a),
        ],
        dtype=float,
    )
    c, s = math.cos(rotation), math.sin(rotation)
    return points @ np.array([[c, s], [-s, c]])


def shape_outline(name: str, radius: float, rotation: float) -> tuple[np.ndarray | None, float | None]:
    """The outline of a class centred at 0: ``(polygon vertices or None, inner radius for a ring or None)``.

    A circle and a ring are drawn as ellipses (``None`` vertices); the ring's hole has the returned radius.
    """
    if name == "circle":
        return None, None
    if name == "ring":
        return None, 0.5 * radius
    if name == "square":
        return _polygon(4, radius, rotation + np.pi / 4), None
    if name == "triangle":
        return _polygon(3, radius * 1.1, rotation - np.pi / 2), None
    if name == "diamond":  # a rhombus, tall and narrow: never a square turned by 45 degrees
        return _polygon(4, radius * 1.1, rotation, radii=(0.55, 1.0)), None
    if name == "star":
        return _polygon(10, radius * 1.1, rotation - np.pi / 2, radii=(1.0, 0.5)), None
    if name == "cross":
        return _cross(radius, rotation), None
    if name == "hexagon":
        return _polygon(6, radius, rotation), None
    raise ValueError(f"unknown shape {name!r}; the classes are {', '.join(CLASSES)}")


def shape_coverage(
    name: str, size: int, centre: tuple[float, float], radius: float, rotation: float
) -> np.ndarray:
    """(size, size) float in [0, 1]: the share of each pixel the shape covers (drawn at 4x, averaged)."""
    k = _SUPERSAMPLE
    canvas = Image.new("L", (size * k, size * k), 0)
    draw = ImageDraw.Draw(canvas)
    cx, cy = centre[0] * k, centre[1] * k
    vertices, inner = shape_outline(name, radius, rotation)
    if vertices is None:
        r = radius * k
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=255)
        if inner is not None:
            r = inner * k
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=0)
    else:
        draw.polygon([(cx + x * k, cy + y * k) for x, y in vertices], fill=255)
    return np.asarray(canvas.reduce(k), dtype=np.float32) / 255.0  # mean of each k x k block


@functools.cache
def area_per_squared_radius(name: str) -> float:
    """The area of a class's shape of outer radius 1 (measured once on a large drawing)."""
    radius = 100.0
    return float(shape_coverage(name, 256, (128.0, 128.0), radius, 0.0).sum()) / radius**2


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, size=3)


def _background(rng: np.random.Generator, size: int, kind: str) -> np.ndarray:
    """(size, size, 3) float background of the given kind, values in [0, 255]."""
    c1 = _random_colour(rng)
    # The texture's second colour stays near the first: the background is visibly textured, but its edges
    # are fainter than a shape's (a camouflaged shape would teach nothing about shape).
    c2 = np.clip(c1 + rng.uniform(-TEXTURE_CONTRAST, TEXTURE_CONTRAST, size=3), 0, 255)
    yy, xx = np.mgrid[0:size, 0:size] / size
    if kind == "gradient":
        angle = rng.uniform(0, 2 * np.pi)
        t = np.cos(angle) * xx + np.sin(angle) * yy
        t = (t - t.min()) / max(float(np.ptp(t)), 1e-6)
    elif kind == "value noise":
        cells = int(rng.integers(3, 10))
        low = Image.fromarray((rng.uniform(0, 1, (cells, cells)) * 255).astype(np.uint8))
        t = np.asarray(low.resize((size, size), Image.BICUBIC), dtype=np.float32) / 255.0
    elif kind == "stripes":
        angle = rng.uniform(0, np.pi)
        frequency = rng.uniform(2.0, 7.0)
        t = 0.5 + 0.5 * np.sin(
            2 * np.pi * frequency * (np.cos(angle) * xx + np.sin(angle) * yy) + rng.uniform(0, 2 * np.pi)
        )
    elif kind == "checkerboard":
        cells = int(rng.integers(3, 9))
        t = ((np.floor(xx * cells) + np.floor(yy * cells)) % 2).astype(np.float32)
    elif kind == "flat":
        t = np.zeros((size, size))
    else:
        raise ValueError(f"unknown background {kind!r}")
    return np.clip(c1 + (c2 - c1) * t[..., None], 0, 255)


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb @ np.array([0.299, 0.587, 0.114])


def _contrasting_colour(rng: np.random.Generator, under: np.ndarray, tries: int = 40) -> np.ndarray:
    """A random colour whose brightness differs from the mean background under the shape by at least
    :data:`MIN_LUMA_CONTRAST` (lighter or darker, either may come up); black or white, whichever is
    farther, if none is found. Hue alone is never the only difference: a shape must stand out in grey too."""
    ref = _luma(under.mean(axis=0))
    for _ in range(tries):
        colour = _random_colour(rng)
        if abs(_luma(colour) - ref) >= MIN_LUMA_CONTRAST:
            return colour
    return np.zeros(3) if ref > 127 else np.full(3, 255.0)


def make_shape(
    rng: np.random.Generator,
    label: int | None = None,
    size: int = IMAGE_SIZE,
    area_range: tuple[float, float] = AREA_RANGE,
    background: str | None = None,
) -> ShapeSample:
    """Draw one shape.

    Args:
        rng: the random generator (all randomness comes from it).
        label: index into :data:`CLASSES`; random when None.
        size: image side in pixels (at least 32).
        area_range: the share of the image the shape covers, drawn uniformly from this range (its radius
            follows from the class's area per squared radius, so thin and round shapes are alike in area).
        background: one of :data:`BACKGROUNDS`; random when None.
    """
    if size < 32:
        raise ValueError(f"size must be at least 32 pixels, got {size}")
    label = int(rng.integers(len(CLASSES))) if label is None else int(label)
    if not 0 <= label < len(CLASSES):
        raise ValueError(f"label must be in [0, {len(CLASSES)}), got {label}")
    kind = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))] if background is None else background
    canvas = _background(rng, size, kind)
    radius = math.sqrt(rng.uniform(*area_range) * size**2 / area_per_squared_radius(CLASSES[label]))
    rotation = rng.uniform(0, 2 * np.pi)
    vertices, _ = shape_outline(CLASSES[label], radius, rotation)
    extent = radius if vertices is None else float(np.abs(vertices).max())  # farthest reach along x or y
    margin = extent + 1.0  # the whole shape stays inside the image
    centre = (rng.uniform(margin, size - margin), rng.uniform(margin, size - margin))
    coverage = shape_coverage(CLASSES[label], size, centre, radius, rotation)
    mask = coverage >= 0.5
    colour = _contrasting_colour(rng, canvas[mask] if mask.any() else canvas.reshape(-1, 3))
    image = canvas * (1 - coverage[..., None]) + colour * coverage[..., None]
    image += rng.standard_normal(size=image.shape, dtype=np.float32) * rng.uniform(2, 14)  # sensor-like noise
    return ShapeSample(
        image=np.clip(np.rint(image), 0, 255).astype(np.uint8), mask=mask, label=label, background=kind
    )


def make_shapes(
    n: int, seed: int, size: int = IMAGE_SIZE, area_range: tuple[float, float] = AREA_RANGE
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` shapes, classes balanced (cycled, then shuffled), reproducible from ``seed``.

    Returns:
        images (n, S, S, 3) uint8, masks (n, S, S) bool, labels (n,) int64.
    """
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % len(CLASSES))
    images = np.empty((n, size, size, 3), dtype=np.uint8)
    masks = np.empty((n, size, size), dtype=bool)
    for i, label in enumerate(labels):
        sample = make_shape(rng, int(label), size, area_range)
        images[i], masks[i] = sample.image, sample.mask
    return images, masks, labels.astype(np.int64)


def make_training_batch(
    seed: int, index: int, n: int, size: int = IMAGE_SIZE, easy_share: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Batch number ``index`` of a training stream: ``n`` shapes of random classes drawn from a generator
    seeded by (seed, index), so any process can make any batch and the stream is the same however it is split.

    Args:
        easy_share: the probability that an image gets a flat background (a curriculum starts high);
            the others draw their background from all kinds, as the evaluation does.

    Returns:
        images (n, S, S, 3) uint8, masks (n, S, S) bool, labels (n,) int64.
    """
    rng = np.random.default_rng([seed, index])
    samples = [
        make_shape(rng, size=size, background="flat" if rng.random() < easy_share else None) for _ in range(n)
    ]
    return (
        np.stack([s.image for s in samples]),
        np.stack([s.mask for s in samples]),
        np.array([s.label for s in samples], dtype=np.int64),
    )

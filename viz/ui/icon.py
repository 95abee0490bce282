"""The app's favicon, drawn here: a 4 x 4 attention map (rows sum to one, most weight on the diagonal).

A ``:material/...:`` or emoji ``page_icon`` makes the browser fetch the icon from Google's font service or a
CDN; an image is served by the app itself, so nothing leaves the classroom's network.
"""

from __future__ import annotations

from functools import cache

from PIL import Image, ImageDraw

from viz.figures.style import BLUE, WHITE, rgb

#: attention weights of the icon's 4 tokens (each row a softmax-like distribution)
ICON_WEIGHTS = (
    (0.70, 0.15, 0.10, 0.05),
    (0.20, 0.60, 0.15, 0.05),
    (0.05, 0.25, 0.55, 0.15),
    (0.05, 0.10, 0.25, 0.60),
)
_WHITE, _BLUE = rgb(WHITE), rgb(BLUE)  # Okabe-Ito blue, the theme's primary colour


@cache
def app_icon(size: int = 64) -> Image.Image:
    """The icon as an RGB image, ``size`` pixels square: darker blue = more attention."""
    image = Image.new("RGB", (size, size), _WHITE)
    draw = ImageDraw.Draw(image)
    cell = size / len(ICON_WEIGHTS)
    for i, row in enumerate(ICON_WEIGHTS):
        for j, weight in enumerate(row):
            shade = tuple(round(w + (b - w) * min(1.0, weight / 0.6)) for w, b in zip(_WHITE, _BLUE))
            draw.rectangle([j * cell + 1, i * cell + 1, (j + 1) * cell - 2, (i + 1) * cell - 2], fill=shade)
    return image

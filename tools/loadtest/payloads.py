"""What the simulated students type and upload: new sentences (caches miss) and image files, some bad.

Every sentence and every good image is distinct (the student's number and a counter are part of it), so the
app's per-input caches (keyed by the text, or by the pixels) never answer a student's action from memory.
"""

from __future__ import annotations

import dataclasses
import io
import random

from PIL import Image, ImageDraw

WORDS = (
    "the teacher student model word attention head layer sentence token query key value street animal "
    "cat dog river bank tired because quickly slowly reads writes sees remembers forgets projects "
    "weights softmax scaled matrix vector position meaning context small large early late bright dark "
    "morning evening school lesson question answer example picture number green blue red"
).split()


def sentence(rng: random.Random, student: int, counter: int) -> str:
    """A new sentence of 6 to 18 words (1 in 10: about 60 words), unique to (student, counter)."""
    n_words = rng.randint(50, 70) if rng.random() < 0.1 else rng.randint(6, 18)
    words = [rng.choice(WORDS) for _ in range(n_words)]
    return f"Student {student} try {counter}: " + " ".join(words).capitalize() + "."


@dataclasses.dataclass(frozen=True)
class UploadFile:
    name: str
    content: bytes
    mime: str
    bad: bool  # the app must refuse it with a message (an st.error), not an exception
    label: str  # "png", "jpeg", "not-an-image", "truncated-jpeg", "truncated-png", "empty"


def _picture(rng: random.Random) -> Image.Image:
    """Random shapes on a random background: distinct pixels every time."""
    width, height = rng.randint(160, 800), rng.randint(160, 800)
    image = Image.new("RGB", (width, height), tuple(rng.randint(0, 255) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(2, 6)):
        x0, y0 = rng.randint(0, width - 20), rng.randint(0, height - 20)
        x1, y1 = rng.randint(x0 + 10, width), rng.randint(y0 + 10, height)
        colour = tuple(rng.randint(0, 255) for _ in range(3))
        if rng.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
    draw.text((5, 5), f"{rng.random():.6f}", fill=(0, 0, 0))
    return image


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 85} if fmt == "JPEG" else {}))
    return buffer.getvalue()


def image_file(rng: random.Random, student: int, counter: int, bad_share: float = 0.2) -> UploadFile:
    """A PNG or JPEG photo-like picture, or (with probability ``bad_share``) a file the app must refuse."""
    stem = f"student{student}-upload{counter}"
    if rng.random() < bad_share:
        kind = rng.choice(("not-an-image", "truncated-jpeg", "truncated-png", "empty"))
        if kind == "not-an-image":
            return UploadFile(f"{stem}.png", b"name,score\nada,3\n" * 200, "image/png", True, kind)
        if kind == "empty":
            return UploadFile(f"{stem}.jpg", b"", "image/jpeg", True, kind)
        fmt = "JPEG" if kind == "truncated-jpeg" else "PNG"
        data = _encode(_picture(rng), fmt)
        cut = data[: max(64, int(len(data) * rng.uniform(0.2, 0.5)))]  # header intact, pixels cut short
        return UploadFile(f"{stem}.{fmt.lower()}", cut, f"image/{fmt.lower()}", True, kind)
    fmt = rng.choice(("PNG", "JPEG"))
    return UploadFile(
        f"{stem}.{'png' if fmt == 'PNG' else 'jpg'}",
        _encode(_picture(rng), fmt),
        f"image/{fmt.lower()}",
        False,
        fmt.lower(),
    )

"""The image input shared by the vision pages: a generated shape, a sample photograph, an upload or a drawing
made on the page's drawing pad (:mod:`viz.ui.drawing_pad`), and the model (the sidebar's chooser: the
bundled shapes ViT or a model the library found).

What the user picked is in the address (the source, the shape and its number, the photograph: a shared link
shows the same picture) and kept in ``st.session_state[STORE]`` (a plain dict, never a widget key), so the
choice and the uploaded picture survive a switch between the vision pages. Uploads are read once, in the
uploader's callback, by :func:`viz.data.images.read_image`; a refused file shows its fixed message. A drawing
is read the same way when a stroke ends, and stays (repainted on the pad) across a switch of source or page.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import streamlit as st

from viz.data.images import ImageInputError, LoadedImage, read_image
from viz.data.shapes import CLASSES, make_shape
from viz.ui.controls import bound_number, bound_radio, bound_selectbox
from viz.ui.drawing_pad import drawing_pad
from viz.ui.models import choose_model

STORE = "vision_input"
SAMPLES_DIR = Path(__file__).resolve().parents[2] / "assets" / "samples"
#: Sample photographs (scikit-image's sample data, see assets/README.md), label -> file.
SAMPLES = {
    "Cat (Chelsea)": "cat.jpg",
    "Astronaut (Eileen Collins)": "astronaut.jpg",
    "Coffee cup": "coffee.jpg",
    "Rocket launch": "rocket.jpg",
}
SOURCES = ("Generated shape", "Sample photograph", "Upload your own", "Draw it")
#: The drawing pad's key (its last drawing is kept under f"{PAD}_drawing").
PAD = "vision_pad"
ANY_SHAPE = "any shape"
#: The generated shapes a link can name by number (the "New shape" button counts up from 0).
MAX_SEED = 9_999


@dataclasses.dataclass(frozen=True)
class VisionInput:
    """What the pages trace: the image as read, where it came from, and the model to run."""

    image: LoadedImage
    description: str  # plain text, may hold a user's file name: show with st.text, never markdown
    model: str  # "shapes-vit" or a folder path
    shape_mask: np.ndarray | None = None  # the generated shape's own mask, when the image is one
    #: with the drawing pad, the column beside it: the page's first result goes there, on the first screen
    beside: object | None = None


_DEFAULTS = {
    "source": SOURCES[0],
    "shape": ANY_SHAPE,
    "seed": 0,
    "sample": next(iter(SAMPLES)),
    "upload": None,
    "upload_error": None,
    "upload_name": "",
}


def _store() -> dict:
    """The picked image's fields, kept across the vision pages."""
    store = st.session_state.setdefault(STORE, {})
    for field, value in _DEFAULTS.items():
        store.setdefault(field, value)
    return store


def _new_shape() -> None:
    """The "New shape" button: the next shape number (the number box, and so the address, follow)."""
    seed = st.session_state.get("vision_seed", _store()["seed"])
    st.session_state["vision_seed"] = (seed + 1) % (MAX_SEED + 1)


def _read_upload() -> None:
    store, uploaded = _store(), st.session_state.get("vision_upload")
    if uploaded is None:  # the user removed the file
        store.update(upload=None, upload_error=None, upload_name="")
        return
    store["upload_name"] = uploaded.name
    try:
        store.update(upload=read_image(uploaded.getvalue()), upload_error=None)
    except ImageInputError as err:
        store.update(upload=None, upload_error=str(err))


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(file_name: str) -> LoadedImage:
    return read_image(SAMPLES_DIR / file_name)


@st.cache_data(max_entries=64, show_spinner=False)
def _shape(seed: int, shape: str, size: int) -> tuple[LoadedImage, np.ndarray, str]:
    rng = np.random.default_rng(seed)
    label = None if shape == ANY_SHAPE else CLASSES.index(shape)
    sample = make_shape(rng, label, size=size)
    return (
        read_image(sample.image),
        sample.mask,
        f"generated {sample.name} on a {sample.background} background",
    )


def _remembered(widget, field: str, options: tuple, **kwargs):
    """The bound ``widget`` (:func:`bound_radio`, :func:`bound_selectbox`) over ``options``, starting at the
    store's ``field`` unless the address says otherwise, and saving what it shows there."""
    store = _store()
    index = options.index(store[field]) if store[field] in options else 0
    store[field] = widget(options=options, index=index, **kwargs)
    return store[field]


#: (image, plain-text description, a generated shape's mask or None, the column beside the pad or None)
Picked = tuple[LoadedImage, str, "np.ndarray | None", object | None]


def image_choice(image_size: int) -> Picked | None:
    """The picked image, a plain-text description, for a generated shape its mask, and for a drawing the
    column beside the pad (where the page puts its first result, so that drawing and answer share a screen)."""
    store = _store()
    source = _remembered(bound_radio, "source", SOURCES, label="Image", key="vision_source", horizontal=True)
    if source == SOURCES[0]:
        left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
        options = (ANY_SHAPE, *CLASSES)
        shape = _remembered(bound_selectbox, "shape", options, label="Shape", key="vision_shape", where=left)
        store["seed"] = bound_number(
            "Shape number",
            0,
            MAX_SEED,
            store["seed"],
            key="vision_seed",
            where=middle,
            help="Which generated shape: the same number draws the same picture, for everyone with the link.",
        )
        right.button("New shape", key="vision_regenerate", on_click=_new_shape, icon=":material/refresh:")
        image, mask, description = _shape(store["seed"], shape, max(image_size, 64))
        return image, description, mask, None
    if source == SOURCES[1]:
        names = tuple(SAMPLES)
        name = _remembered(bound_selectbox, "sample", names, label="Photograph", key="vision_sample")
        return _sample(SAMPLES[name]), f"sample photograph: {name}", None, None
    if source == SOURCES[3]:
        return _drawn()
    st.file_uploader(
        "Upload an image (PNG, JPEG, GIF, WebP, BMP or TIFF, up to 8 MB)",
        key="vision_upload",
        on_change=_read_upload,
        help="The file is checked by its content, not by its name.",
    )
    if store["upload_error"]:
        st.error(store["upload_error"])
        return None
    if store["upload"] is None:
        st.info("Choose a picture to upload, or pick a generated shape or a sample photograph above.")
        return None
    return store["upload"], f"your upload: {store['upload_name']}", None, None


def _drawn() -> Picked | None:
    """The drawing pad and what is drawn on it (None, after a hint, while the pad is empty), with the column
    beside the pad."""
    pad, beside = st.columns([3, 2])
    with pad:
        st.caption(
            "Draw one of the eight shapes, outlined or filled in, with mouse, finger or pen. "
            "It is read each time you lift the pen."
        )
        image = drawing_pad(PAD)
    if image is None:
        beside.info("Draw a shape on the pad: the answer appears here, the attention below.")
        return None
    return image, "your drawing on the pad", None, beside


def vision_input(image_size: int = 64) -> VisionInput | None:
    """The shared input block (model, then image); None while something is missing or refused."""
    model = choose_model("vit")
    picked = image_choice(image_size)
    if model is None or picked is None:
        return None
    image, description, mask, beside = picked
    return VisionInput(image=image, description=description, model=model, shape_mask=mask, beside=beside)


def model_notice(text: str) -> None:
    """What the bundled model is, folded into one line that opens (the vision pages repeat it)."""
    with st.expander(
        "About the bundled model: eight drawn shapes, or “none of these”", icon=":material/info:"
    ):
        st.markdown(text)


def show_notes(image: LoadedImage) -> None:
    """The conversions applied to the input, as plain text."""
    for note in image.notes:
        st.text(f"Note: {note}.")

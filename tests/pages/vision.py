"""Driving the vision pages (ViT and Swin) under AppTest: their paths, the picture they start on, and the inputs
they share (a sample photograph, an upload, a checkpoint folder)."""

from __future__ import annotations

import os

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.pages.helpers import assert_no_exception, texts
from viz.data.shapes import make_shape
from viz.ui.models import KEYS, TYPED_OPTION
from viz.ui.vision_inputs import SOURCES

PATCHES = "app_pages/vit_patches.py"
ATTENTION = "app_pages/vit_attention.py"
SWIN = "app_pages/swin.py"
HIERARCHY = "app_pages/swin_hierarchy.py"


def default_shape() -> np.ndarray:
    """The image the vision pages start on: the generated shape of seed 0."""
    return make_shape(np.random.default_rng(0), None, size=64).image


def choose_sample(at: AppTest, sample: str) -> AppTest:
    """On a vision page: pick one of the sample photographs."""
    at.radio(key="vision_source").set_value(SOURCES[1]).run()
    at.selectbox(key="vision_sample").set_value(sample).run()
    return at


def upload(at: AppTest, name: str, data: bytes, mime_type: str = "application/octet-stream") -> AppTest:
    """On a vision page: choose "Upload your own" and upload ``data`` as a file called ``name``."""
    at.radio(key="vision_source").set_value(SOURCES[2]).run()
    at.file_uploader(key="vision_upload").upload(name, data, mime_type).run()
    return at


def choose_folder(at: AppTest, family: str, folder) -> AppTest:
    """On a vision page of ``family`` ("vit" or "swin"): allow typed paths (as an operator may on a laptop),
    choose the folder option of the sidebar's model chooser and type ``folder``."""
    os.environ["VIZ_ALLOW_PATHS"] = "1"  # tests/conftest.py restores the environment after each test
    chooser, folder_key = KEYS[family]
    at.run()  # the chooser now offers the folder option
    at.selectbox(key=chooser).set_value(TYPED_OPTION).run()
    at.text_input(key=folder_key).input(str(folder)).run()
    return at


def assert_shown_as_text(at: AppTest, text: str) -> None:
    """``text`` is on the page literally (with st.text), never rendered as markdown, with no exception."""
    assert_no_exception(at)
    assert text in texts(at)
    assert not any(text in m.value for m in at.markdown)

"""The server's start: the lifespan starts the warm-up, whose first step imports every view and figure module."""

from __future__ import annotations

import asyncio
import sys

from viz.trace import warmup
from viz.ui import startup


def test_import_views_imports_every_view_and_figure_module():
    startup.import_views()
    for name in ("viz.ui.vit_views", "viz.ui.swin_views", "viz.ui.multihead_views", "viz.figures.vision"):
        assert name in sys.modules


def test_the_lifespan_starts_the_warm_up_with_the_views_first(monkeypatch):
    started = []
    monkeypatch.setattr(warmup, "start_warm_up", lambda first=None: started.append(first))

    async def run():
        async with startup.lifespan(None):
            pass

    asyncio.run(run())
    assert started == [startup.warm_views]


def test_the_layerwise_default_is_computed_once_for_every_session(monkeypatch):
    from viz.ui import layerwise_views

    startup.warm_layerwise()
    ran = []
    monkeypatch.setattr(
        "viz.layerwise.representations.sentence_representations", lambda *a, **k: ran.append(1)
    )
    startup.warm_layerwise()  # served from the page's cache: the encoder does not run again
    assert ran == [] and layerwise_views.sentence_layers

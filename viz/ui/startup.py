"""What happens when the server starts (``app.py``'s lifespan): in a background thread, the pages' modules
are imported (plotly, pandas and every view) and the bundled models loaded and run once
(:mod:`viz.trace.warmup`), so that no page's first visit waits for either."""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil

_LOG = logging.getLogger(__name__)


def import_views() -> None:
    """Import every module of viz.ui and viz.figures (what a page's first run would otherwise import)."""
    import viz.figures
    import viz.ui

    for package in (viz.figures, viz.ui):
        for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
            try:
                importlib.import_module(module.name)
            except Exception:  # noqa: BLE001 - the page that needs a broken module says why itself
                _LOG.exception("warm-up import of %s failed", module.name)


def warm_layerwise() -> None:
    """The layer-wise page's default view: MiniLM over the bundled sentences and the SI of every layer
    (seconds of work, kept in the page's own caches, which every session shares)."""
    from viz.ui import layerwise_views as views

    data = views.bundled_sentences()
    texts, labels = tuple(data["text"].tolist()), data["label"].tolist()
    reps = views.sentence_layers(texts, "mean")
    views.separation_tables(reps, tuple(labels), tuple(views.layer_names_of(reps)))


def warm_views() -> None:
    import_views()
    warm_layerwise()


@contextlib.asynccontextmanager
async def lifespan(app):
    """Start the warm-up (a background thread); nothing to do at shutdown."""
    from viz.trace.warmup import start_warm_up  # torch is imported by the thread, not here

    start_warm_up(first=warm_views)
    yield

"""Progress of a long read, reported from deep inside it to whoever asked for it.

The model library loads a checkpoint in a background thread and shows a progress bar; the weights are read
tensor by tensor in :mod:`viz.core.hf_folder`, which knows nothing of bars. :func:`reporting` sets a
callback for the calling thread (a context variable), and :func:`advance` calls it with the bytes just read.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

_callback: contextvars.ContextVar[Callable[[int], None] | None] = contextvars.ContextVar(
    "viz_progress", default=None
)


@contextlib.contextmanager
def reporting(callback: Callable[[int], None]) -> Iterator[None]:
    """Within the block, :func:`advance` (in this thread) calls ``callback(n_bytes)``."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)


def advance(n_bytes: int) -> None:
    """Report ``n_bytes`` more read; nothing happens where no one asked for progress."""
    callback = _callback.get()
    if callback is not None:
        callback(int(n_bytes))

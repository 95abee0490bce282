"""Generated shapes as torch batches: fresh images every step, reproducible from one seed."""

from __future__ import annotations

import collections
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import torch

from viz.data.drawn import make_drawn_batch
from viz.data.shapes import make_shape, make_training_batch

#: The training data a script can draw: "drawn" (as students make them, with "none of these":
#: :mod:`viz.data.drawn`) or "shapes" (the filled shapes of :mod:`viz.data.shapes`, eight classes).
DATA = ("drawn", "shapes")


def validation_set(data: str, n: int, seed: int, size: int):
    """``n`` held-out images of the ``data`` kind, classes balanced: images, masks, labels."""
    if data == "drawn":
        from viz.data.drawn import make_drawn_set

        return make_drawn_set(n, seed)
    from viz.data.shapes import make_shapes

    return make_shapes(n, seed, size)


def training_batch(data: str, seed: int, index: int, n: int, size: int, easy_share: float):
    """Batch ``index`` of the ``data`` stream (the same batch whichever process draws it)."""
    if data == "drawn":
        return make_drawn_batch(seed, index, n)
    return make_training_batch(seed, index, n, size, easy_share)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """(B, H, W, 3) uint8 -> (B, 3, H, W) float32 in [0, 1]."""
    return torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255.0)


def shape_batch(
    rng: np.random.Generator, batch_size: int, size: int, easy_share: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``batch_size`` fresh shapes of random classes: images (B, S, S, 3) uint8, masks (B, S, S), labels (B,).

    Args:
        easy_share: the probability that an image gets a flat background (a curriculum starts high);
            the other images draw their background from all kinds, as the evaluation does.
    """
    samples = [
        make_shape(rng, size=size, background="flat" if rng.random() < easy_share else None)
        for _ in range(batch_size)
    ]
    return (
        np.stack([s.image for s in samples]),
        np.stack([s.mask for s in samples]),
        np.array([s.label for s in samples], dtype=np.int64),
    )


def batch_stream(
    seed: int,
    n_batches: int,
    batch_size: int,
    size: int,
    easy_share: Callable[[int], float],
    workers: int = 1,
    window: int = 8,
    data: str = "shapes",
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Batches 0 .. n_batches - 1 of :func:`viz.data.shapes.make_training_batch`, in order.

    With ``workers`` > 0 they are drawn ahead in that many other processes (at most ``window`` waiting),
    so drawing overlaps training; the batches are identical either way.
    """
    if workers <= 0:
        for index in range(n_batches):
            yield training_batch(data, seed, index, batch_size, size, easy_share(index))
        return
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: collections.deque = collections.deque()
        submitted = 0
        while submitted < n_batches or pending:
            while submitted < n_batches and len(pending) < window:
                pending.append(
                    pool.submit(
                        training_batch, data, seed, submitted, batch_size, size, easy_share(submitted)
                    )
                )
                submitted += 1
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

"""How well a layer's representation separates classes: the Separation Index (SI) and its relatives,
and the Smoothness Index (SmI) for regression targets (Kalhor et al.).

Distances are Euclidean and a point is never its own neighbour. Neighbours are found in row blocks, so
memory is O(N * block) and the N x N distance matrix is never held for large N. Tensors live on the
device chosen by :func:`viz.core.device.get_device` unless one is given.
"""

from __future__ import annotations

import numpy as np
import torch

from viz.core.device import get_device

DEFAULT_BLOCK = 1024


def _features(features, device, dtype=torch.float32) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(features), dtype=dtype, device=device)
    if x.ndim != 2:
        raise ValueError(f"features must be (N, d), got shape {tuple(x.shape)}")
    if x.shape[0] < 2:
        raise ValueError("need at least two points")
    if not torch.isfinite(x).all():
        raise ValueError("features contain NaN or infinite values")
    return x


def _labels(labels, n: int) -> np.ndarray:
    y = np.asarray(labels)
    if y.shape != (n,):
        raise ValueError(f"labels must be ({n},), got shape {y.shape}")
    _, codes = np.unique(y, return_inverse=True)
    return codes


def _block_distances(
    x: torch.Tensor, start: int, stop: int, sq_norms: torch.Tensor | None = None
) -> torch.Tensor:
    """Squared distances (stop - start, N) from rows start..stop to every point, self set to +inf.

    |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, as one fused multiply-add over the block (no (b, N, d) temporary).
    """
    sq_norms = (x * x).sum(1) if sq_norms is None else sq_norms
    d = torch.addmm(sq_norms[None, :], x[start:stop], x.T, beta=1.0, alpha=-2.0)
    d.add_(sq_norms[start:stop, None]).clamp_(min=0)
    d[torch.arange(stop - start), torch.arange(start, stop)] = float("inf")
    return d


def nearest_neighbours(
    features,
    k: int = 1,
    block: int = DEFAULT_BLOCK,
    device: torch.device | str | None = None,
    dtype=torch.float32,
) -> np.ndarray:
    """(N, k) indices of each point's k nearest other points, nearest first."""
    x = _features(features, device or get_device(), dtype)
    n = x.shape[0]
    if not 1 <= k < n:
        raise ValueError(f"k must be between 1 and N - 1 = {n - 1}, got {k}")
    out = torch.empty((n, k), dtype=torch.long, device=x.device)
    sq_norms = (x * x).sum(1)
    for start in range(0, n, block):
        stop = min(n, start + block)
        d = _block_distances(x, start, stop, sq_norms)
        if k == 1:  # argmin is a single pass; topk sorts
            out[start:stop, 0] = d.argmin(dim=1)
        else:
            out[start:stop] = d.topk(k, dim=1, largest=False, sorted=True).indices
    return out.cpu().numpy()


def separation_index(
    features,
    labels,
    order: int = 1,
    soft: bool = False,
    block: int = DEFAULT_BLOCK,
    device: torch.device | str | None = None,
) -> float:
    """The Separation Index of ``features`` (N, d) for ``labels`` (N,).

    order = 1: the share of points whose nearest neighbour has their label (leave-one-out 1-NN accuracy).
    order = r > 1: high-order SI, a point counts only if all r nearest neighbours share its label; with
    ``soft=True`` the soft SI, the mean share of the r nearest neighbours that share the point's label.
    """
    return float(per_point_agreement(features, labels, order, soft, block, device).mean())


def per_point_agreement(
    features, labels, order: int = 1, soft: bool = False, block: int = DEFAULT_BLOCK, device=None
) -> np.ndarray:
    """Each point's contribution to the SI (0/1, or a share when soft)."""
    n = np.asarray(features).shape[0]
    codes = _labels(labels, n)
    same = codes[nearest_neighbours(features, order, block, device)] == codes[:, None]  # (N, order)
    return same.mean(axis=1) if soft else same.all(axis=1).astype(float)


def per_class_separation_index(
    features, labels, order: int = 1, soft: bool = False, block: int = DEFAULT_BLOCK, device=None
) -> dict:
    """SI restricted to the points of each class: {label: SI}."""
    y = np.asarray(labels)
    agree = per_point_agreement(features, y, order, soft, block, device)
    return {label: float(agree[y == label].mean()) for label in np.unique(y)}


def centre_separation_index(features, labels, device=None) -> float:
    """Share of points whose nearest class mean (means computed with every point, itself included) is
    their own class's."""
    x = _features(features, device or get_device())
    codes = _labels(labels, x.shape[0])
    y = torch.as_tensor(codes, device=x.device)
    n_classes = int(codes.max()) + 1
    centres = torch.zeros((n_classes, x.shape[1]), dtype=x.dtype, device=x.device).index_add_(0, y, x)
    centres /= torch.bincount(y, minlength=n_classes)[:, None].to(x.dtype)
    nearest = torch.cdist(x, centres).argmin(dim=1)
    return float((nearest == y).double().mean())


def smoothness_index(
    features, targets, form: str = "linear", gamma: float = 1.0, block: int = DEFAULT_BLOCK, device=None
) -> float:
    """Smoothness Index for a regression target (N,) or (N, m).

    linear:      mean_q (Dmax_q - D*_q) / (Dmax_q - Dmin_q)
    exponential: mean_q exp(-gamma (D*_q - Dmin_q) / Dmean_q)
    where D*_q is the target distance from q to its nearest neighbour in feature space, and Dmax_q, Dmin_q,
    Dmean_q the largest, smallest and mean target distance from q to any other point. A point whose target
    distances are all equal counts as perfectly smooth (1).
    """
    x = _features(features, device or get_device())
    t = torch.as_tensor(np.asarray(targets, dtype=np.float64), device=x.device)
    t = t[:, None] if t.ndim == 1 else t
    if t.shape[0] != x.shape[0]:
        raise ValueError(f"{t.shape[0]} targets for {x.shape[0]} points")
    if form not in ("linear", "exponential"):
        raise ValueError(f"form must be 'linear' or 'exponential', got {form!r}")
    n = x.shape[0]
    scores = torch.empty(n, dtype=torch.float64, device=x.device)
    sq_norms = (x * x).sum(1)
    for start in range(0, n, block):
        stop = min(n, start + block)
        nn = _block_distances(x, start, stop, sq_norms).argmin(dim=1)
        target_d = torch.cdist(t[start:stop], t)  # (b, N)
        own = torch.arange(stop - start, device=x.device), torch.arange(start, stop, device=x.device)
        d_star = target_d[torch.arange(stop - start, device=x.device), nn]
        others = target_d.clone()
        others[own] = float("inf")
        d_min = others.min(dim=1).values
        others[own] = float("-inf")
        d_max = others.max(dim=1).values
        d_mean = (target_d.sum(dim=1)) / (n - 1)  # the zero self-distance adds nothing
        if form == "linear":
            spread = d_max - d_min
            score = torch.where(
                spread > 0, (d_max - d_star) / spread.clamp(min=1e-300), torch.ones_like(spread)
            )
        else:
            score = torch.where(
                d_mean > 0,
                torch.exp(-gamma * (d_star - d_min) / d_mean.clamp(min=1e-300)),
                torch.ones_like(d_mean),
            )
        scores[start:stop] = score
    return float(scores.mean())


def si_jumps(values: list[float] | np.ndarray, threshold: float = 0.05) -> list[int]:
    """Indices i >= 1 where SI rises by at least ``threshold`` from layer i - 1 to layer i.

    The course's branching rule: such a jump marks a layer where the representation becomes much more
    separable, a natural place to branch an auxiliary head or fuse features.
    """
    v = np.asarray(values, dtype=float)
    return [int(i) for i in np.flatnonzero(np.diff(v) >= threshold) + 1]


def default_jump_threshold(values: list[float] | np.ndarray, low: float = 0.01, step: float = 0.01) -> float:
    """A threshold that marks the largest rise of ``values`` as a jump: that rise, rounded down to ``step``
    (at least ``low``), so that a page opens on the layer where separation grows most."""
    v = np.asarray(values, dtype=np.float64)
    rise = float(np.max(np.diff(v))) if v.size > 1 else 0.0
    return max(low, np.floor(rise / step + 1e-9) * step)

"""Separation and smoothness indices against scikit-learn and brute force."""

from __future__ import annotations

import numpy as np
import pytest

from viz.analysis.separation import (
    centre_separation_index,
    nearest_neighbours,
    per_class_separation_index,
    separation_index,
    si_jumps,
    smoothness_index,
)

sklearn = pytest.importorskip("sklearn")
from sklearn.model_selection import LeaveOneOut, cross_val_score  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402


def blobs(n=300, d=8, classes=3, spread=1.5, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, classes, n)
    x = rng.normal(size=(n, d)) + spread * rng.normal(size=(classes, d))[y]
    return x, y


def brute_neighbours(x, k):
    d = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    return np.argsort(d, axis=1, kind="stable")[:, :k]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_si_equals_leave_one_out_1nn_accuracy(seed):
    x, y = blobs(seed=seed)
    loo = cross_val_score(KNeighborsClassifier(n_neighbors=1), x, y, cv=LeaveOneOut()).mean()
    assert separation_index(x, y, device="cpu") == pytest.approx(loo)


@pytest.mark.parametrize("order", [1, 3, 5])
def test_high_order_and_soft_against_brute_force(order):
    x, y = blobs(n=200, seed=order)
    nn = brute_neighbours(x, order)
    same = y[nn] == y[:, None]
    assert separation_index(x, y, order=order) == pytest.approx(same.all(1).mean())
    assert separation_index(x, y, order=order, soft=True) == pytest.approx(same.mean())


def test_blocked_equals_unblocked():
    x, y = blobs(n=500, seed=4)
    full = nearest_neighbours(x, 4, block=10_000)
    for block in (1, 7, 64, 499):
        np.testing.assert_array_equal(nearest_neighbours(x, 4, block=block), full)
        assert separation_index(x, y, order=3, block=block) == separation_index(x, y, order=3, block=10_000)
    targets = np.random.default_rng(0).normal(size=500)
    assert smoothness_index(x, targets, block=13) == pytest.approx(smoothness_index(x, targets, block=10_000))


def test_never_its_own_neighbour_even_for_duplicates():
    x = np.array([[0.0, 0], [0, 0], [5, 5]])
    nn = nearest_neighbours(x, 1)[:, 0]
    assert nn[0] == 1 and nn[1] == 0


def test_perfect_and_random_separation():
    x = np.repeat(np.eye(4) * 100, 10, axis=0) + np.random.default_rng(0).normal(size=(40, 4))
    y = np.repeat(np.arange(4), 10)
    assert separation_index(x, y) == 1.0 and centre_separation_index(x, y) == 1.0
    assert per_class_separation_index(x, y) == {0: 1.0, 1: 1.0, 2: 1.0, 3: 1.0}
    shuffled = np.random.default_rng(1).permutation(y)
    assert separation_index(x, shuffled) < 0.6


def test_per_class_and_string_labels():
    x, y = blobs(n=120, seed=5)
    names = np.array(["cat", "dog", "emu"])[y]
    per = per_class_separation_index(x, names)
    assert set(per) == {"cat", "dog", "emu"}
    nn = brute_neighbours(x, 1)[:, 0]
    for k, name in enumerate(["cat", "dog", "emu"]):
        mask = y == k
        assert per[name] == pytest.approx((y[nn][mask] == k).mean())


def test_centre_si_hand_case():
    # class 0 at x = 0, 1; class 1 at x = 2, 10: means 0.5 and 6 -> point 2 is nearer mean 0 (1.5 < 4)
    x = np.array([[0.0], [1.0], [2.0], [10.0]])
    assert centre_separation_index(x, [0, 0, 1, 1]) == 0.75


def test_smoothness_hand_cases():
    x = np.array([[0.0], [1.0], [3.0]])
    # targets equal to the features: each point's feature neighbour is its closest target too
    assert smoothness_index(x, [0.0, 1.0, 3.0]) == pytest.approx(1.0)
    # point 0 (t=0): neighbour 1 -> D*=5, others {5, 1}: (5-5)/(5-1) = 0; point 1 (t=5): neighbour 0 -> D*=5,
    # others {5, 4}: 0; point 2 (t=1): neighbour 1 -> D*=4, others {1, 4}: 0 -> SmI 0
    assert smoothness_index(x, [0.0, 5.0, 1.0]) == pytest.approx(0.0)
    # exponential form on the smooth case: D* = Dmin -> exp(0) = 1
    assert smoothness_index(x, [0.0, 1.0, 3.0], form="exponential") == pytest.approx(1.0)
    # exponential, bad case, point 0: D*=5, Dmin=1, Dmean=3 -> exp(-4/3)
    value = smoothness_index(x, [0.0, 5.0, 1.0], form="exponential", gamma=1.0)
    expected = np.mean([np.exp(-(5 - 1) / 3), np.exp(-(5 - 4) / 4.5), np.exp(-(4 - 1) / 2.5)])
    assert value == pytest.approx(expected)


def test_jumps():
    assert si_jumps([0.2, 0.21, 0.5, 0.52, 0.9]) == [2, 4]
    assert si_jumps([0.5, 0.4, 0.46], threshold=0.05) == [2]


def test_bad_input():
    with pytest.raises(ValueError):
        separation_index(np.ones((3, 2)), [0, 1])
    with pytest.raises(ValueError):
        separation_index(np.ones(3), [0, 1, 1])
    with pytest.raises(ValueError):
        separation_index(np.array([[np.nan, 0], [0, 0]]), [0, 1])
    with pytest.raises(ValueError):
        separation_index(np.ones((3, 2)), [0, 1, 1], order=3)


def test_the_default_jump_threshold_marks_the_largest_rise():
    from viz.analysis.separation import default_jump_threshold, si_jumps

    si = [0.30, 0.34, 0.52, 0.55, 0.61]  # rises 0.04, 0.18, 0.03, 0.06
    threshold = default_jump_threshold(si)
    assert threshold == pytest.approx(0.18) and si_jumps(si, threshold) == [2]
    assert default_jump_threshold([0.5, 0.5]) == 0.01 and default_jump_threshold([0.9, 0.5]) == 0.01

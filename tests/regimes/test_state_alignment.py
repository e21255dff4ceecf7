"""Label alignment across refits: Hungarian matching on state parameters."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.errors import DataError
from factorgym.regimes import align_states, state_distance


def _params():
    means = np.array([[0.01, 0.0], [-0.02, 0.01], [0.0, -0.03]])
    vols = np.array([[0.03, 0.02], [0.08, 0.05], [0.05, 0.04]])
    covars = np.stack([np.diag(v**2) for v in vols])
    return means, covars


def test_state_distance_by_hand():
    means, covars = _params()
    scale = np.array([0.04, 0.03])
    d = state_distance(means, covars, means, covars, scale)
    assert_allclose(np.diag(d), 0.0, atol=1e-15)
    # states 0 and 1: mean gaps (0.03/0.04, -0.01/0.03), log-vol gaps (log 3/8, log 2/5)
    want = 0.75**2 + (1 / 3) ** 2 + np.log(3 / 8) ** 2 + np.log(2 / 5) ** 2
    assert d[0, 1] == pytest.approx(want, rel=1e-12)
    assert_allclose(d, d.T, rtol=1e-12)


@pytest.mark.parametrize("perm", [[0, 1, 2], [2, 0, 1], [1, 2, 0], [2, 1, 0]])
def test_align_states_recovers_a_relabelling(perm):
    means, covars = _params()
    perm = np.array(perm)
    rng = np.random.default_rng(0)
    new_means = means[perm] + rng.normal(0, 1e-3, means.shape)  # a refit: close, relabelled
    new_covars = covars[perm] * 1.05
    order = align_states(means, covars, new_means, new_covars, np.array([0.04, 0.03]))
    assert order.dtype == np.int64
    assert_allclose(new_means[order], means, atol=5e-3)
    assert np.array_equal(perm[order], np.arange(3))


def test_state_distance_rejects_bad_shapes_and_variances():
    means, covars = _params()
    with pytest.raises(DataError, match=r"state parameters must have shapes means \(3, 2\)"):
        state_distance(means, covars, means[:2], covars[:2], np.ones(2))
    bad = covars.copy()
    bad[1, 0, 0] = 0.0
    with pytest.raises(DataError, match=r"state variances and `scale` must be > 0"):
        state_distance(means, covars, means, bad, np.ones(2))

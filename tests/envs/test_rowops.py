"""Row-wise helpers agree with NumPy's reductions for one row and for a batch."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from factorgym.envs._rowops import as_column, ones, row_dot, row_max, row_sum


def test_row_ops_match_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(7, 4)), rng.normal(size=(7, 4))
    assert_allclose(row_sum(a), a.sum(axis=1), rtol=1e-14)
    assert row_sum(a[0]) == pytest.approx(a[0].sum(), rel=1e-14)
    assert_allclose(row_dot(a, b), (a * b).sum(axis=1), rtol=1e-14)
    assert_allclose(row_dot(a, b[0]), a @ b[0], rtol=1e-14)
    assert row_dot(a[0], b[0]) == pytest.approx(a[0] @ b[0], rel=1e-14)
    assert_allclose(row_max(a), a.max(axis=1))
    assert row_max(a[0]) == a[0].max()
    assert_allclose(row_sum(np.asfortranarray(a)), a.sum(axis=1), rtol=1e-14)


def test_as_column_and_cached_ones():
    assert as_column(np.arange(3.0)).shape == (3, 1)
    assert as_column(2.0) == 2.0
    assert ones(4) is ones(4) and not ones(4).flags.writeable

"""The log-space forward filter against brute force, scipy and hmmlearn."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hmmlearn.hmm import GaussianHMM
from numpy.testing import assert_allclose
from scipy.stats import multivariate_normal

from factorgym.regimes import forward_filter, gaussian_log_density


def _random_params(rng, k=3, d=2):
    means = rng.normal(size=(k, d))
    a = rng.normal(size=(k, d, d))
    covars = a @ np.transpose(a, (0, 2, 1)) + 0.5 * np.eye(d)
    transmat = rng.dirichlet(np.ones(k), size=k)
    startprob = rng.dirichlet(np.ones(k))
    return startprob, transmat, means, covars


def test_gaussian_log_density_matches_scipy():
    rng = np.random.default_rng(0)
    _, _, means, covars = _random_params(rng)
    x = rng.normal(size=(7, 2))
    got = gaussian_log_density(x, means, covars)
    want = np.column_stack([multivariate_normal(means[k], covars[k]).logpdf(x) for k in range(3)])
    assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_forward_filter_matches_brute_force_path_enumeration():
    """P(s_t | x_1..x_t) and log p(x) by summing over all k**(t+1) state paths."""
    rng = np.random.default_rng(1)
    startprob, transmat, means, covars = _random_params(rng, k=3, d=2)
    x = rng.normal(size=(6, 2))
    log_b = gaussian_log_density(x, means, covars)
    filtered, loglik = forward_filter(startprob, transmat, log_b)
    b = np.exp(log_b)
    for t in range(len(x)):
        joint = np.zeros(3)
        for path in itertools.product(range(3), repeat=t + 1):
            p = startprob[path[0]] * b[0, path[0]]
            for u in range(1, t + 1):
                p *= transmat[path[u - 1], path[u]] * b[u, path[u]]
            joint[path[-1]] += p
        assert_allclose(filtered[t], joint / joint.sum(), rtol=1e-12, atol=1e-15)
        if t == len(x) - 1:
            assert loglik == pytest.approx(np.log(joint.sum()), rel=1e-12)


def test_forward_filter_log_likelihood_matches_hmmlearn_score():
    rng = np.random.default_rng(2)
    startprob, transmat, means, covars = _random_params(rng, k=2, d=3)
    x = rng.normal(size=(200, 3))
    ref = GaussianHMM(2, covariance_type="full")
    ref.startprob_, ref.transmat_, ref.means_, ref.covars_ = startprob, transmat, means, covars
    _, loglik = forward_filter(startprob, transmat, gaussian_log_density(x, means, covars))
    assert loglik == pytest.approx(ref.score(x), rel=1e-10)


def test_forward_filter_is_stable_for_extreme_emissions():
    """Emission log densities of -1e5 (exp underflows to 0) still give proper probabilities."""
    log_b = np.array([[-1e5, -1e5 - 3.0], [-2e5 - 1.0, -2e5], [-1e6, -1e6]])
    filtered, loglik = forward_filter(
        np.array([0.5, 0.5]), np.array([[0.9, 0.1], [0.2, 0.8]]), log_b
    )
    assert np.all(np.isfinite(filtered)) and np.isfinite(loglik)
    assert_allclose(filtered.sum(axis=1), 1.0)
    assert filtered[0, 0] == pytest.approx(1 / (1 + np.exp(-3.0)))


def test_forward_filter_handles_zero_transition_probabilities():
    """An absorbing state: once there, the filter stays (log 0 = -inf, no NaN)."""
    transmat = np.array([[0.5, 0.5], [0.0, 1.0]])
    log_b = np.log(np.array([[0.1, 0.9], [0.9, 0.1], [0.9, 0.1]]))
    filtered, _ = forward_filter(np.array([0.0, 1.0]), transmat, log_b)
    assert_allclose(filtered, [[0.0, 1.0]] * 3)


def test_forward_filter_row_t_ignores_later_rows_bit_for_bit():
    rng = np.random.default_rng(3)
    startprob, transmat, means, covars = _random_params(rng, k=2, d=2)
    x = rng.normal(size=(50, 2))
    y = x.copy()
    y[30:] = rng.normal(5.0, 3.0, size=(20, 2))
    fx, _ = forward_filter(startprob, transmat, gaussian_log_density(x, means, covars))
    fy, _ = forward_filter(startprob, transmat, gaussian_log_density(y, means, covars))
    assert np.array_equal(fx[:30], fy[:30])
    assert not np.array_equal(fx[30:], fy[30:])


def test_forward_filter_empty_input():
    filtered, loglik = forward_filter(np.array([1.0]), np.array([[1.0]]), np.empty((0, 1)))
    assert filtered.shape == (0, 1) and loglik == 0.0

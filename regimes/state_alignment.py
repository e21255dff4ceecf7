"""Matching the states of a refitted HMM to those of the previous fit (label alignment).

EM labels states arbitrarily; a walk-forward refit can swap them, so ``regime_p0`` would mean
"calm" before a refit and "crisis" after. :func:`align_states` pairs each previous state with the
new state whose parameters are closest, by the Hungarian algorithm (Kuhn 1955, Naval Research
Logistics Quarterly 2; ``scipy.optimize.linear_sum_assignment``) on a cost that compares means in
units of the data's standard deviation and volatilities on a log scale.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from factorgym._typing import FloatArray, IntArray
from factorgym.errors import DataError

__all__ = ["align_states", "state_distance"]


def state_distance(
    means_a: FloatArray,
    covars_a: FloatArray,
    means_b: FloatArray,
    covars_b: FloatArray,
    scale: FloatArray,
) -> FloatArray:
    """Squared parameter distance between every state of fit ``a`` and every state of fit ``b``.

    ``D[i, j] = sum_f ((mu_a[i,f] - mu_b[j,f]) / scale_f)^2 + (log sd_a[i,f] - log sd_b[j,f])^2``
    with ``sd`` the square roots of the covariance diagonals: a mean gap of one standard deviation
    weighs as much as a volatility ratio of ``e``.

    Parameters
    ----------
    means_a, means_b : ndarray of shape (n_states, n_features)
        State means of the two fits.
    covars_a, covars_b : ndarray of shape (n_states, n_features, n_features)
        State covariances of the two fits.
    scale : ndarray of shape (n_features,)
        Typical standard deviation of each feature (e.g. of the training sample).

    Returns
    -------
    ndarray of shape (n_states, n_states)

    Raises
    ------
    DataError
        If the shapes disagree or a variance or scale is not positive.
    """
    means_a, means_b = np.asarray(means_a, float), np.asarray(means_b, float)
    covars_a, covars_b = np.asarray(covars_a, float), np.asarray(covars_b, float)
    scale = np.asarray(scale, float)
    k, d = means_a.shape
    if (
        means_b.shape != (k, d)
        or covars_a.shape != (k, d, d)
        or covars_b.shape != (k, d, d)
        or scale.shape != (d,)
    ):
        raise DataError(
            f"state parameters must have shapes means ({k}, {d}), covars ({k}, {d}, {d}) and "
            f"scale ({d},), got means_b {means_b.shape}, covars_a {covars_a.shape}, "
            f"covars_b {covars_b.shape}, scale {scale.shape}"
        )
    var_a = np.diagonal(covars_a, axis1=1, axis2=2)
    var_b = np.diagonal(covars_b, axis1=1, axis2=2)
    if np.any(var_a <= 0) or np.any(var_b <= 0) or np.any(scale <= 0):
        raise DataError("state variances and `scale` must be > 0 to compare states")
    mean_gap = (means_a[:, None, :] - means_b[None, :, :]) / scale
    log_sd_gap = 0.5 * (np.log(var_a)[:, None, :] - np.log(var_b)[None, :, :])
    return (mean_gap**2).sum(axis=2) + (log_sd_gap**2).sum(axis=2)


def align_states(
    means_prev: FloatArray,
    covars_prev: FloatArray,
    means_new: FloatArray,
    covars_new: FloatArray,
    scale: FloatArray,
) -> IntArray:
    """Order of the new states that best matches the previous labels.

    Returns ``order`` such that new state ``order[i]`` takes label ``i`` (pass it to
    :meth:`FilteredGaussianHMM.reorder_states`); the total :func:`state_distance` of the pairing
    is minimal.

    Parameters
    ----------
    means_prev, covars_prev : ndarray
        Parameters of the previous fit, labels as published.
    means_new, covars_new : ndarray
        Parameters of the new fit.
    scale : ndarray of shape (n_features,)
        Feature scale for the mean distance.

    Returns
    -------
    ndarray of shape (n_states,), dtype int64
    """
    cost = state_distance(means_prev, covars_prev, means_new, covars_new, scale)
    rows, cols = linear_sum_assignment(cost)
    order = np.empty(len(rows), dtype=np.int64)
    order[rows] = cols
    return order

"""Ridge regression with one penalty per target chosen by (purged) time-series cross-validation.

:class:`sklearn.linear_model.RidgeCV` picks one penalty for all targets unless it uses
leave-one-out CV (not purged, so it leaks across neighbouring months), and with a splitter it
runs a grid search that refits one model per penalty, fold and target — ~15 000 fits for a
walk-forward over 819 months. Here each fold is one SVD and every penalty and target is read off
it in closed form, so the whole path costs a few milliseconds. A test checks the chosen
penalties and coefficients against ``GridSearchCV(Ridge(), cv=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.forecasts.purged_cv import PurgedTimeSeriesSplit

__all__ = ["PurgedRidgeCV", "RIDGE_ALPHAS"]

RIDGE_ALPHAS: tuple[float, ...] = tuple(float(a) for a in np.logspace(-1, 5, 13))
"""Default penalty grid (for standardised features ``alpha`` is in units of samples)."""


def _ridge_path(X: FloatArray, Y: FloatArray, alphas: FloatArray) -> tuple[FloatArray, ...]:
    """Centred ridge solutions for every alpha.

    Returns ``coefs`` of shape (n_alphas, n_features, n_targets), the feature means and the
    target means; the intercept of alpha ``a`` is ``y_mean - x_mean @ coefs[a]``.
    Minimises ``||Y - X b - c||^2 + alpha ||b||^2`` (scikit-learn's ``Ridge`` objective).
    """
    x_mean = X.mean(axis=0)
    y_mean = Y.mean(axis=0)
    u, s, vt = np.linalg.svd(X - x_mean, full_matrices=False)
    uty = u.T @ (Y - y_mean)  # (r, K)
    shrink = s[None, :] / (s[None, :] ** 2 + alphas[:, None])  # (A, r)
    coefs = np.einsum("pr,ar,rk->apk", vt.T, shrink, uty)
    return coefs, x_mean, y_mean


class PurgedRidgeCV(RegressorMixin, BaseEstimator):
    """Multi-output ridge; each target's penalty minimises the mean validation MSE over folds.

    Parameters
    ----------
    alphas : sequence of float
        Candidate penalties (> 0). Ties go to the first (smallest) candidate, as in
        scikit-learn's grid search.
    cv : splitter, optional
        Object with ``split(X)``; default ``PurgedTimeSeriesSplit(5, label_horizon=1)``.

    Attributes
    ----------
    alpha_ : ndarray of shape (n_targets,)
        Chosen penalty of each target.
    cv_mse_ : ndarray of shape (n_alphas, n_targets)
        Mean validation MSE over the folds.
    coef_ : ndarray of shape (n_targets, n_features)
    intercept_ : ndarray of shape (n_targets,)
    n_features_in_ : int
    """

    def __init__(self, alphas: Sequence[float] = RIDGE_ALPHAS, *, cv: Any = None) -> None:
        self.alphas = alphas
        self.cv = cv

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: object, y: object) -> PurgedRidgeCV:
        """Choose the penalties by CV, then refit on all samples.

        Raises
        ------
        ConfigError
            For an empty or non-positive penalty grid.
        DataError
            For non-finite or mis-shaped inputs.
        """
        alphas = np.asarray(self.alphas, dtype=np.float64).reshape(-1)
        if alphas.size == 0 or not np.all(alphas > 0):
            raise ConfigError(
                f"`alphas` must be a non-empty sequence of floats > 0, got {self.alphas!r}"
            )
        x_arr = np.asarray(X, dtype=np.float64)
        y_arr = np.asarray(y, dtype=np.float64)
        one_d = y_arr.ndim == 1
        if one_d:
            y_arr = y_arr[:, None]
        if x_arr.ndim != 2 or y_arr.ndim != 2 or x_arr.shape[0] != y_arr.shape[0]:
            raise DataError(
                f"`X` must be 2-D and `y` 1-D or 2-D with the same rows, got shapes "
                f"{x_arr.shape} and {np.asarray(y).shape}"
            )
        if not (np.all(np.isfinite(x_arr)) and np.all(np.isfinite(y_arr))):
            raise DataError("`X` and `y` must be finite, got NaN or inf")
        cv = self.cv if self.cv is not None else PurgedTimeSeriesSplit(5, label_horizon=1)
        sse = np.zeros((alphas.size, y_arr.shape[1]))
        n_folds = 0
        for train, test in cv.split(x_arr):
            coefs, xm, ym = _ridge_path(x_arr[train], y_arr[train], alphas)
            pred = np.einsum("np,apk->ank", x_arr[test] - xm, coefs) + ym
            sse += np.mean((pred - y_arr[test][None]) ** 2, axis=1)
            n_folds += 1
        self.cv_mse_ = sse / n_folds
        best = np.argmin(self.cv_mse_, axis=0)  # first minimum = smallest alpha on ties
        self.alpha_ = alphas[best]
        coefs, xm, ym = _ridge_path(x_arr, y_arr, self.alpha_)
        coef = coefs[np.arange(y_arr.shape[1]), :, np.arange(y_arr.shape[1])]  # (K, p)
        self.coef_ = coef
        self.intercept_ = ym - coef @ xm
        self.n_features_in_ = x_arr.shape[1]
        self.y_ndim_ = 1 if one_d else 2
        return self

    def predict(self, X: object) -> FloatArray:
        """Predictions of shape (n_samples, n_targets) (1-D if fitted on a 1-D ``y``).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        if not hasattr(self, "coef_"):
            raise NotFittedError("PurgedRidgeCV is not fitted yet; call `fit` first")
        pred = np.asarray(X, dtype=np.float64) @ self.coef_.T + self.intercept_
        return pred[:, 0] if self.y_ndim_ == 1 else pred

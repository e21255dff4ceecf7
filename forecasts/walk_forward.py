"""Walk-forward forecaster: refit on an expanding (or rolling) window, forecast point in time.

The sample at month ``s`` has features ``F[s]`` and label ``x_{s+1}``. A model refitted at
month ``r`` (at the end of month ``r``, when ``x_r`` is known) is trained on the usable samples
``s <= r - 1`` only — their labels are observed by ``r``; the sample at ``r`` itself is purged
because its label ``x_{r+1}`` is still unknown. That model then forecasts every month
``t = r, ..., r_next - 1`` from ``F[t]``, so the forecast row ``t`` depends on months ``<= t``
only. Refit months are ``r_0, r_0 + refit_every, ...`` where ``r_0`` is the first month with at
least ``min_train_months`` usable samples before it.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from factorgym._typing import BoolArray, FloatArray, IntArray
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.forecasts.features import build_features, next_month_labels
from factorgym.forecasts.models import MODEL_NAMES, make_model
from factorgym.panel import FactorPanel
from factorgym.validation import check_int

__all__ = ["WalkForwardForecaster", "refit_schedule"]

logger = logging.getLogger(__name__)


def refit_schedule(usable: BoolArray, *, min_train_months: int, refit_every: int) -> IntArray:
    """Positions of the refit months.

    Parameters
    ----------
    usable : bool ndarray of shape (n_months,)
        ``usable[s]``: sample ``s`` has finite features and an observed label.
    min_train_months : int
        Usable samples needed before the first refit.
    refit_every : int
        Months between refits.

    Returns
    -------
    ndarray of int
        ``r_0, r_0 + refit_every, ... < n_months`` where ``r_0`` is the first ``t`` with
        ``usable[:t].sum() >= min_train_months``; empty if there is none. Because
        ``usable[:t]`` covers samples ``<= t - 1`` only, the schedule up to ``t`` never depends
        on later months.
    """
    n = len(usable)
    before = np.concatenate([[0], np.cumsum(usable, dtype=np.int64)])[:n]  # usable[:t].sum()
    hits = np.flatnonzero(before >= min_train_months)
    if hits.size == 0:
        return np.empty(0, dtype=np.int64)
    return np.arange(int(hits[0]), n, refit_every, dtype=np.int64)


class WalkForwardForecaster(BaseEstimator):
    """Point-in-time forecasts ``ŷ[t, k] = E[x_{t+1, k} | information up to the end of month t]``.

    Parameters
    ----------
    model : str or scikit-learn regressor
        A name of :data:`MODEL_NAMES` (built by :func:`make_model`) or an unfitted multi-output
        regressor (cloned at every refit; it receives ``y`` of shape (n_samples, n_assets), also
        for one asset; put a scaler in it yourself).
    min_train_months : int
        Usable training samples required before the first forecast (>= 2 (cv_splits + 1)).
    refit_every : int
        Months between refits; in between, the last fitted model is used.
    max_train_months : int, optional
        ``None`` = expanding window; an int = rolling window of that many months of samples
        (>= ``min_train_months``).
    return_windows, vol_window, momentum_window, include_rf
        Feature parameters of :func:`~factorgym.forecasts.build_features`.
    cv_splits : int
        Purged CV blocks for the penalised linear models.
    random_state : int
        Seed of the stochastic models (same seed -> identical frames).
    n_threads : int
        Native threads (BLAS, OpenMP, torch) while fitting; 1 keeps runs reproducible and
        leaves cores to other processes.

    Attributes
    ----------
    forecast_ : DataFrame of shape (n_months, n_assets)
        Row ``t`` = forecast of ``x_{t+1}`` made at the end of month ``t``; indexed by the panel's
        months. NaN before the first refit month (not enough history yet: the trailing windows
        and any external feature's burn-in). The last row forecasts the month after the panel.
    features_ : DataFrame of shape (n_months, n_features)
        The design matrix used.
    refit_months_ : PeriodIndex
        Months at which the model was refitted.
    train_sizes_ : ndarray of int
        Training samples of each refit.
    model_ : estimator
        The last fitted model.
    train_X_, train_y_ : DataFrame
        Features and labels of the last training window (for inspection).
    n_convergence_warnings_ : int
        Solver ``ConvergenceWarning``s raised while fitting (recorded and logged, not shown).
    """

    def __init__(
        self,
        model: str | BaseEstimator = "ridge",
        *,
        min_train_months: int = 120,
        refit_every: int = 12,
        max_train_months: int | None = None,
        return_windows: Sequence[int] = (1, 3, 12),
        vol_window: int = 12,
        momentum_window: int = 12,
        include_rf: bool = True,
        cv_splits: int = 5,
        random_state: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.model = model
        self.min_train_months = min_train_months
        self.refit_every = refit_every
        self.max_train_months = max_train_months
        self.return_windows = return_windows
        self.vol_window = vol_window
        self.momentum_window = momentum_window
        self.include_rf = include_rf
        self.cv_splits = cv_splits
        self.random_state = random_state
        self.n_threads = n_threads

    # ------------------------------------------------------------------ validation
    def _validate_params(self) -> None:
        if isinstance(self.model, str):
            if self.model not in MODEL_NAMES:
                raise ConfigError(f"`model` must be one of {MODEL_NAMES}, got {self.model!r}")
        elif not (hasattr(self.model, "fit") and hasattr(self.model, "predict")):
            raise ConfigError(
                f"`model` must be a model name or an estimator with fit/predict, "
                f"got {type(self.model).__name__}"
            )
        cv_splits = check_int("cv_splits", self.cv_splits, minimum=2)
        min_train = check_int(
            "min_train_months", self.min_train_months, minimum=2 * (cv_splits + 1)
        )
        check_int("refit_every", self.refit_every, minimum=1)
        if self.max_train_months is not None:
            check_int("max_train_months", self.max_train_months, minimum=min_train)
        check_int("n_threads", self.n_threads, minimum=1)
        check_int("random_state", self.random_state, minimum=0)

    def _new_model(self) -> BaseEstimator:
        if isinstance(self.model, str):
            return make_model(
                self.model,
                random_state=self.random_state,
                cv_splits=self.cv_splits,
                n_threads=self.n_threads,
            )
        return clone(self.model)

    def _fit_quietly(self, model: BaseEstimator, X: FloatArray, y: FloatArray) -> int:
        """Fit, recording solver ConvergenceWarnings (counted and logged); others propagate."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(X, y)
        n_conv = 0
        for w in caught:
            if issubclass(w.category, ConvergenceWarning):
                n_conv += 1
            else:  # not ours to swallow: re-emit under the caller's filters
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return n_conv

    # ------------------------------------------------------------------ fitting
    def fit(
        self, panel: FactorPanel, y: None = None, *, extra_features: pd.DataFrame | None = None
    ) -> WalkForwardForecaster:
        """Run the walk-forward over the whole panel.

        Parameters
        ----------
        panel : FactorPanel
            Monthly returns.
        y : None
            Ignored (the labels are the panel's next-month returns).
        extra_features : DataFrame, optional
            External point-in-time features indexed by the panel's months (e.g. filtered regime
            probabilities).

        Raises
        ------
        ConfigError
            For invalid parameters.
        DataError
            If ``panel`` is not a FactorPanel or too short for one forecast.
        LookAheadError
            If ``extra_features`` is misaligned or has rows dated after the panel.
        """
        self._validate_params()
        if not isinstance(panel, FactorPanel):
            raise DataError(f"`panel` must be a FactorPanel, got {type(panel).__name__}")
        features = build_features(
            panel,
            return_windows=self.return_windows,
            vol_window=self.vol_window,
            momentum_window=self.momentum_window,
            include_rf=self.include_rf,
            extra_features=extra_features,
        )
        labels = next_month_labels(panel)
        # C order, so that every fit sees the same memory layout (it sets summation order)
        X = np.ascontiguousarray(features.to_numpy(dtype=np.float64))
        Y = np.ascontiguousarray(labels.to_numpy(dtype=np.float64))
        n = panel.n_months
        x_ok = np.all(np.isfinite(X), axis=1)
        usable = x_ok & np.all(np.isfinite(Y), axis=1)
        refits = refit_schedule(
            usable, min_train_months=self.min_train_months, refit_every=self.refit_every
        )
        if refits.size == 0:
            raise DataError(
                f"`panel` is too short: {n} months give {int(usable.sum())} usable samples, "
                f"fewer than min_train_months={self.min_train_months} before any month"
            )
        pred = np.full(Y.shape, np.nan)
        positions = np.arange(n)
        sizes = np.zeros(len(refits), dtype=np.int64)
        n_conv = 0
        model: BaseEstimator | None = None
        train = np.zeros(n, dtype=bool)
        with threadpool_limits(limits=int(self.n_threads)):
            for i, r in enumerate(refits):
                lo = 0 if self.max_train_months is None else r - self.max_train_months
                train = usable & (positions <= r - 1) & (positions >= lo)
                # Features are complete from their first complete row on (the alignment rule),
                # so every refit window, expanding or rolling, holds >= min_train_months samples.
                assert train.sum() >= self.min_train_months, (r, int(train.sum()))
                model = self._new_model()
                n_conv += self._fit_quietly(model, X[train], Y[train])
                sizes[i] = int(train.sum())
                end = refits[i + 1] if i + 1 < len(refits) else n
                rows = np.arange(r, end)
                rows = rows[x_ok[rows]]
                if rows.size:
                    pred[rows] = np.asarray(model.predict(X[rows])).reshape(rows.size, -1)
        if n_conv:
            logger.warning("%s: %d ConvergenceWarnings while fitting", self.model, n_conv)
        months = panel.months.rename("month")
        self.forecast_ = pd.DataFrame(pred, index=months, columns=list(panel.assets))
        self.features_ = features
        self.refit_months_ = months[refits]
        self.train_sizes_ = sizes
        self.model_ = model
        self.train_X_ = features.loc[train]
        self.train_y_ = labels.loc[train]
        self.n_convergence_warnings_ = n_conv
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "forecast_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call `fit(panel)` first"
            )

    def forecast(self) -> pd.DataFrame:
        """The forecast frame (a copy of ``forecast_``).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        """
        self._check_fitted()
        return self.forecast_.copy()

"""`RegimeFeatures`: walk-forward, point-in-time HMM regime probabilities of a panel.

Timing (ARCHITECTURE.md): row ``t`` uses the end of month ``t`` and nothing later. Models are
refitted on a fixed schedule of month *positions* -- ``r_0 = min_train - 1``, ``r_j = r_0 + j *
refit_every`` -- that does not depend on how long the panel is. Row ``t`` (``r_j <= t < r_{j+1}``)
comes from the model fitted at ``r_j`` on months ``s_j..r_j`` (``s_j = 0`` for an expanding window,
``r_j - rolling_window + 1`` for a rolling one), warm-started from the fit at ``r_{j-1}`` (itself
fitted on months ``<= r_{j-1}``), then *filtered* forward from ``s_j`` through ``t``. Nothing after
``t`` enters row ``t``: perturbing or appending later months leaves it unchanged, to the bit.
Rows before ``r_0`` have no model and are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym.errors import ConfigError, DataError
from factorgym.panel import FactorPanel
from factorgym.regimes._feature_frames import (
    cached_frame,
    check_columns,
    check_panel,
    month_frame,
    panel_columns,
)
from factorgym.regimes.filtered_hmm import FilteredGaussianHMM
from factorgym.regimes.state_alignment import align_states
from factorgym.validation import (
    check_bool,
    check_choice,
    check_int,
    check_positive,
    check_seed,
)

__all__ = ["RegimeFeatures"]

_ALIGNMENTS = ("hungarian", "order")


class RegimeFeatures:
    """Walk-forward builder of filtered HMM regime features.

    Parameters
    ----------
    n_states : int, default 2
        Number of regimes.
    columns : sequence of str, optional
        Assets of the panel the HMM observes (default: all).
    min_train : int, default 120
        Months in the first training window; the first row with features is month
        ``min_train - 1`` (0-based), earlier rows are NaN.
    refit_every : int, default 12
        Months between refits (1 = refit every month).
    rolling_window : int, optional
        Train on the last ``rolling_window`` months (must be >= ``min_train``); ``None`` (default)
        trains on every month so far (expanding window).
    warm_start : bool, default True
        Start each refit's EM from the previous fit's parameters (one run) instead of
        ``n_restarts`` fresh runs. The first fit always uses fresh runs.
    alignment : {"hungarian", "order"}, default "hungarian"
        How labels stay comparable across refits: ``"hungarian"`` matches each refit's states
        to the previous fit's by their means and volatilities
        (:func:`~factorgym.regimes.state_alignment.align_states`); ``"order"`` keeps the
        estimator's rule (ascending variance of ``order_by``) at every refit.
        The first fit is always ordered by ascending variance of ``order_by``.
    order_by : str or int, optional
        Asset (name or position among ``columns``) whose variance orders the first fit's states
        (state 0 = calmest); default the first column.
    covariance_type, n_restarts, n_iter, tol, min_covar
        Passed to :class:`~factorgym.regimes.filtered_hmm.FilteredGaussianHMM`.
    random_state : int or None, default 0
        Seed of the EM restarts; ``None`` gives a different frame on every call (and cannot be
        cached).

    Attributes
    ----------
    refits_ : DataFrame
        After :meth:`compute`: one row per refit month (``month``) with ``train_start``,
        ``n_train``, ``log_likelihood``, ``converged``, ``n_iter``, ``warm_started`` and
        ``relabelled`` (whether alignment changed the estimator's variance order).

    Examples
    --------
    >>> import factorgym
    >>> from factorgym.regimes import RegimeFeatures
    >>> frame = RegimeFeatures(refit_every=12).compute(factorgym.load("french"))  # doctest: +SKIP
    >>> list(frame.columns)  # doctest: +SKIP
    ['regime_p0', 'regime_p1', 'regime_next_p0', 'regime_next_p1', 'regime_state']
    """

    def __init__(
        self,
        n_states: int = 2,
        *,
        columns: tuple[str, ...] | list[str] | None = None,
        min_train: int = 120,
        refit_every: int = 12,
        rolling_window: int | None = None,
        warm_start: bool = True,
        alignment: str = "hungarian",
        order_by: str | int | None = None,
        covariance_type: str = "full",
        n_restarts: int = 4,
        n_iter: int = 200,
        tol: float = 1e-4,
        min_covar: float = 1e-3,
        random_state: int | None = 0,
    ) -> None:
        self.n_states = n_states
        self.columns = columns
        self.min_train = min_train
        self.refit_every = refit_every
        self.rolling_window = rolling_window
        self.warm_start = warm_start
        self.alignment = alignment
        self.order_by = order_by
        self.covariance_type = covariance_type
        self.n_restarts = n_restarts
        self.n_iter = n_iter
        self.tol = tol
        self.min_covar = min_covar
        self.random_state = random_state

    def get_params(self) -> dict[str, object]:
        """Parameters, as given (also the cache key's parameters)."""
        params = dict(vars(self))
        params.pop("refits_", None)
        cols = params["columns"]
        params["columns"] = None if cols is None else list(check_columns(cols) or ())
        return params

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"RegimeFeatures({args})"

    def feature_names(self) -> list[str]:
        """Column names of the frame :meth:`compute` returns."""
        k = check_int("n_states", self.n_states, minimum=1)
        return (
            [f"regime_p{i}" for i in range(k)]
            + [f"regime_next_p{i}" for i in range(k)]
            + ["regime_state"]
        )

    # ------------------------------------------------------------------ validation
    def _validate(self, panel: FactorPanel) -> tuple[FactorPanel, int]:
        check_int("n_states", self.n_states, minimum=1)
        columns = check_columns(self.columns)
        min_train = check_int("min_train", self.min_train, minimum=2 * self.n_states)
        check_int("refit_every", self.refit_every, minimum=1)
        if self.rolling_window is not None:
            window = check_int("rolling_window", self.rolling_window, minimum=1)
            if window < min_train:
                raise ConfigError(
                    f"`rolling_window` must be >= `min_train` ({min_train}), got {window}"
                )
        check_bool("warm_start", self.warm_start)
        check_choice("alignment", self.alignment, _ALIGNMENTS)
        check_choice("covariance_type", self.covariance_type, ("full", "diag"))
        check_int("n_restarts", self.n_restarts, minimum=1)
        check_int("n_iter", self.n_iter, minimum=1)
        check_positive("tol", self.tol)
        check_positive("min_covar", self.min_covar)
        check_seed("random_state", self.random_state)
        sub, _ = panel_columns(check_panel(panel), columns)
        if sub.n_months < min_train:
            raise DataError(
                f"`panel` must hold at least `min_train` = {min_train} months, "
                f"got {sub.n_months} ({sub.start}..{sub.end})"
            )
        order_by = self.order_by
        if order_by is None:
            order_idx = 0
        elif isinstance(order_by, str):
            if order_by not in sub.assets:
                raise ConfigError(
                    f"`order_by` must be one of the observed assets {list(sub.assets)}, "
                    f"got {order_by!r}"
                )
            order_idx = sub.assets.index(order_by)
        else:
            order_idx = check_int("order_by", order_by, minimum=0)
            if order_idx >= sub.n_assets:
                raise ConfigError(
                    f"`order_by` must be a column position < {sub.n_assets}, got {order_idx}"
                )
        return sub, order_idx

    # ------------------------------------------------------------------ computation
    def compute(self, panel: FactorPanel, *, cache: object = None) -> pd.DataFrame:
        """Point-in-time regime features of every month of ``panel``.

        Parameters
        ----------
        panel : FactorPanel
            Monthly returns; the HMM observes ``columns``.
        cache : FeatureCache, optional
            Reuse a frame computed before for the same panel content, parameters and window.

        Returns
        -------
        DataFrame indexed by ``panel.months`` (named ``month``), float64 columns
            ``regime_p{k}`` = P(s_t = k | x_1..x_t), ``regime_next_p{k}`` =
            P(s_{t+1} = k | x_1..x_t), ``regime_state`` = argmax_k regime_p{k}. Rows before
            month ``min_train - 1`` are NaN.

        Raises
        ------
        ConfigError
            For an invalid parameter, or ``random_state=None`` with a cache.
        DataError
            If ``panel`` is not a FactorPanel or is shorter than ``min_train``.
        UnknownAssetError
            If a name in ``columns`` is not in the panel.
        """
        sub, order_idx = self._validate(panel)
        if cache is not None and self.random_state is None:
            raise ConfigError(
                "`random_state` must be an int when a cache is used (None gives a different "
                "frame on every call), got None"
            )
        params = self.get_params()
        produced: dict[str, pd.DataFrame] = {}

        def run() -> pd.DataFrame:
            frame, refits = self._walk_forward(sub, order_idx)
            produced["refits"] = refits
            return frame

        frame = cached_frame(cache, "factorgym.regimes.RegimeFeatures", params, panel, run)
        self.refits_ = cached_frame(
            cache,
            "factorgym.regimes.RegimeFeatures.refits",
            params,
            panel,
            lambda: (
                produced["refits"]
                if "refits" in produced
                else self._walk_forward(sub, order_idx)[1]
            ),
        )
        return frame

    def _walk_forward(self, sub: FactorPanel, order_idx: int) -> tuple[pd.DataFrame, pd.DataFrame]:
        x = sub.returns
        n = x.shape[0]
        k = self.n_states
        step = self.refit_every
        est = FilteredGaussianHMM(
            k,
            covariance_type=self.covariance_type,
            n_restarts=self.n_restarts,
            n_iter=self.n_iter,
            tol=self.tol,
            min_covar=self.min_covar,
            standardize=True,
            order_by=order_idx,
            warm_start=self.warm_start,
            random_state=self.random_state,
        )
        filtered = np.full((n, k), np.nan)
        ahead = np.full((n, k), np.nan)
        log_rows: list[dict[str, object]] = []
        prev: tuple[np.ndarray, np.ndarray] | None = None
        for r in range(self.min_train - 1, n, step):
            s = 0 if self.rolling_window is None else max(0, r - self.rolling_window + 1)
            try:
                est.fit(x[s : r + 1])  # months s..r: nothing after the refit month r
            except DataError as exc:
                raise DataError(
                    f"`panel` months {sub.months[s]}..{sub.months[r]} (columns "
                    f"{list(sub.assets)}) cannot be fitted by the HMM: {exc}"
                ) from exc
            relabelled = False
            if self.alignment == "hungarian" and prev is not None:
                order = align_states(prev[0], prev[1], est.means_, est.covars_, est.scale_)
                if not np.array_equal(order, np.arange(k)):
                    est.reorder_states(order)
                    relabelled = True
            prev = (est.means_.copy(), est.covars_.copy())
            end = min(r + step, n)  # rows r..end-1 use this model
            # Filter from the window start through end-1; row t of the result uses months <= t.
            probs = est.filter_proba(x[s:end])[r - s :]
            filtered[r:end] = probs
            ahead[r:end] = probs @ est.transmat_
            log_rows.append(
                {
                    "month": sub.months[r],
                    "train_start": sub.months[s],
                    "n_train": r + 1 - s,
                    "log_likelihood": est.log_likelihood_,
                    "converged": est.converged_,
                    "n_iter": est.n_iter_,
                    "warm_started": est.warm_started_,
                    "relabelled": relabelled,
                }
            )
        state = np.full(n, np.nan)
        ready = ~np.isnan(filtered[:, 0])
        state[ready] = np.argmax(filtered[ready], axis=1)
        data = {f"regime_p{i}": filtered[:, i] for i in range(k)}
        data |= {f"regime_next_p{i}": ahead[:, i] for i in range(k)}
        data["regime_state"] = state
        refits = pd.DataFrame(log_rows).set_index("month")
        return month_frame(sub, data), refits

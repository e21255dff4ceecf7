"""`FilteredGaussianHMM`: a Gaussian HMM fitted by hmmlearn, used only through its forward filter.

hmmlearn's ``predict_proba`` returns *smoothed* probabilities (forward-backward) and ``predict``
the Viterbi path; both use observations after ``t`` for the state at ``t``. This estimator fits
with hmmlearn's EM but computes its own filtered probabilities ``P(s_t | x_1..x_t)``
(:func:`~factorgym.regimes.forward_filter.forward_filter`), which are point in time.

Units: hmmlearn's ``min_covar`` (1e-3, added to the initial covariances), its covariance prior
(1e-2, added in every M-step) and the floor added here are absolute numbers, not small next to
the variance of monthly decimal returns (about 2e-3), so a raw fit on decimals differs from the
same fit on percent (``standardize=False`` on the French factors: filtered probabilities differ
by up to 0.998; standardised: 2e-12). The estimator therefore
standardises the training data (column mean 0, variance 1, statistics of the training sample
only) before EM, which makes the fit independent of the unit; ``min_covar`` is then relative to
unit variance, and fitted parameters are reported back in the input's units.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import numpy as np
from hmmlearn.hmm import GaussianHMM
from sklearn.base import BaseEstimator
from threadpoolctl import ThreadpoolController

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.regimes.forward_filter import forward_filter, gaussian_log_density
from factorgym.validation import (
    check_bool,
    check_choice,
    check_int,
    check_matrix,
    check_positive,
    check_seed,
)

__all__ = ["EMRun", "FilteredGaussianHMM"]

logger = logging.getLogger(__name__)

_COVARIANCE_TYPES = ("full", "diag")
# hmmlearn reports soft problems (non-increasing likelihood, degenerate fits) through these loggers.
_HMMLEARN_LOGGERS = ("hmmlearn.base", "hmmlearn.hmm", "hmmlearn._emissions", "hmmlearn._utils")
# A warm start mixes this much of the uniform distribution into the previous start and transition
# probabilities: EM can never move an exact zero, so one unobserved transition would otherwise be
# forbidden in every later refit.
_WARM_START_FLOOR = 1e-6
_THREADPOOLS: list[ThreadpoolController] = []


def _single_threaded() -> AbstractContextManager[object]:
    """Context limiting OpenMP and BLAS to one thread (created once; cheap to enter).

    EM on a few hundred months is far too small to gain from threads: k-means' OpenMP workers
    spin against other processes on a busy machine (a 4-restart fit took 3 s with 2 threads and
    0.4 s with 1 on a loaded 2-core box), and the thread count changes the last bits of the
    result, so a single thread also makes the fit reproducible across machines.
    """
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1)


@dataclass(frozen=True)
class EMRun:
    """Record of one EM run inside :meth:`FilteredGaussianHMM.fit`.

    Attributes
    ----------
    seed : int or None
        Seed given to hmmlearn (k-means and random start); ``None`` for a warm start.
    warm : bool
        Whether the run started from the previous fit's parameters.
    log_likelihood : float
        Log-likelihood of the training data, in the input's units (``nan`` if the run failed).
    converged : bool
        Whether the last EM step improved the (standardised) log-likelihood by less than ``tol``;
        ``False`` when EM stopped at ``n_iter`` (hmmlearn's own monitor counts that as converged).
    n_iter : int
        EM iterations performed.
    messages : tuple of str
        Warnings and hmmlearn log messages emitted during the run (captured, not shown).
    error : str or None
        Why the run failed, if it did.
    """

    seed: int | None
    warm: bool
    log_likelihood: float
    converged: bool
    n_iter: int
    messages: tuple[str, ...] = ()
    error: str | None = None


class _Collect(logging.Filter):
    def __init__(self, sink: list[str]) -> None:
        super().__init__()
        self.sink = sink

    def filter(self, record: logging.LogRecord) -> bool:
        self.sink.append(f"hmmlearn: {record.getMessage()}")
        return False  # recorded in EMRun.messages instead of printed


@contextmanager
def _captured(sink: list[str]) -> Iterator[None]:
    """Record Python warnings and hmmlearn log messages raised inside the block into ``sink``.

    hmmlearn signals non-convergence by logging, and sklearn's k-means or NumPy may warn on
    degenerate data; each EM run keeps them in its :class:`EMRun` rather than letting them reach
    the terminal (or, under ``filterwarnings = error``, abort the whole walk-forward).
    """
    collect = _Collect(sink)
    loggers = [logging.getLogger(name) for name in _HMMLEARN_LOGGERS]
    for lg in loggers:
        lg.addFilter(collect)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                yield
            finally:  # keep the warnings of a run that then failed, too
                sink.extend(f"{w.category.__name__}: {w.message}" for w in caught)
    finally:
        for lg in loggers:
            lg.removeFilter(collect)


def _permute_model(model: GaussianHMM, order: np.ndarray) -> None:
    """Relabel a fitted hmmlearn model in place: new state ``i`` is old state ``order[i]``."""
    model.startprob_ = model.startprob_[order]
    model.transmat_ = model.transmat_[np.ix_(order, order)]
    model.means_ = model.means_[order]
    full = model.covars_[order]  # hmmlearn returns full matrices whatever the covariance_type
    model.covars_ = (
        full if model.covariance_type == "full" else np.diagonal(full, axis1=1, axis2=2).copy()
    )


class _FlooredGaussianHMM(GaussianHMM):
    """hmmlearn's GaussianHMM plus ``min_covar`` on every covariance diagonal after each M-step.

    In hmmlearn 0.3 ``GaussianHMM`` uses ``min_covar`` only to initialise the covariances, and
    its scalar ``covars_prior`` adds a rank-one matrix, so EM on full covariances can collapse a
    state onto a handful of months: a singular covariance whose likelihood is unbounded (on the
    French factors a 4-restart fit on 1949-01..1959-06 kept such a run, which then failed
    hmmlearn's own positive-definiteness check). Adding a floor after each M-step, as sklearn's
    ``GaussianMixture(reg_covar=...)`` does, keeps every state's covariance positive definite.
    (Overrides hmmlearn's private ``_do_mstep``/``_covars_``; tested against hmmlearn >= 0.3.2.)
    """

    _covars_: np.ndarray  # hmmlearn's internal storage of the covariances

    def _do_mstep(self, stats: dict) -> None:
        super()._do_mstep(stats)
        if "c" in self.params:
            covars: np.ndarray = self._covars_
            if self.covariance_type == "full":
                self._covars_ = covars + self.min_covar * np.eye(self.n_features)
            else:  # "diag"
                self._covars_ = covars + self.min_covar


class FilteredGaussianHMM(BaseEstimator):
    """Gaussian hidden Markov model whose state probabilities are filtered, never smoothed.

    ``x_t | s_t = k ~ N(mu_k, Sigma_k)``, ``P(s_{t+1} = j | s_t = i) = A_ij`` (Hamilton 1989,
    Econometrica 57(2); Rabiner 1989, Proc. IEEE 77(2)). EM (Baum-Welch) is hmmlearn's
    ``GaussianHMM`` on standardised data; inference is the forward recursion of
    :func:`~factorgym.regimes.forward_filter.forward_filter`.

    Parameters
    ----------
    n_states : int, default 2
        Number of hidden states.
    covariance_type : {"full", "diag"}, default "full"
        Covariance structure of each state.
    n_restarts : int, default 4
        EM runs from different seeds (k-means initial means, random start and transition
        probabilities); the run with the highest log-likelihood is kept.
    n_iter : int, default 200
        Maximum EM iterations per run.
    tol : float, default 1e-4
        EM stops when the log-likelihood of the standardised data improves by less than this.
    min_covar : float, default 1e-3
        Covariance floor in **standardised** units (relative to unit variance): added to the
        initial covariances (hmmlearn) and to every state's covariance diagonal after each
        M-step, which keeps EM from collapsing a state onto a few months.
    standardize : bool, default True
        Fit on ``(X - mean) / std`` of the training sample. ``False`` fits on raw ``X``, which
        makes the fit depend on the unit (decimals vs percent; see the module docstring).
    order_by : int, default 0
        Column whose variance orders the states: after every fit, state 0 has the lowest
        variance of this column (calm), the last state the highest (crisis).
    warm_start : bool, default False
        If already fitted, start a single EM run from the current parameters (re-expressed in
        the new sample's standardisation) instead of ``n_restarts`` fresh runs. Much faster for
        walk-forward refits on a slightly longer window; falls back to fresh runs if it fails.
    random_state : int or None, default None
        Seed of the restarts' seeds (``numpy.random.SeedSequence``). ``None``: fresh entropy.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of the training data.
    loc_, scale_ : ndarray of shape (n_features,)
        Standardisation of the last training sample (0 and 1 if ``standardize=False``).
    startprob_ : ndarray of shape (n_states,)
        Distribution of the first training month's state.
    transmat_ : ndarray of shape (n_states, n_states)
        ``transmat_[i, j] = P(s_{t+1} = j | s_t = i)``.
    means_ : ndarray of shape (n_states, n_features)
        State means, in the input's units.
    covars_ : ndarray of shape (n_states, n_features, n_features)
        State covariances, in the input's units (always full matrices; diagonal for "diag").
    log_likelihood_ : float
        Log-likelihood of the training data under the kept run, in the input's units.
    converged_ : bool
        Whether the kept run converged (see :class:`EMRun`).
    n_iter_ : int
        EM iterations of the kept run.
    warm_started_ : bool
        Whether the kept run was a warm start.
    em_runs_ : tuple of EMRun
        Every run of the last ``fit``, in order.
    model_ : hmmlearn.hmm.GaussianHMM
        The kept model, in standardised units, states in this estimator's order.
    """

    n_features_in_: int  # set by fit

    def __init__(
        self,
        n_states: int = 2,
        *,
        covariance_type: str = "full",
        n_restarts: int = 4,
        n_iter: int = 200,
        tol: float = 1e-4,
        min_covar: float = 1e-3,
        standardize: bool = True,
        order_by: int = 0,
        warm_start: bool = False,
        random_state: int | None = None,
    ) -> None:
        self.n_states = n_states
        self.covariance_type = covariance_type
        self.n_restarts = n_restarts
        self.n_iter = n_iter
        self.tol = tol
        self.min_covar = min_covar
        self.standardize = standardize
        self.order_by = order_by
        self.warm_start = warm_start
        self.random_state = random_state

    # ------------------------------------------------------------------ validation
    def _validate_params(self) -> None:
        check_int("n_states", self.n_states, minimum=1)
        check_choice("covariance_type", self.covariance_type, _COVARIANCE_TYPES)
        check_int("n_restarts", self.n_restarts, minimum=1)
        check_int("n_iter", self.n_iter, minimum=1)
        check_positive("tol", self.tol)
        check_positive("min_covar", self.min_covar)
        check_bool("standardize", self.standardize)
        check_int("order_by", self.order_by, minimum=0)
        check_bool("warm_start", self.warm_start)
        check_seed("random_state", self.random_state)

    def _is_fitted(self) -> bool:
        return hasattr(self, "model_")

    def _check_fitted(self, x: object) -> FloatArray:
        if not self._is_fitted():
            raise NotFittedError(
                "this FilteredGaussianHMM is not fitted yet; call `fit(X)` before using it"
            )
        arr = check_matrix(x)
        if arr.shape[1] != self.n_features_in_:
            raise DataError(
                f"`X` must have {self.n_features_in_} columns like the training data, "
                f"got {arr.shape[1]}"
            )
        return arr

    # ------------------------------------------------------------------ fitting
    def fit(self, X: object, y: object = None) -> FilteredGaussianHMM:  # noqa: N803 (sklearn)
        """Fit by EM with restarts (or a warm start), keep the best run, order the states.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training observations (e.g. monthly factor returns), oldest first.
        y : None
            Ignored (sklearn convention).

        Returns
        -------
        self

        Raises
        ------
        ConfigError
            If a parameter is out of range.
        DataError
            If ``X`` is not a finite 2-D array, has fewer than ``2 * n_states`` rows or a
            constant column (with ``standardize``), if a warm start sees a different number of
            columns, or if every EM run fails.
        """
        self._validate_params()
        x = check_matrix(X)
        n, d = x.shape
        if self.order_by >= d:
            raise ConfigError(f"`order_by` must be a column index < {d}, got {self.order_by}")
        if n < 2 * self.n_states:
            raise DataError(
                f"`X` must have at least 2 * n_states = {2 * self.n_states} rows, got {n}"
            )
        if self.standardize:
            loc = x.mean(axis=0)
            scale = x.std(axis=0)
            # exactly constant (max == min), or constant to rounding: the mean of n copies of
            # 0.01 is not exactly 0.01, and the std of the residue is ~1e-18, not 0
            flat = (np.ptp(x, axis=0) == 0) | (scale <= 1e-12 * np.abs(loc))
            if np.any(flat):
                col = int(np.flatnonzero(flat)[0])
                raise DataError(
                    f"`X` must not have a constant column (standardisation divides by its "
                    f"standard deviation), got column {col} constant at {float(x[0, col])!r}"
                )
        else:
            loc, scale = np.zeros(d), np.ones(d)
        z = (x - loc) / scale
        log_jacobian = float(n * np.log(scale).sum())

        warm = self.warm_start and self._is_fitted()
        if warm and self.n_features_in_ != d:
            raise DataError(
                f"`X` must have {self.n_features_in_} columns to warm start from the "
                f"previous fit, got {d}"
            )
        runs: list[EMRun] = []
        best: GaussianHMM | None = None
        best_ll = -math.inf
        with _single_threaded():
            if warm:
                init = self._warm_init(loc, scale)
                model, run = self._run_em(z, log_jacobian, seed=None, init=init)
                runs.append(run)
                if model is not None:
                    best, best_ll = model, run.log_likelihood
            if best is None:
                seeds = np.random.SeedSequence(self.random_state).generate_state(self.n_restarts)
                for seed in seeds:
                    model, run = self._run_em(z, log_jacobian, seed=int(seed), init=None)
                    runs.append(run)
                    if model is not None and run.log_likelihood > best_ll:
                        best, best_ll = model, run.log_likelihood
        if best is None:
            raise DataError(
                f"every EM run failed on `X` of shape {x.shape}: "
                f"{'; '.join(str(r.error) for r in runs)}"
            )
        kept = next(r for r in runs if r.log_likelihood == best_ll)
        for r in runs:
            if r.messages or r.error or not r.converged:
                logger.debug("EM run %s", r)
        if not kept.converged:
            logger.info(
                "kept EM run did not converge in %d iterations (tol=%g)", kept.n_iter, self.tol
            )

        full_covars = best.covars_  # (K, d, d) whatever the covariance_type
        order = np.argsort(full_covars[:, self.order_by, self.order_by], kind="stable")
        _permute_model(best, order)
        self.model_ = best
        self.loc_ = loc
        self.scale_ = scale
        self.n_features_in_ = d
        self.log_likelihood_ = best_ll
        self.converged_ = kept.converged
        self.n_iter_ = kept.n_iter
        self.warm_started_ = kept.warm
        self.em_runs_ = tuple(runs)
        self._sync_public_params()
        return self

    def _run_em(
        self, z: FloatArray, log_jacobian: float, *, seed: int | None, init: dict | None
    ) -> tuple[GaussianHMM | None, EMRun]:
        model = _FlooredGaussianHMM(
            n_components=self.n_states,
            covariance_type=self.covariance_type,
            min_covar=self.min_covar,
            n_iter=self.n_iter,
            tol=self.tol,
            random_state=seed,
            params="stmc",
            init_params="" if init is not None else "stmc",
            implementation="log",
        )
        messages: list[str] = []
        try:
            with _captured(messages):
                for name, value in (init or {}).items():
                    setattr(model, name, value)  # hmmlearn validates shapes (ValueError)
                model.fit(z)
                ll_z = self._forward(model, z)[1]
        except (ValueError, np.linalg.LinAlgError) as exc:
            failed = EMRun(
                seed=seed,
                warm=init is not None,
                log_likelihood=math.nan,
                converged=False,
                n_iter=int(model.monitor_.iter),
                messages=tuple(messages),
                error=f"{type(exc).__name__}: {exc}",
            )
            return None, failed
        history = list(model.monitor_.history)
        converged = len(history) >= 2 and history[-1] - history[-2] < self.tol
        ll = ll_z - log_jacobian
        run = EMRun(
            seed=seed,
            warm=init is not None,
            log_likelihood=ll if math.isfinite(ll) else math.nan,
            converged=converged,
            n_iter=int(model.monitor_.iter),
            messages=tuple(messages),
            error=None if math.isfinite(ll) else "non-finite log-likelihood",
        )
        return (model if math.isfinite(ll) else None), run

    def _warm_init(self, loc: FloatArray, scale: FloatArray) -> dict:
        """Current parameters re-expressed in the new standardisation, for hmmlearn."""
        k = self.n_states
        floor = _WARM_START_FLOOR
        means = (self.means_ - loc) / scale
        covars = self.covars_ / np.outer(scale, scale)[None, :, :]
        if self.covariance_type == "diag":
            covars = np.diagonal(covars, axis1=1, axis2=2).copy()
        return {
            "startprob_": (1.0 - floor) * self.startprob_ + floor / k,
            "transmat_": (1.0 - floor) * self.transmat_ + floor / k,
            "means_": means,
            "covars_": covars,
        }

    def _sync_public_params(self) -> None:
        model = self.model_
        scale = self.scale_
        self.startprob_ = np.array(model.startprob_, dtype=np.float64)
        self.transmat_ = np.array(model.transmat_, dtype=np.float64)
        self.means_ = model.means_ * scale + self.loc_
        self.covars_ = model.covars_ * np.outer(scale, scale)[None, :, :]

    def reorder_states(self, order: object) -> FilteredGaussianHMM:
        """Relabel the fitted states: new state ``i`` is the current state ``order[i]``.

        Used to keep labels aligned across walk-forward refits; after it, ``order_by`` no longer
        describes the labels.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ConfigError
            If ``order`` is not a permutation of ``range(n_states)``.
        """
        if not self._is_fitted():
            raise NotFittedError("this FilteredGaussianHMM is not fitted yet; call `fit(X)` first")
        perm = np.asarray(order)
        k = self.model_.n_components
        if perm.shape != (k,) or not np.array_equal(np.sort(perm), np.arange(k)):
            raise ConfigError(
                f"`order` must be a permutation of range({k}), got {np.asarray(order).tolist()}"
            )
        _permute_model(self.model_, perm.astype(np.intp))
        self._sync_public_params()
        return self

    # ------------------------------------------------------------------ inference
    @staticmethod
    def _forward(model: GaussianHMM, z: FloatArray) -> tuple[FloatArray, float]:
        log_em = gaussian_log_density(z, model.means_, model.covars_)
        return forward_filter(model.startprob_, model.transmat_, log_em)

    def filter_proba(self, X: object) -> FloatArray:  # noqa: N803 (sklearn)
        """Filtered state probabilities ``P(s_t | x_1..x_t)``; row ``t`` uses rows ``<= t`` only.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Observations in the training data's units; the recursion starts from
            ``startprob_`` at row 0.

        Returns
        -------
        ndarray of shape (n_samples, n_states)

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataError
            If ``X`` is not finite, 2-D, with the training data's number of columns.
        """
        x = self._check_fitted(X)
        return self._forward(self.model_, (x - self.loc_) / self.scale_)[0]

    def predict_next_proba(self, X: object) -> FloatArray:  # noqa: N803 (sklearn)
        """One-step-ahead state probabilities ``P(s_{t+1} | x_1..x_t)`` = filtered @ ``transmat_``.

        Returns
        -------
        ndarray of shape (n_samples, n_states)
        """
        return self.filter_proba(X) @ self.transmat_

    def score(self, X: object, y: object = None) -> float:  # noqa: N803 (sklearn)
        """Log-likelihood ``log p(x_1..x_T)`` by the forward recursion, in the input's units."""
        x = self._check_fitted(X)
        ll_z = self._forward(self.model_, (x - self.loc_) / self.scale_)[1]
        return float(ll_z - x.shape[0] * np.log(self.scale_).sum())

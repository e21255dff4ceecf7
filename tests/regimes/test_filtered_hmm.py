"""FilteredGaussianHMM: filtered (not smoothed) probabilities, units, restarts, warm start."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest
from hmmlearn.hmm import GaussianHMM
from numpy.testing import assert_allclose
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from factorgym.errors import ConfigError, DataError, NotFittedError
from factorgym.regimes import FilteredGaussianHMM


def _reference_hmm(est: FilteredGaussianHMM) -> GaussianHMM:
    """An hmmlearn model holding exactly the estimator's fitted parameters, in the data's units."""
    ref = GaussianHMM(est.n_states, covariance_type="full")
    ref.startprob_ = est.startprob_
    ref.transmat_ = est.transmat_
    ref.means_ = est.means_
    ref.covars_ = est.covars_
    return ref


@pytest.fixture(scope="module")
def french_x(french_panel):
    return np.array(french_panel.returns)


@pytest.fixture(scope="module")
def french_fit(french_x):
    return FilteredGaussianHMM(random_state=0).fit(french_x)


# ---------------------------------------------------------------------------- must show (1)
def test_filter_equals_last_row_of_hmmlearn_predict_proba_on_every_prefix(french_fit, french_x):
    """Filtered P(s_t | x_1..x_t) is hmmlearn's smoothed posterior of the *last* month of the
    prefix X[: t + 1] (where smoothing has nothing after t to use), at every t, to 1e-8."""
    filtered = french_fit.filter_proba(french_x)
    ref = _reference_hmm(french_fit)
    with threadpool_limits(1):  # hundreds of tiny BLAS calls: threads only add contention
        last_rows = np.array(
            [ref.predict_proba(french_x[: t + 1])[-1] for t in range(len(french_x))]
        )
    assert_allclose(filtered, last_rows, rtol=0, atol=1e-8)


def test_filter_differs_from_full_sample_smoothed_probabilities(french_fit, french_x):
    """The smoothed probabilities use later months: they differ from the filter a lot."""
    filtered = french_fit.filter_proba(french_x)
    smoothed = _reference_hmm(french_fit).predict_proba(french_x)
    gap = np.abs(filtered - smoothed).max(axis=1)
    assert gap.max() > 0.3
    assert (gap > 0.05).mean() > 0.05  # not a handful of months: a systematic look-ahead


def test_smoothed_probabilities_look_ahead_and_filter_does_not(french_fit, french_x):
    """Same fitted parameters; change the months after t: the smoothed value at t moves, the
    filtered one does not move at all. t is the most uncertain month of the middle of the
    sample, and the later months are replaced by calm-state means."""
    filtered = french_fit.filter_proba(french_x)
    t = 200 + int(np.argmin(np.abs(filtered[200:600, 0] - 0.5)))
    altered = french_x.copy()
    altered[t + 1 :] = french_fit.means_[0]
    ref = _reference_hmm(french_fit)
    smoothed_moves = np.abs(ref.predict_proba(altered)[t] - ref.predict_proba(french_x)[t])
    assert smoothed_moves.max() > 0.05
    assert np.array_equal(french_fit.filter_proba(altered)[: t + 1], filtered[: t + 1])


@pytest.mark.slow
def test_appending_months_moves_smoothed_probabilities_but_not_the_filter(french_fit, french_x):
    """ARCHITECTURE.md's claim on the 1949-2017 French factors: appending later months changes
    hmmlearn's predict_proba at a month by a lot; the filter changes by exactly 0."""
    ref = _reference_hmm(french_fit)
    full_smoothed = ref.predict_proba(french_x)
    full_filtered = french_fit.filter_proba(french_x)
    smooth_change = filter_change = 0.0
    with threadpool_limits(1):
        for t in range(len(french_x)):
            prefix = french_x[: t + 1]
            smooth_change = max(
                smooth_change, np.abs(ref.predict_proba(prefix)[-1] - full_smoothed[t]).max()
            )
            filter_change = max(
                filter_change, np.abs(french_fit.filter_proba(prefix)[-1] - full_filtered[t]).max()
            )
    assert filter_change <= 1e-10, filter_change
    assert smooth_change > 0.3, smooth_change


# ---------------------------------------------------------------------------- inference
def test_predict_next_proba_is_filtered_times_transition_matrix(french_fit, french_x):
    nxt = french_fit.predict_next_proba(french_x)
    assert_allclose(nxt, french_fit.filter_proba(french_x) @ french_fit.transmat_, rtol=0, atol=0)
    assert_allclose(nxt.sum(axis=1), 1.0, atol=1e-12)


def test_score_matches_hmmlearn_score(french_fit, french_x):
    assert french_fit.score(french_x) == pytest.approx(
        _reference_hmm(french_fit).score(french_x), rel=1e-10
    )
    assert french_fit.log_likelihood_ == pytest.approx(french_fit.score(french_x), rel=1e-10)


# ---------------------------------------------------------------------------- units
def test_fit_does_not_depend_on_units(french_x):
    """Decimals and percent give the same filtered probabilities (inputs are standardised)."""
    dec = FilteredGaussianHMM(random_state=0).fit(french_x)
    pct = FilteredGaussianHMM(random_state=0).fit(100.0 * french_x)
    assert_allclose(dec.filter_proba(french_x), pct.filter_proba(100.0 * french_x), atol=1e-8)
    assert_allclose(100.0 * dec.means_, pct.means_, rtol=1e-6)
    assert_allclose(1e4 * dec.covars_, pct.covars_, rtol=1e-6)
    assert_allclose(dec.transmat_, pct.transmat_, atol=1e-8)


def test_raw_hmmlearn_fit_depends_on_units(french_x):
    """Why standardising matters: without it, hmmlearn's absolute covariance floor and prior
    make the decimal and percent fits disagree materially."""
    dec = FilteredGaussianHMM(standardize=False, random_state=0).fit(french_x)
    pct = FilteredGaussianHMM(standardize=False, random_state=0).fit(100.0 * french_x)
    gap = np.abs(dec.filter_proba(french_x) - pct.filter_proba(100.0 * french_x)).max()
    assert gap > 0.05


# ---------------------------------------------------------------------------- fitting
def test_states_ordered_by_ascending_variance_of_chosen_column(french_x):
    for col in (0, 2):
        est = FilteredGaussianHMM(3, order_by=col, n_restarts=2, random_state=1).fit(french_x)
        variances = est.covars_[:, col, col]
        assert np.all(np.diff(variances) > 0), (col, variances)


def test_restarts_are_recorded_and_best_likelihood_kept(french_x):
    est = FilteredGaussianHMM(n_restarts=3, random_state=7).fit(french_x)
    assert len(est.em_runs_) == 3
    assert all(not r.warm and r.seed is not None and r.error is None for r in est.em_runs_)
    assert est.log_likelihood_ == max(r.log_likelihood for r in est.em_runs_)
    assert isinstance(est.converged_, bool) and est.converged_
    assert est.n_iter_ >= 2 and not est.warm_started_


def test_stopping_at_n_iter_is_reported_as_not_converged(french_x):
    est = FilteredGaussianHMM(n_iter=2, n_restarts=1, random_state=0).fit(french_x)
    assert est.converged_ is False and est.n_iter_ == 2


def test_same_seed_same_fit_other_seed_other_restarts(french_x):
    a = FilteredGaussianHMM(random_state=3).fit(french_x)
    b = FilteredGaussianHMM(random_state=3).fit(french_x)
    c = FilteredGaussianHMM(random_state=4).fit(french_x)
    assert np.array_equal(a.filter_proba(french_x), b.filter_proba(french_x))
    assert np.array_equal(a.means_, b.means_) and np.array_equal(a.transmat_, b.transmat_)
    assert [r.seed for r in a.em_runs_] == [r.seed for r in b.em_runs_]
    assert [r.seed for r in a.em_runs_] != [r.seed for r in c.em_runs_]


def test_warm_start_runs_one_em_from_previous_parameters(french_x):
    cold = FilteredGaussianHMM(random_state=0).fit(french_x)
    warm = FilteredGaussianHMM(random_state=0, warm_start=True).fit(french_x[:600])
    assert not warm.warm_started_
    warm.fit(french_x)
    assert warm.warm_started_ and len(warm.em_runs_) == 1 and warm.em_runs_[0].warm
    assert warm.n_iter_ < cold.n_iter_
    assert warm.log_likelihood_ == pytest.approx(cold.log_likelihood_, abs=0.1)
    assert_allclose(warm.filter_proba(french_x), cold.filter_proba(french_x), atol=0.01)


def test_failed_warm_start_falls_back_to_fresh_restarts(french_x, monkeypatch):
    est = FilteredGaussianHMM(n_restarts=2, random_state=0, warm_start=True).fit(french_x[:300])
    monkeypatch.setattr(
        FilteredGaussianHMM, "_warm_init", lambda self, loc, scale: {"means_": np.zeros((5, 5))}
    )
    est.fit(french_x)
    assert len(est.em_runs_) == 3
    assert est.em_runs_[0].warm and est.em_runs_[0].error is not None
    assert not est.warm_started_


def test_covariance_floor_prevents_a_state_collapsing_onto_a_few_months(french_x):
    """Regression: on 1949-01..1959-06 one of four plain hmmlearn EM runs collapses a state onto
    3 months (singular covariance, unbounded likelihood) and wins the restart contest; the floor
    added after every M-step keeps each state's covariance >= min_covar (standardised)."""
    x = french_x[:126]
    est = FilteredGaussianHMM(random_state=0, min_covar=1e-3).fit(x)
    for cov in est.model_.covars_:
        assert np.linalg.eigvalsh(cov).min() >= 1e-3 * (1 - 1e-9)
    assert np.all(np.isfinite(est.filter_proba(x)))
    plain = GaussianHMM(
        2, covariance_type="full", n_iter=200, tol=1e-4, random_state=int(est.em_runs_[3].seed)
    )
    with threadpool_limits(1):
        z = (x - x.mean(axis=0)) / x.std(axis=0)
        plain.fit(z)
    assert min(np.linalg.eigvalsh(c).min() for c in plain.covars_) < 1e-10


def test_diag_covariance(french_x):
    est = FilteredGaussianHMM(covariance_type="diag", random_state=0).fit(french_x)
    off_diag = est.covars_ - np.einsum("kii->ki", est.covars_)[:, :, None] * np.eye(4)
    assert np.all(off_diag == 0)
    assert_allclose(
        _reference_hmm(est).predict_proba(french_x[:50])[-1],
        est.filter_proba(french_x)[49],
        atol=1e-8,
    )


def test_reorder_states_permutes_everything(french_fit, french_x):
    est = clone(french_fit).fit(french_x)
    before = est.filter_proba(french_x)
    means = est.means_.copy()
    est.reorder_states([1, 0])
    assert_allclose(est.filter_proba(french_x), before[:, ::-1], atol=1e-14)
    assert_allclose(est.means_, means[::-1])
    est.reorder_states(np.array([1, 0]))
    assert_allclose(est.filter_proba(french_x), before, atol=1e-14)


def test_oos_filtered_argmax_recovers_true_states(regime_market):
    """Must show (3): fit on the first 300 months only, filter the whole sample, score the
    last 300 months (out of sample)."""
    x = regime_market.panel.returns
    est = FilteredGaussianHMM(random_state=0).fit(x[:300])
    states = est.filter_proba(x).argmax(axis=1)
    accuracy = (states[300:] == regime_market.states[300:]).mean()
    assert accuracy >= 0.8, accuracy


# ---------------------------------------------------------------------------- warnings & logs
def test_warnings_and_hmmlearn_logs_are_recorded_not_raised(french_x, monkeypatch, caplog):
    original = GaussianHMM.fit

    def noisy_fit(self, X, lengths=None):
        warnings.warn("k-means found fewer clusters", RuntimeWarning, stacklevel=1)
        logging.getLogger("hmmlearn.base").warning("Model is not converging.  (test)")
        return original(self, X, lengths)

    monkeypatch.setattr(GaussianHMM, "fit", noisy_fit)
    with caplog.at_level(logging.WARNING, logger="hmmlearn"):
        est = FilteredGaussianHMM(n_restarts=2, random_state=0).fit(french_x)
    assert not [r for r in caplog.records if r.name.startswith("hmmlearn")]
    for run in est.em_runs_:
        assert "RuntimeWarning: k-means found fewer clusters" in run.messages
        assert "hmmlearn: Model is not converging.  (test)" in run.messages
    # the filter on the hmmlearn loggers is removed afterwards
    assert not logging.getLogger("hmmlearn.base").filters


def test_every_failed_run_raises(french_x, monkeypatch):
    def broken_fit(self, X, lengths=None):
        raise ValueError("singular covariance")

    monkeypatch.setattr(GaussianHMM, "fit", broken_fit)
    with pytest.raises(DataError, match=r"every EM run failed .*singular covariance"):
        FilteredGaussianHMM(n_restarts=2, random_state=0).fit(french_x)


# ---------------------------------------------------------------------------- sklearn & errors
def test_params_stored_unchanged_and_validated_in_fit(french_x):
    est = FilteredGaussianHMM(tol="tiny")
    assert est.get_params()["tol"] == "tiny"
    assert clone(est).get_params() == est.get_params()
    with pytest.raises(ConfigError, match=r"`tol` must be a finite number > 0, got 'tiny'"):
        est.fit(french_x)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_states": 0}, r"`n_states` must be an int >= 1, got 0"),
        ({"n_states": 2.0}, r"`n_states` must be an int >= 1, got 2.0"),
        ({"covariance_type": "tied"}, r"`covariance_type` must be one of \('full', 'diag'\)"),
        ({"n_restarts": 0}, r"`n_restarts` must be an int >= 1, got 0"),
        ({"n_iter": True}, r"`n_iter` must be an int >= 1, got True"),
        ({"tol": -1.0}, r"`tol` must be a finite number > 0, got -1.0"),
        ({"tol": float("nan")}, r"`tol` must be a finite number > 0, got nan"),
        ({"min_covar": 0.0}, r"`min_covar` must be a finite number > 0, got 0.0"),
        ({"standardize": 1}, r"`standardize` must be True or False, got 1"),
        ({"order_by": -1}, r"`order_by` must be an int >= 0, got -1"),
        ({"order_by": 4}, r"`order_by` must be a column index < 4, got 4"),
        ({"warm_start": "yes"}, r"`warm_start` must be True or False, got 'yes'"),
        ({"random_state": -3}, r"`random_state` must be an int >= 0, got -3"),
    ],
)
def test_invalid_parameters_raise(french_x, params, match):
    with pytest.raises(ConfigError, match=match):
        FilteredGaussianHMM(**params).fit(french_x)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros(10), r"`X` must be 2-D \(n_samples, n_features\), got shape \(10,\)"),
        ([["a", "b"]], r"`X` must be numeric"),
        (
            np.array([[0.1, np.nan]] * 5),
            r"`X` must be finite, got 5 NaN/inf values \(first at row 0, column 1\)",
        ),
        (np.ones((3, 2)), r"`X` must have at least 2 \* n_states = 4 rows, got 3"),
        (
            np.column_stack([np.linspace(0, 1, 20), np.full(20, 0.5)]),
            r"`X` must not have a constant column .* got column 1 constant at 0.5",
        ),
    ],
)
def test_invalid_training_data_raises(x, match):
    with pytest.raises(DataError, match=match):
        FilteredGaussianHMM(random_state=0).fit(x)


def test_use_before_fit_raises(french_x):
    est = FilteredGaussianHMM()
    for method in (est.filter_proba, est.predict_next_proba, est.score):
        with pytest.raises(NotFittedError, match=r"not fitted yet; call `fit\(X\)`"):
            method(french_x)
    with pytest.raises(NotFittedError, match=r"not fitted yet; call `fit\(X\)` first"):
        est.reorder_states([0, 1])


def test_wrong_number_of_columns_raises(french_fit, french_x):
    with pytest.raises(DataError, match=r"`X` must have 4 columns like the training data, got 3"):
        french_fit.filter_proba(french_x[:, :3])
    warm = FilteredGaussianHMM(random_state=0, warm_start=True).fit(french_x[:100])
    with pytest.raises(DataError, match=r"`X` must have 4 columns to warm start .* got 2"):
        warm.fit(french_x[:, :2])


@pytest.mark.parametrize("order", [[0, 0], [0, 1, 2], [1, 2]])
def test_reorder_states_rejects_non_permutations(french_fit, order):
    with pytest.raises(ConfigError, match=r"`order` must be a permutation of range\(2\), got"):
        clone(french_fit).fit(np.random.default_rng(0).normal(size=(50, 4))).reorder_states(order)

"""RegimeFeatures: walk-forward timing, look-ahead, caching, determinism, accuracy, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym import FactorPanel
from factorgym.errors import ConfigError, DataError, UnknownAssetError
from factorgym.feature_cache import FeatureCache
from factorgym.regimes import RegimeFeatures

FAST = {"min_train": 48, "refit_every": 12, "n_restarts": 2}
CONFIGS = {
    "expanding-warm": FAST,
    "expanding-cold": {**FAST, "warm_start": False},
    "rolling-warm": {**FAST, "rolling_window": 60},
    "monthly-warm-order": {**FAST, "refit_every": 1, "alignment": "order"},
}


@pytest.fixture(scope="module")
def small_frame(french_small):
    builder = RegimeFeatures(**FAST)
    return builder.compute(french_small), builder.refits_


def test_frame_layout_and_nan_rows(french_small, small_frame):
    frame, _ = small_frame
    assert list(frame.columns) == RegimeFeatures(**FAST).feature_names() == [
        "regime_p0", "regime_p1", "regime_next_p0", "regime_next_p1", "regime_state",
    ]  # fmt: skip
    assert frame.index.equals(french_small.months) and frame.index.name == "month"
    assert (frame.dtypes == "float64").all()
    assert frame.iloc[:47].isna().all().all()  # no model before month min_train - 1
    ready = frame.iloc[47:]
    assert ready.notna().all().all()
    assert_allclose(ready[["regime_p0", "regime_p1"]].sum(axis=1), 1.0, atol=1e-12)
    assert_allclose(ready[["regime_next_p0", "regime_next_p1"]].sum(axis=1), 1.0, atol=1e-12)
    argmax = ready[["regime_p0", "regime_p1"]].to_numpy().argmax(axis=1)
    assert np.array_equal(ready["regime_state"].to_numpy(), argmax.astype(float))


def test_refit_schedule_and_log(french_small, small_frame):
    _, refits = small_frame
    months = french_small.months
    assert list(refits.index) == [months[p] for p in (47, 59, 71, 83, 95, 107, 119)]
    assert list(refits["n_train"]) == [48, 60, 72, 84, 96, 108, 120]
    assert (refits["train_start"] == months[0]).all()
    assert list(refits["warm_started"]) == [False] + [True] * 6
    assert refits["converged"].dtype == bool and refits["converged"].all()
    assert set(refits.columns) == {
        "train_start", "n_train", "log_likelihood", "converged", "n_iter", "warm_started",
        "relabelled",
    }  # fmt: skip


def test_rolling_window_moves_the_training_start(french_small):
    builder = RegimeFeatures(**{**FAST, "rolling_window": 60})
    builder.compute(french_small)
    starts = [french_small.month_position(m) for m in builder.refits_["train_start"]]
    assert starts == [0, 0, 12, 24, 36, 48, 60]
    assert (builder.refits_["n_train"].iloc[1:] == 60).all()


# ---------------------------------------------------------------------------- must show (2)
@pytest.mark.parametrize("config", list(CONFIGS))
def test_perturbing_later_months_leaves_earlier_rows_unchanged(french_small, perturb, config):
    params = CONFIGS[config]
    base = RegimeFeatures(**params).compute(french_small).to_numpy()
    for t in (47, 58, 59, 64, 95):  # first refit, last month before a refit, a refit, inside
        other = RegimeFeatures(**params).compute(perturb(french_small, t)).to_numpy()
        assert np.array_equal(base[: t + 1], other[: t + 1], equal_nan=True), (config, t)
        assert not np.array_equal(base[t + 1 :], other[t + 1 :], equal_nan=True)


@pytest.mark.parametrize("config", ["expanding-warm", "rolling-warm"])
def test_appending_months_leaves_earlier_rows_unchanged(french_small, config):
    params = CONFIGS[config]
    full = RegimeFeatures(**params).compute(french_small)
    for end in ("1994-05", "1995-11", "1995-12"):
        part = RegimeFeatures(**params).compute(french_small.slice(end=end))
        assert np.array_equal(part.to_numpy(), full.loc[:end].to_numpy(), equal_nan=True), end


# ---------------------------------------------------------------------------- must show (6)
def test_same_seed_gives_identical_frames(french_small):
    a = RegimeFeatures(**FAST, random_state=11).compute(french_small)
    b = RegimeFeatures(**FAST, random_state=11).compute(french_small)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_unseeded_builder_runs_without_cache(french_small):
    frame = RegimeFeatures(**FAST, random_state=None).compute(french_small)
    assert frame.iloc[47:].notna().all().all()


# ---------------------------------------------------------------------------- must show (3)
def test_walk_forward_filtered_argmax_recovers_true_states(regime_market):
    """Row t comes from a model fitted on months <= the last refit <= t, filtered through t."""
    frame = RegimeFeatures(min_train=120, refit_every=12).compute(regime_market.panel)
    ready = frame["regime_state"].notna().to_numpy()
    accuracy = (frame["regime_state"].to_numpy()[ready] == regime_market.states[ready]).mean()
    assert ready.sum() == 600 - 119
    assert accuracy >= 0.8, accuracy


def test_hungarian_alignment_only_swaps_labels(french_panel):
    """With the same fits, Hungarian alignment and plain variance order differ only by a
    relabelling of whole refit segments; on these data the variance order does flip."""
    hung = RegimeFeatures(refit_every=24, n_restarts=2)
    plain = RegimeFeatures(refit_every=24, n_restarts=2, alignment="order")
    fh, fo = hung.compute(french_panel), plain.compute(french_panel)
    assert not plain.refits_["relabelled"].any()
    assert hung.refits_["relabelled"].any()
    ph = fh[["regime_p0", "regime_p1"]].to_numpy()[119:]
    po = fo[["regime_p0", "regime_p1"]].to_numpy()[119:]
    same = np.isclose(ph, po, atol=1e-6).all(axis=1)
    swapped = np.isclose(ph, po[:, ::-1], atol=1e-6).all(axis=1)
    assert (same | swapped).all()
    assert swapped.any()


def test_three_states(french_small):
    frame = RegimeFeatures(3, **FAST).compute(french_small)
    assert list(frame.columns)[:3] == ["regime_p0", "regime_p1", "regime_p2"]
    assert set(frame["regime_state"].dropna().unique()) <= {0.0, 1.0, 2.0}


def test_columns_and_order_by_select_assets(french_small):
    a = RegimeFeatures(**FAST, columns=["SMB", "MktRF"], order_by="MktRF").compute(french_small)
    b = RegimeFeatures(**FAST, columns=("SMB", "MktRF"), order_by=1).compute(french_small)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


# ---------------------------------------------------------------------------- caching
def test_cache_reuses_frame_and_refit_log(french_small, monkeypatch, tmp_path):
    cache = FeatureCache(tmp_path)
    builder = RegimeFeatures(**FAST)
    first = builder.compute(french_small, cache=cache)
    first_log = builder.refits_
    assert (cache.misses, cache.hits) == (2, 0)

    def boom(self, sub, order_idx):
        raise AssertionError("walk-forward recomputed despite the cache")

    monkeypatch.setattr(RegimeFeatures, "_walk_forward", boom)
    again = RegimeFeatures(**FAST)
    pd.testing.assert_frame_equal(again.compute(french_small, cache=cache), first, check_exact=True)
    pd.testing.assert_frame_equal(again.refits_, first_log)
    assert cache.hits == 2
    # a fresh cache on the same directory reads the frames from disk
    disk = FeatureCache(tmp_path)
    pd.testing.assert_frame_equal(RegimeFeatures(**FAST).compute(french_small, cache=disk), first)
    assert disk.hits == 2 and disk.misses == 0


def test_cache_key_covers_parameters_and_window(french_small, monkeypatch):
    cache = FeatureCache()
    RegimeFeatures(**FAST).compute(french_small, cache=cache)
    RegimeFeatures(**{**FAST, "refit_every": 6}).compute(french_small, cache=cache)
    RegimeFeatures(**FAST).compute(french_small.slice(end="1998-12"), cache=cache)
    assert cache.hits == 0 and cache.misses == 6


def test_unseeded_builder_refuses_a_cache(french_small):
    with pytest.raises(ConfigError, match=r"`random_state` must be an int when a cache is used"):
        RegimeFeatures(**FAST, random_state=None).compute(french_small, cache=FeatureCache())


def test_cache_must_be_a_feature_cache(french_small):
    with pytest.raises(
        ConfigError, match=r"`cache` must be a factorgym.feature_cache.FeatureCache"
    ):
        RegimeFeatures(**FAST).compute(french_small, cache={})


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"n_states": 0}, r"`n_states` must be an int >= 1, got 0"),
        ({"min_train": 3}, r"`min_train` must be an int >= 4, got 3"),
        ({"refit_every": 0}, r"`refit_every` must be an int >= 1, got 0"),
        ({"rolling_window": 24}, r"`rolling_window` must be >= `min_train` \(48\), got 24"),
        ({"rolling_window": 0}, r"`rolling_window` must be an int >= 1, got 0"),
        ({"warm_start": None}, r"`warm_start` must be True or False, got None"),
        ({"alignment": "greedy"}, r"`alignment` must be one of \('hungarian', 'order'\)"),
        ({"covariance_type": "tied"}, r"`covariance_type` must be one of \('full', 'diag'\)"),
        ({"n_restarts": 0}, r"`n_restarts` must be an int >= 1, got 0"),
        ({"n_iter": 0}, r"`n_iter` must be an int >= 1, got 0"),
        ({"tol": 0.0}, r"`tol` must be a finite number > 0, got 0.0"),
        ({"min_covar": -1.0}, r"`min_covar` must be a finite number > 0, got -1.0"),
        ({"random_state": 1.5}, r"`random_state` must be an int >= 0, got 1.5"),
        ({"columns": []}, r"`columns` must be None or a non-empty sequence of asset names"),
        (
            {"order_by": "HML"},
            r"`order_by` must be one of the observed assets \['SMB'\], got 'HML'",
        ),
        ({"order_by": 1}, r"`order_by` must be a column position < 1, got 1"),
        ({"order_by": -1}, r"`order_by` must be an int >= 0, got -1"),
    ],
)
def test_invalid_parameters_raise(french_small, params, match):
    if "order_by" in params:
        params = {**params, "columns": ["SMB"]}
    with pytest.raises(ConfigError, match=match):
        RegimeFeatures(**{**FAST, **params}).compute(french_small)


def test_invalid_panels_raise(french_small):
    with pytest.raises(DataError, match=r"`panel` must be a factorgym.FactorPanel, got ndarray"):
        RegimeFeatures(**FAST).compute(np.zeros((100, 4)))
    with pytest.raises(
        DataError, match=r"`panel` must hold at least `min_train` = 48 months, got 24"
    ):
        RegimeFeatures(**FAST).compute(french_small.slice(end="1991-12"))
    with pytest.raises(UnknownAssetError, match=r"unknown asset 'Value'"):
        RegimeFeatures(**FAST, columns=["Value"]).compute(french_small)


def test_get_params_and_repr():
    builder = RegimeFeatures(**FAST, columns=("SMB",))
    params = builder.get_params()
    assert params["min_train"] == 48 and params["columns"] == ["SMB"]
    assert repr(builder).startswith("RegimeFeatures(n_states=2, columns=['SMB'], min_train=48")


@pytest.mark.parametrize("value", [0.01, 0.0, -0.003])
def test_constant_returns_give_one_line_naming_the_window(value):
    months = pd.period_range("2000-01", periods=200, freq="M")
    flat = FactorPanel(np.full((200, 2), value), 0.001, months, ["a", "b"])
    with pytest.raises(
        DataError,
        match=r"`panel` months 2000-01\.\.2009-12 \(columns \['a', 'b'\]\) cannot be fitted by "
        r"the HMM: `X` must not have a constant column .* column 0 constant",
    ):
        RegimeFeatures().compute(flat)

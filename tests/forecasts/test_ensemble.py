from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from factorgym import ConfigError, DataError, FactorPanel, NotFittedError
from factorgym.feature_cache import FeatureCache
from factorgym.forecasts import EnsembleForecaster, WalkForwardForecaster, combine_forecasts

from .conftest import FAST, base_forecast

PAIR = ("ridge", "hgb")
WF = WalkForwardForecaster(**FAST)


def test_combine_by_hand() -> None:
    idx = pd.period_range("2000-01", periods=3, freq="M")
    a = pd.DataFrame({"x": [np.nan, 1.0, 2.0]}, index=idx)
    b = pd.DataFrame({"x": [np.nan, 3.0, 2.0]}, index=idx)
    mean, spread = combine_forecasts({"a": a, "b": b})
    assert_allclose(mean["x"], [np.nan, 2.0, 2.0])
    assert_allclose(spread["x"], [np.nan, 1.0, 0.0])
    single_mean, single_spread = combine_forecasts({"a": a})
    assert_allclose(single_mean["x"], a["x"]) and (single_spread["x"].dropna() == 0).all()


def test_combine_errors() -> None:
    idx = pd.period_range("2000-01", periods=3, freq="M")
    a = pd.DataFrame({"x": [1.0, 1.0, 2.0]}, index=idx)
    with pytest.raises(DataError, match="at least one forecast frame"):
        combine_forecasts({})
    with pytest.raises(DataError, match="must share index and columns; 'b' differs from 'a'"):
        combine_forecasts({"a": a, "b": a.rename(columns={"x": "y"})})


def test_ensemble_is_the_mean_of_its_members(random_panel: FactorPanel) -> None:
    ens = EnsembleForecaster(PAIR, forecaster=WF).fit(random_panel)
    for name in PAIR:
        assert np.array_equal(
            ens.member_forecasts_[name].to_numpy(), base_forecast(name), equal_nan=True
        )
    stack = np.stack([base_forecast(n) for n in PAIR])
    assert np.array_equal(ens.forecast_.to_numpy(), stack.mean(axis=0), equal_nan=True)
    assert np.array_equal(ens.uncertainty_.to_numpy(), stack.std(axis=0), equal_nan=True)
    assert ens.forecast_.iloc[:35].isna().all().all()
    assert ens.forecast_.iloc[35:].notna().all().all()
    frame = ens.to_frame()
    assert list(frame.columns.get_level_values("source").unique()) == [
        "ensemble",
        "uncertainty",
        *PAIR,
    ]
    assert frame[("hgb", "B")].equals(ens.member_forecasts_["hgb"]["B"])


def test_parallel_members_do_not_change_results(random_panel: FactorPanel) -> None:
    ens = EnsembleForecaster(PAIR, n_jobs=2, forecaster=WF).fit(random_panel)
    for name in PAIR:
        assert np.array_equal(
            ens.member_forecasts_[name].to_numpy(), base_forecast(name), equal_nan=True
        )


def test_cache_computes_once_and_keys_on_everything(random_panel, tmp_path) -> None:
    cache = FeatureCache(tmp_path)
    first = EnsembleForecaster(PAIR, cache=cache, forecaster=WF).fit(random_panel)
    assert (cache.misses, cache.hits) == (2, 0)
    again = EnsembleForecaster(PAIR, cache=cache, forecaster=WF).fit(random_panel)
    assert (cache.misses, cache.hits) == (2, 2)
    assert np.array_equal(first.forecast_.to_numpy(), again.forecast_.to_numpy(), equal_nan=True)
    # a fresh cache on the same directory reads the frames from disk
    disk = FeatureCache(tmp_path)
    EnsembleForecaster(("ridge",), cache=disk, forecaster=WF).fit(random_panel)
    assert (disk.misses, disk.hits) == (0, 1)
    # anything that changes the frame changes the key: parameters, window, panel, extra columns
    EnsembleForecaster(
        ("ridge",), cache=cache, forecaster=WalkForwardForecaster(**{**FAST, "refit_every": 6})
    ).fit(random_panel)
    EnsembleForecaster(("ridge",), cache=cache, forecaster=WF).fit(
        random_panel.slice(end="2009-11")
    )
    extra = pd.DataFrame({"p": np.linspace(0, 1, 120)}, index=random_panel.months)
    EnsembleForecaster(("ridge",), cache=cache, forecaster=WF).fit(
        random_panel, extra_features=extra
    )
    assert cache.misses == 5


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"models": ()}, "`models` must be a non-empty list of distinct names"),
        ({"models": ("ridge", "ridge")}, "`models` must be a non-empty list of distinct names"),
        ({"models": ("ridge", "ols")}, r"`models` must be drawn from .*, got \['ols'\]"),
        ({"n_jobs": 0}, "`n_jobs` must be an int >= 1, got 0"),
        (
            {"cache": {}},
            "`cache` must be a factorgym.feature_cache.FeatureCache or None, got 'dict'",
        ),
        (
            {"forecaster": WalkForwardForecaster(**{**FAST, "refit_every": 0})},
            "`refit_every` must be an int >= 1, got 0",
        ),
        ({"forecaster": "ridge"}, "`forecaster` must be a WalkForwardForecaster or None, got str"),
    ],
)
def test_parameter_errors(random_panel: FactorPanel, params: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        EnsembleForecaster(**{"forecaster": WF, **params}).fit(random_panel)


def test_data_errors(random_panel: FactorPanel) -> None:
    with pytest.raises(DataError, match="`panel` must be a FactorPanel, got str"):
        EnsembleForecaster(PAIR).fit("french")
    with pytest.raises(NotFittedError, match="EnsembleForecaster is not fitted yet"):
        EnsembleForecaster().to_frame()
    # a single name is accepted as a one-member ensemble
    ens = EnsembleForecaster("ridge", forecaster=WF).fit(random_panel)
    assert list(ens.member_forecasts_) == ["ridge"]

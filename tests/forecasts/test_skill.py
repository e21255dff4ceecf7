from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats
from sklearn.metrics import r2_score

from factorgym import ConfigError, DataError, FactorPanel
from factorgym.forecasts import (
    clark_west_test,
    hit_rate,
    information_coefficient,
    oos_r2,
    prevailing_mean,
    skill_table,
)


def _series(n: int = 300, seed: int = 0):
    rng = np.random.default_rng(seed)
    signal = rng.standard_normal((n, 3))
    y = 0.3 * signal + rng.standard_normal((n, 3))
    return y, 0.25 * signal, np.full((n, 3), 0.05)


def test_prevailing_mean_by_hand(random_panel: FactorPanel) -> None:
    hm = prevailing_mean(random_panel)
    x = np.asarray(random_panel.returns)
    assert_allclose(hm.iloc[0], x[0])
    assert_allclose(hm.iloc[49], x[:50].mean(axis=0), rtol=1e-12)
    assert list(hm.columns) == list(random_panel.assets)


def test_oos_r2_against_sklearn_and_by_hand() -> None:
    y, f, b = _series()
    # with the benchmark fixed at the sample mean, R²_OS is scikit-learn's R²
    full_mean = np.broadcast_to(y.mean(axis=0), y.shape)
    assert_allclose(oos_r2(y, f, full_mean), r2_score(y, f, multioutput="raw_values"), rtol=1e-12)
    # against zero: 1 - SSE / sum y², i.e. sklearn's R² of a zero-mean target when the mean is 0
    assert_allclose(oos_r2(y, f), 1 - ((y - f) ** 2).sum(0) / (y**2).sum(0))
    yc, fc = y - y.mean(axis=0), f - y.mean(axis=0)
    assert_allclose(oos_r2(yc, fc), r2_score(yc, fc, multioutput="raw_values"), rtol=1e-12)
    assert_allclose(oos_r2(y, f, b), 1 - ((y - f) ** 2).sum(0) / ((y - b) ** 2).sum(0))
    assert np.all(oos_r2(y, f) > 0)  # a genuine signal beats zero
    assert oos_r2(y[:, 0], b[:, 0], b[:, 0]) == 0.0
    assert np.isnan(oos_r2(np.zeros(4), np.ones(4)))  # zero benchmark error: undefined


def test_information_coefficient_against_scipy() -> None:
    y, f, _ = _series()
    f = np.round(f, 1)  # ties
    ic = information_coefficient(y, f)
    for k in range(3):
        assert_allclose(ic[k], stats.spearmanr(y[:, k], f[:, k]).statistic, rtol=1e-12)
    xs = information_coefficient(y, f, axis="cross_section")
    assert xs.shape == (300,)
    for t in (0, 17, 299):
        ref = stats.spearmanr(y[t], f[t]).statistic if np.ptp(f[t]) > 0 else np.nan
        assert_allclose(xs[t], ref, rtol=1e-12)
    const = np.column_stack([f[:, 0], np.zeros(300), f[:, 2]])
    assert np.isnan(information_coefficient(y, const)[1])
    assert_allclose(information_coefficient(y[:, 0], f[:, 0]), ic[:1])


def test_hit_rate_by_hand() -> None:
    y = np.array([[0.1, -0.2], [-0.1, 0.3], [0.2, 0.0], [0.3, -0.1]])
    f = np.array([[0.5, -0.1], [0.1, 0.2], [0.1, 0.2], [0.0, 0.1]])
    assert_allclose(hit_rate(y, f), [0.5, 0.5])  # zeros are misses


@pytest.mark.parametrize("lags", [None, 0, 4])
def test_clark_west_against_statsmodels(lags: int | None) -> None:
    y, f, _ = _series(seed=3)
    y, f = y[:, 0], f[:, 0]
    b = np.cumsum(y) / np.arange(1, y.size + 1)  # any benchmark series
    res = clark_west_test(y, f, b, hac_lags=lags)
    d = (y - b) ** 2 - ((y - f) ** 2 - (b - f) ** 2)
    ols = sm.OLS(d, np.ones((d.size, 1)))
    fit = (
        ols.fit()
        if lags is None
        else ols.fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    )
    assert_allclose(res.statistic, fit.tvalues[0], rtol=1e-10)
    assert_allclose(res.mspe_adjusted, d.mean(), rtol=1e-12)
    assert_allclose(res.pvalue, stats.norm.sf(fit.tvalues[0]), rtol=1e-10)
    assert res.statistic > 2 and res.pvalue < 0.05 and res.n == 300 and res.hac_lags == lags


def test_clark_west_identical_forecasts_and_noise() -> None:
    y, _, b = _series(seed=4)
    same = clark_west_test(y[:, 0], b[:, 0], b[:, 0])
    assert np.isnan(same.statistic) and np.isnan(same.pvalue) and same.mspe_adjusted == 0.0
    noise = np.random.default_rng(9).standard_normal(300) * 0.3
    assert clark_west_test(y[:, 0], noise, b[:, 0]).pvalue > 0.05


def test_metric_errors() -> None:
    y, f, b = _series(20)
    with pytest.raises(DataError, match=r"`y_true` and `y_pred` must have the same 1-D or 2-D"):
        oos_r2(y, f[:-1])
    with pytest.raises(DataError, match=r"`y_true` and `y_bench` must have the same"):
        oos_r2(y, f, b[:, :2])
    bad = f.copy()
    bad[0, 0] = np.nan
    with pytest.raises(DataError, match="must be finite; drop NaN rows first"):
        hit_rate(y, bad)
    with pytest.raises(ConfigError, match="`axis` must be 'time' or 'cross_section', got 'rows'"):
        information_coefficient(y, f, axis="rows")
    with pytest.raises(DataError, match="a cross-sectional IC needs >= 2 assets, got 1"):
        information_coefficient(y[:, :1], f[:, :1], axis="cross_section")
    with pytest.raises(DataError, match=r"`y_true` must be 1-D \(one series\)"):
        clark_west_test(y, f, b)
    with pytest.raises(ConfigError, match="`hac_lags` must be None or an int >= 0, got -1"):
        clark_west_test(y[:, 0], f[:, 0], b[:, 0], hac_lags=-1)


def test_skill_table(random_panel: FactorPanel) -> None:
    labels = np.r_[random_panel.returns[1:], np.full((1, 3), np.nan)]
    idx = random_panel.months
    perfect = pd.DataFrame(labels, index=idx, columns=list(random_panel.assets))
    perfect.iloc[:30] = np.nan
    hm = prevailing_mean(random_panel)
    late = hm.copy()
    late.iloc[:60] = np.nan
    table = skill_table({"perfect": perfect, "hm": hm, "late": late}, random_panel)
    assert table.index.names == ["model", "asset"]
    assert list(table.columns) == [
        "r2_hm",
        "r2_zero",
        "ic",
        "hit_rate",
        "cw_stat",
        "cw_pvalue",
        "n_months",
        "first",
        "last",
    ]
    assert (table.loc["perfect", "r2_hm"] == 1.0).all() and (table.loc["hm", "r2_hm"] == 0.0).all()
    assert (table["n_months"] == 59).all()  # common sample: months 60..118 (119 has no label)
    assert table.loc[("late", "A"), "first"] == idx[60]
    assert table.loc[("hm", "C"), "last"] == idx[118]
    own = skill_table({"perfect": perfect, "late": late}, random_panel, common_sample=False)
    assert own.loc[("perfect", "A"), "n_months"] == 89
    y, f = labels[60:119], hm.to_numpy()[60:119]
    assert_allclose(table.loc["hm", "r2_zero"], oos_r2(y, f))


def test_skill_table_errors(random_panel: FactorPanel) -> None:
    hm = prevailing_mean(random_panel)
    with pytest.raises(DataError, match="at least one forecast frame"):
        skill_table({}, random_panel)
    with pytest.raises(DataError, match=r"`forecasts\['x'\]` must be indexed by the panel's"):
        skill_table({"x": hm.set_axis(random_panel.index)}, random_panel)
    with pytest.raises(DataError, match=r"`forecasts\['x'\]` must be indexed by the panel's"):
        skill_table({"x": hm[["B", "A", "C"]]}, random_panel)
    few = hm.copy()
    few.iloc[:-2] = np.nan
    with pytest.raises(DataError, match=r"`forecasts\['x'\]` has 1 evaluable months, need 2"):
        skill_table({"x": few}, random_panel)

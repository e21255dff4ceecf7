from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from scipy import stats

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import grs_test, spanning_regression


def _data(n: int = 150, n_strat: int = 3, seed: int = 0, alpha: float = 0.0):
    rng = np.random.default_rng(seed)
    f = pd.DataFrame(
        rng.normal([0.006, 0.002], [0.045, 0.03], size=(n, 2)), columns=["MktRF", "HML"]
    )
    betas = rng.uniform(0.2, 1.2, size=(2, n_strat))
    e = rng.standard_t(6, size=(n, n_strat)) * 0.02
    e[1:] += 0.3 * e[:-1]  # serially correlated residuals
    y = pd.DataFrame(alpha + f.to_numpy() @ betas + e, columns=[f"s{i}" for i in range(n_strat)])
    return y, f


def test_iid_against_statsmodels() -> None:
    y, f = _data()
    out = spanning_regression(y, f, se="iid")
    x = sm.add_constant(f)
    for col in y:
        fit = sm.OLS(y[col], x).fit()
        row = out.loc[col]
        assert_allclose(row["alpha"], fit.params["const"], rtol=1e-10)
        assert_allclose(row["alpha_se"], fit.bse["const"], rtol=1e-10)
        assert_allclose(row["alpha_t"], fit.tvalues["const"], rtol=1e-10)
        assert_allclose(row["alpha_pvalue"], fit.pvalues["const"], rtol=1e-8)
        betas = row[["beta_MktRF", "beta_HML"]].astype(float)
        assert_allclose(betas, fit.params[["MktRF", "HML"]], rtol=1e-10)
        assert_allclose(row["r2"], fit.rsquared, rtol=1e-10)
    assert_allclose(out["alpha_annualized"], out["alpha"] * 12)
    assert out["se"].eq("iid").all() and out["lags"].isna().all()


@pytest.mark.parametrize("lags", [0, 4, 9])
def test_hac_against_statsmodels(lags: int) -> None:
    y, f = _data(seed=1)
    out = spanning_regression(y, f, lags=lags)
    x = sm.add_constant(f)
    for col in y:
        fit = sm.OLS(y[col], x).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False}
        )
        assert_allclose(out.loc[col, "alpha_se"], fit.bse["const"], rtol=1e-9)
        assert_allclose(out.loc[col, "alpha_t"], fit.tvalues["const"], rtol=1e-9)
        assert_allclose(out.loc[col, "alpha_pvalue"], fit.pvalues["const"], rtol=1e-7)
    assert (out["lags"] == lags).all()


def test_defaults_rf_and_arrays() -> None:
    y, f = _data(seed=2)
    assert spanning_regression(y, f)["lags"].iloc[0] == 4  # floor(4 * 1.5^(2/9))
    shifted = spanning_regression(y + 0.002, f, rf=0.002, lags=3)
    assert_allclose(shifted["alpha"], spanning_regression(y, f, lags=3)["alpha"], atol=1e-12)
    arr = spanning_regression(y.to_numpy(), f.to_numpy()[:, 0], se="iid")
    assert list(arr.index) == ["0", "1", "2"] and "beta_f0" in arr.columns


def test_planted_alpha_is_found() -> None:
    y, f = _data(n=600, seed=3, alpha=0.006)
    out = spanning_regression(y, f)
    assert (out["alpha_t"] > 3).all()
    assert_allclose(out["alpha"], 0.006, atol=0.002)


def test_grs_by_hand() -> None:
    y, f = _data(n=80, n_strat=4, seed=4)
    t, n, k = 80, 4, 2
    x = np.column_stack([np.ones(t), f.to_numpy()])
    b = np.linalg.solve(x.T @ x, x.T @ y.to_numpy())
    e = y.to_numpy() - x @ b
    sigma_unbiased = e.T @ e / (t - k - 1)
    mu = f.to_numpy().mean(0)
    omega = np.cov(f.to_numpy().T, ddof=0)
    # GRS (1989) in its unbiased-residual-covariance form: (T/N)(T-N-L)/(T-L-1) ...
    want = (
        (t / n)
        * ((t - n - k) / (t - k - 1))
        * (b[0] @ np.linalg.inv(sigma_unbiased) @ b[0])
        / (1 + mu @ np.linalg.inv(omega) @ mu)
    )
    res = grs_test(y, f)
    assert_allclose(res.statistic, want, rtol=1e-10)
    assert (res.df_num, res.df_den, res.n_obs) == (4, 74, 80)
    assert_allclose(res.pvalue, stats.f.sf(want, 4, 74), rtol=1e-10)
    assert_allclose(res.alphas, b[0], rtol=1e-10)


def test_grs_single_strategy_is_the_squared_t() -> None:
    y, f = _data(n=100, n_strat=1, seed=5, alpha=0.002)
    fit = sm.OLS(y["s0"], sm.add_constant(f)).fit()
    res = grs_test(y, f)
    assert_allclose(res.statistic, fit.tvalues["const"] ** 2, rtol=1e-10)
    assert_allclose(res.pvalue, fit.pvalues["const"], rtol=1e-8)


def test_grs_size_under_the_null() -> None:
    # normal i.i.d. residuals and zero alphas: rejects about 5% of the time at 5%
    rng = np.random.default_rng(6)
    rejections = 0
    for _ in range(400):
        f = rng.normal(0.005, 0.04, size=(60, 2))
        y = f @ rng.uniform(0.5, 1.5, size=(2, 5)) + rng.normal(0, 0.02, size=(60, 5))
        rejections += grs_test(y, f).pvalue < 0.05
    assert 8 <= rejections <= 32, rejections  # seen: 18 of 400


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda y, f: spanning_regression(y, f, se="nw"),
            ConfigError,
            r"`se` must be one of \('hac', 'iid'\), got 'nw'",
        ),
        (
            lambda y, f: spanning_regression(y, f, lags=200),
            ConfigError,
            r"`lags` must be an int >= 0 and <= 149, got 200",
        ),
        (
            lambda y, f: spanning_regression(y, f[:-1]),
            DataError,
            r"`factors` must have one row per month of `returns` \(150\), got 149",
        ),
        (
            lambda y, f: spanning_regression(y[:3], f[:3]),
            DataError,
            r"`returns` must have more than 3 months for 2 factors, got 3",
        ),
        (
            lambda y, f: spanning_regression(y, f.assign(HML=f["MktRF"] * 2)),
            DataError,
            r"`factors` are collinear",
        ),
        (
            lambda y, f: grs_test(y[:5], f[:5]),
            DataError,
            r"GRS needs more months than strategies \+ factors \(3 \+ 2\), got 5",
        ),
        (
            lambda y, f: grs_test(y.assign(s2=y["s0"]), f),
            DataError,
            r"the residual covariance or the factor covariance is singular",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    y, f = _data()
    with pytest.raises(error, match=match):
        call(y, f)

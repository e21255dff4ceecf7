from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.multitest import multipletests

from factorgym.errors import ConfigError, DataError
from factorgym.evaluation import adjust_pvalues, multiple_testing_table, passes_hlz_hurdle

P = np.array([0.01, 0.04, 0.03, 0.20])


def test_hand_example() -> None:
    # sorted 0.01, 0.03, 0.04, 0.20 with m = 4
    assert_allclose(adjust_pvalues(P, method="bonferroni"), [0.04, 0.16, 0.12, 0.80])
    # Holm: 4*0.01, max(.04, 3*0.03), max(.09, 2*0.04), max(.09, 0.20)
    assert_allclose(adjust_pvalues(P, method="holm"), [0.04, 0.09, 0.09, 0.20])
    # BH: 4/1*.01=.04, 4/2*.03=.06, 4/3*.04=.0533, 4/4*.2=.2; step-up min from the top
    assert_allclose(adjust_pvalues(P, method="bh"), [0.04, 0.16 / 3, 0.16 / 3, 0.20])
    assert_allclose(adjust_pvalues(np.array([0.5, 0.9]), method="bonferroni"), [1.0, 1.0])


@pytest.mark.parametrize(("ours", "theirs"), [("bonferroni", "bonferroni"), ("holm", "holm"),
                                              ("bh", "fdr_bh")])  # fmt: skip
def test_against_statsmodels(ours: str, theirs: str) -> None:
    rng = np.random.default_rng(0)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.01, size=10), [0.02, 0.02]])
    _, want, _, _ = multipletests(p, alpha=0.05, method=theirs)
    assert_allclose(adjust_pvalues(p, method=ours), want, rtol=1e-12)


def test_series_in_series_out() -> None:
    s = pd.Series(P, index=["a", "b", "c", "d"])
    out = adjust_pvalues(s)
    assert isinstance(out, pd.Series) and list(out.index) == ["a", "b", "c", "d"]
    assert out.name == "pvalue_holm"


def test_hlz_hurdle() -> None:
    t = np.array([2.5, 3.0, 3.01, -4.0])
    assert passes_hlz_hurdle(t).tolist() == [False, False, True, False]  # one-sided, strict
    assert passes_hlz_hurdle(t, hurdle=2.0).tolist() == [True, True, True, False]
    s = passes_hlz_hurdle(pd.Series(t, index=list("wxyz")))
    assert isinstance(s, pd.Series) and s["y"]


def test_table() -> None:
    s = pd.Series(P, index=["a", "b", "c", "d"])
    table = multiple_testing_table(s, t_stats=[3.5, 2.1, 2.2, 1.3], level=0.05)
    assert list(table.index) == ["a", "b", "c", "d"]
    assert table["reject_bonferroni"].tolist() == [True, False, False, False]
    assert table["reject_holm"].tolist() == [True, False, False, False]
    assert table["reject_bh"].tolist() == [True, False, False, False]
    assert table["passes_hlz"].tolist() == [True, False, False, False]
    assert_allclose(table["pvalue_bh"], adjust_pvalues(P, method="bh"))
    assert "t_stat" not in multiple_testing_table(P).columns


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: adjust_pvalues(P, method="fdr"),
            ConfigError,
            r"`method` must be one of \('bonferroni', 'holm', 'bh'\), got 'fdr'",
        ),
        (
            lambda: adjust_pvalues(np.array([0.1, 1.2])),
            DataError,
            r"`pvalues` must lie in \[0, 1\], got min 0.1, max 1.2",
        ),
        (
            lambda: adjust_pvalues(np.array([])),
            DataError,
            r"`pvalues` must be a non-empty 1-D array, got shape \(0,\)",
        ),
        (
            lambda: adjust_pvalues(np.array([0.1, np.nan])),
            DataError,
            r"`pvalues` must be finite, got 1 NaN/inf",
        ),
        (lambda: adjust_pvalues(["x"]), DataError, r"`pvalues` must be numeric"),
        (
            lambda: passes_hlz_hurdle([1.0], hurdle=0),
            ConfigError,
            r"`hurdle` must be a finite number > 0, got 0",
        ),
        (
            lambda: multiple_testing_table(P, t_stats=[1.0]),
            DataError,
            r"`t_stats` must have the length of `pvalues` \(4\), got 1",
        ),
        (
            lambda: multiple_testing_table(P, level=1),
            ConfigError,
            r"`level` must be a finite number > 0 and < 1, got 1",
        ),
    ],
)
def test_bad_inputs(call, error, match) -> None:
    with pytest.raises(error, match=match):
        call()

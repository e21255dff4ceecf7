"""Multiple-testing adjustments of p-values, and the Harvey-Liu-Zhu t-statistic hurdle.

When many agents (or many agent x hyper-parameter configurations) are each tested against a
benchmark, the smallest raw p-value is small by luck alone. The adjustments here turn ``m``
raw p-values into adjusted ones that can be compared with the nominal level directly:

- Bonferroni: family-wise error rate (FWER), any dependence.
- Holm (1979): FWER, any dependence, uniformly more powerful than Bonferroni.
- Benjamini-Hochberg (1995): false discovery rate (FDR), independent or positively
  dependent tests.

For a resampling-based FWER procedure that uses the dependence between agents, see
:func:`~factorgym.evaluation.reality_check.reality_check` (StepM).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from factorgym._typing import BoolArray, FloatArray
from factorgym.errors import DataError
from factorgym.evaluation._validation import check_choice, check_level, check_real

__all__ = [
    "ADJUSTMENTS",
    "HLZ_HURDLE",
    "adjust_pvalues",
    "multiple_testing_table",
    "passes_hlz_hurdle",
]

ADJUSTMENTS = ("bonferroni", "holm", "bh")

#: Harvey, Liu and Zhu's (2016) hurdle for a newly proposed factor.
HLZ_HURDLE = 3.0


def _vector(values: object, name: str) -> tuple[FloatArray, pd.Index | None]:
    index = values.index if isinstance(values, pd.Series) else None
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"`{name}` must be numeric, got {type(values).__name__}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise DataError(f"`{name}` must be a non-empty 1-D array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"`{name}` must be finite, got {int((~np.isfinite(arr)).sum())} NaN/inf")
    return arr, index


def adjust_pvalues(pvalues: object, *, method: str = "holm") -> FloatArray | pd.Series:
    """Adjusted p-values for ``m`` simultaneous tests.

    With ``p_(1) <= ... <= p_(m)`` the sorted p-values, the adjusted value of ``p_(i)`` is

    - ``"bonferroni"``: ``min(1, m p_(i))``;
    - ``"holm"``: ``max_{j <= i} min(1, (m - j + 1) p_(j))`` (Holm 1979, "A simple
      sequentially rejective multiple test procedure", Scand. J. Statistics 6(2));
    - ``"bh"``: ``min_{j >= i} min(1, m p_(j) / j)`` (Benjamini and Hochberg 1995,
      "Controlling the false discovery rate", JRSS B 57(1), the step-up procedure of their
      Theorem 1 written as adjusted p-values).

    Reject the tests whose adjusted p-value is <= the level. These are statsmodels'
    ``multipletests`` methods ``"bonferroni"``, ``"holm"`` and ``"fdr_bh"``.

    Parameters
    ----------
    pvalues : array-like of shape (m,)
        Raw p-values in [0, 1].
    method : {"bonferroni", "holm", "bh"}, default "holm"

    Returns
    -------
    ndarray of shape (m,), or a Series with the input's index
        In the input order.

    Raises
    ------
    ConfigError
        For an unknown ``method``.
    DataError
        For an empty, non-1-D or non-finite input, or p-values outside [0, 1].
    """
    method = check_choice("method", method, ADJUSTMENTS)
    p, index = _vector(pvalues, "pvalues")
    if np.any((p < 0) | (p > 1)):
        raise DataError(
            f"`pvalues` must lie in [0, 1], got min {float(p.min())!r}, max {float(p.max())!r}"
        )
    m = p.size
    order = np.argsort(p, kind="stable")
    ps = p[order]
    i = np.arange(1, m + 1)
    if method == "bonferroni":
        adj_sorted = np.minimum(1.0, m * ps)
    elif method == "holm":
        adj_sorted = np.maximum.accumulate(np.minimum(1.0, (m - i + 1) * ps))
    else:
        adj_sorted = np.minimum.accumulate(np.minimum(1.0, m * ps / i)[::-1])[::-1]
    adj = np.empty(m)
    adj[order] = adj_sorted
    return adj if index is None else pd.Series(adj, index=index, name=f"pvalue_{method}")


def passes_hlz_hurdle(t_stats: object, *, hurdle: float = HLZ_HURDLE) -> BoolArray | pd.Series:
    """Whether each t-statistic clears the Harvey-Liu-Zhu hurdle, ``t > hurdle``.

    Harvey, Liu and Zhu (2016), "... and the cross-section of expected returns", RFS 29(1):
    after hundreds of published factors, a new one needs a t-statistic above about 3.0
    (rather than 2.0) to be significant once multiple testing is accounted for. The test is
    one-sided: a strategy must *beat* its benchmark (a large negative t fails).

    Parameters
    ----------
    t_stats : array-like of shape (m,)
        t-statistics, e.g. ``mean_return_test(...)["t_stat"]`` or a spanning alpha's.
    hurdle : float > 0, default 3.0

    Returns
    -------
    bool ndarray of shape (m,), or a bool Series with the input's index
    """
    h = check_real("hurdle", hurdle, low=0.0, low_open=True)
    t, index = _vector(t_stats, "t_stats")
    out = t > h
    return out if index is None else pd.Series(out, index=index, name="passes_hlz")


def multiple_testing_table(
    pvalues: object, *, t_stats: object = None, level: float = 0.05
) -> pd.DataFrame:
    """Raw and adjusted p-values side by side, with rejections at ``level``.

    Parameters
    ----------
    pvalues : array-like or Series of shape (m,)
        Raw p-values (a Series' index labels the rows).
    t_stats : array-like of shape (m,), optional
        Adds ``t_stat`` and ``passes_hlz`` columns.
    level : float in (0, 1), default 0.05

    Returns
    -------
    DataFrame
        Columns ``pvalue``, ``pvalue_bonferroni``, ``pvalue_holm``, ``pvalue_bh``,
        ``reject_bonferroni``, ``reject_holm``, ``reject_bh`` (adjusted p <= level), and
        optionally ``t_stat``, ``passes_hlz``.
    """
    level = check_level("level", level)
    p, index = _vector(pvalues, "pvalues")
    out = pd.DataFrame({"pvalue": p}, index=index)
    for m in ADJUSTMENTS:
        out[f"pvalue_{m}"] = np.asarray(adjust_pvalues(p, method=m))
    for m in ADJUSTMENTS:
        out[f"reject_{m}"] = out[f"pvalue_{m}"] <= level
    if t_stats is not None:
        t, _ = _vector(t_stats, "t_stats")
        if t.size != p.size:
            raise DataError(f"`t_stats` must have the length of `pvalues` ({p.size}), got {t.size}")
        out["t_stat"] = t
        out["passes_hlz"] = np.asarray(passes_hlz_hurdle(t))
    return out

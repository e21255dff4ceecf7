"""`MarketHistory`: the point-in-time view of the data an allocator may read at decision month t.

Baselines such as a rolling 120-month tangency portfolio need more than the observation's
12-month window. :meth:`FactorTimingEnv.history` hands them a read-only view of the panel's rows
``0..t`` (and of the env's feature frames, as given, before any normalisation), where ``t`` is the
current decision month. The view is cut at ``t`` when it is made, so no row after ``t`` can be
reached through it, and its arrays cannot be written (views of read-only arrays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError

__all__ = ["MarketHistory", "history_view"]


@dataclass(frozen=True, eq=False)
class MarketHistory:
    """Panel rows up to and including the decision month ``t`` (read-only).

    Attributes
    ----------
    months : PeriodIndex
        The months of the rows, the last one being the decision month ``t``.
    assets : tuple of str
        Asset names, in weight order.
    kind : {"excess", "total"}
        The panel's kind.
    returns : ndarray of shape (n_rows, n_assets)
        The panel's returns as given (excess for ``kind="excess"``, total for ``"total"``).
    excess : ndarray of shape (n_rows, n_assets)
        Excess returns ``x`` (``R - rf`` for a total-return panel): what the env's accounting
        uses, ``r_p = rf + w . x``.
    rf : ndarray of shape (n_rows,)
        Risk-free return.
    features : dict of str to ndarray of shape (n_rows, n_columns)
        Each feature block's columns as given to the env (not normalised).
    feature_columns : dict of str to tuple of str
        Column names of each feature block.
    """

    months: pd.PeriodIndex
    assets: tuple[str, ...]
    kind: str
    returns: FloatArray
    excess: FloatArray
    rf: FloatArray
    features: dict[str, FloatArray]
    feature_columns: dict[str, tuple[str, ...]]

    @property
    def month(self) -> pd.Period:
        """The decision month ``t`` (the last row)."""
        return self.months[-1]

    @property
    def n_months(self) -> int:
        """Number of rows."""
        return len(self.months)

    def frame(self, *, excess: bool = True) -> pd.DataFrame:
        """The returns (excess by default) as a DataFrame indexed by month."""
        values = self.excess if excess else self.returns
        return pd.DataFrame(values, index=self.months, columns=list(self.assets))

    def feature_frame(self, block: str) -> pd.DataFrame:
        """One feature block as a DataFrame indexed by month."""
        if block not in self.features:
            raise ConfigError(
                f"`block` must be one of the env's feature blocks {sorted(self.features)}, "
                f"got {block!r}"
            )
        return pd.DataFrame(
            self.features[block], index=self.months, columns=list(self.feature_columns[block])
        )


def _rows(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
    view = a[lo:hi]
    view.flags.writeable = False
    return view


def history_view(
    *,
    months: pd.PeriodIndex,
    assets: tuple[str, ...],
    kind: str,
    returns: FloatArray,
    excess: FloatArray,
    rf: FloatArray,
    features: dict[str, FloatArray],
    feature_columns: dict[str, tuple[str, ...]],
    t: int,
    n_months: int | None = None,
) -> MarketHistory:
    """The rows ``t - n_months + 1 .. t`` (all rows up to ``t`` if ``n_months`` is None).

    Raises
    ------
    ConfigError
        If ``n_months`` is not a positive int.
    """
    if n_months is not None and (
        isinstance(n_months, bool) or not isinstance(n_months, (int, np.integer)) or n_months < 1
    ):
        raise ConfigError(f"`n_months` must be None or an int >= 1, got {n_months!r}")
    hi = t + 1
    lo = 0 if n_months is None else max(0, hi - int(n_months))
    return MarketHistory(
        months=months[lo:hi],
        assets=assets,
        kind=kind,
        returns=_rows(returns, lo, hi),
        excess=_rows(excess, lo, hi),
        rf=_rows(rf, lo, hi),
        features={k: _rows(v, lo, hi) for k, v in features.items()},
        feature_columns=dict(feature_columns),
    )

"""Fixtures of the forecast tests: small walk-forward settings and a planted-predictor panel."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from factorgym import FactorPanel
from factorgym.forecasts import WalkForwardForecaster

# Small enough to keep each walk-forward around a second on the 120-month fixture panel:
# features start at month 11, the first refit is at month 35, then every 12 months.
FAST = {"min_train_months": 24, "refit_every": 12, "cv_splits": 3}


def small_panel() -> FactorPanel:
    """The root conftest's ``random_panel`` (120 months, 3 factors, ``default_rng(0)``)."""
    rng = np.random.default_rng(0)
    months = pd.period_range("2000-01", periods=120, freq="M")
    return FactorPanel(rng.normal(0.005, 0.04, size=(120, 3)), 0.002, months, ["A", "B", "C"])


@functools.cache
def base_forecast(name: str, random_state: int = 0) -> np.ndarray:
    """Forecasts of model ``name`` on :func:`small_panel` (computed once per session)."""
    fc = WalkForwardForecaster(name, random_state=random_state, **FAST).fit(small_panel())
    out = fc.forecast_.to_numpy()
    out.setflags(write=False)
    return out


def perturbed(panel: FactorPanel, after: int, *, seed: int = 1, scale: float = 0.05) -> FactorPanel:
    """The same panel with every month after position ``after`` replaced by fresh noise."""
    rng = np.random.default_rng(seed)
    x = np.array(panel.returns)
    x[after + 1 :] = rng.normal(0.0, scale, size=x[after + 1 :].shape)
    return FactorPanel(x, panel.rf, panel.months, panel.assets, kind=panel.kind)


def planted(n_months: int, *, beta: float, seed: int) -> tuple[FactorPanel, pd.DataFrame]:
    """Two factors and an external signal ``z_t`` with ``x_{t+1,0} = 0.005 + beta z_t + e``.

    ``beta = 0`` gives pure noise: the signal and both factors are independent.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n_months)
    x = rng.normal(0.005, 0.04, size=(n_months, 2))
    x[1:, 0] += beta * z[:-1]
    months = pd.period_range("1970-01", periods=n_months, freq="M")
    panel = FactorPanel(x, 0.002, months, ["A", "B"], kind="excess")
    return panel, pd.DataFrame({"signal": z}, index=months)

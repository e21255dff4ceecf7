"""A tiny hand-made panel and helpers to build env specs over it (imported by the tests)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from factorgym import FactorPanel
from factorgym.envs import EnvConfig, EnvSpec

# 18 months x 3 assets of excess returns, in percent, written by hand.
HAND_RETURNS = (
    np.array(
        [
            [1.0, -0.5, 2.0],
            [-2.0, 1.5, 0.5],
            [3.0, 0.5, -1.0],
            [0.5, -1.0, 1.5],
            [-1.5, 2.0, 0.0],
            [2.5, -0.5, -2.0],
            [1.0, 1.0, 3.0],
            [-0.5, -2.5, 1.0],
            [2.0, 0.0, -0.5],
            [-1.0, 1.5, 2.5],
            [1.5, -1.5, -1.5],
            [0.0, 2.5, 1.0],
            [-2.5, 0.5, 0.5],
            [3.5, -1.0, -1.0],
            [1.0, 3.0, 2.0],
            [-0.5, -0.5, -2.5],
            [2.0, 1.0, 1.5],
            [-1.0, -2.0, 0.5],
        ]
    )
    / 100.0
)
HAND_RF = 0.001


def make_hand_panel() -> FactorPanel:
    """3 assets A, B, C; 2000-01 .. 2001-06; rf = 0.1 %/month."""
    months = pd.period_range("2000-01", periods=len(HAND_RETURNS), freq="M")
    return FactorPanel(HAND_RETURNS.copy(), HAND_RF, months, ["A", "B", "C"], kind="excess")


def hand_spec(panel: FactorPanel, features: dict | None = None, **config: Any) -> EnvSpec:
    """Frictionless, 2-month observation lookback (decisions from 2000-02), unless overridden."""
    cfg: dict[str, Any] = {"costs": "zero", "lookback": 2, "vol_lookback": 2}
    cfg.update(config)
    return EnvSpec(panel, features or {}, EnvConfig(**cfg))


def decisions(rollout) -> list[int]:
    """Panel row of each decision month of a rollout on the hand panel (2000-01 is row 0)."""
    first = pd.Period("2000-01", freq="M")
    return [(pd.Timestamp(d).to_period("M") - first).n for d in rollout.frame["decision_date"]]

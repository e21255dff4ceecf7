"""Helpers for the regime-feature tests: perturbing a panel after a month."""

from __future__ import annotations

import numpy as np
import pytest

from factorgym import FactorPanel


def perturb_after(panel: FactorPanel, t: int, *, seed: int = 123) -> FactorPanel:
    """A copy of ``panel`` whose rows after position ``t`` are replaced by fresh noise."""
    rng = np.random.default_rng(seed)
    values = np.array(panel.returns)
    n_later = values.shape[0] - t - 1
    values[t + 1 :] = rng.normal(-0.01, 0.08, size=(n_later, values.shape[1]))
    rf = np.array(panel.rf)
    rf[t + 1 :] = 0.0
    return FactorPanel(values, rf, panel.months, panel.assets, kind=panel.kind)


@pytest.fixture()
def perturb():
    """The :func:`perturb_after` helper, as a fixture."""
    return perturb_after

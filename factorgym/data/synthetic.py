"""A regime-switching Gaussian factor market with a known oracle (tests and sanity checks only)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from factorgym._typing import FloatArray, IntArray
from factorgym.errors import ConfigError
from factorgym.panel import FactorPanel, Provenance, parse_month
from factorgym.validation import check_int, check_real, fail

__all__ = ["SyntheticMarket", "default_regime_parameters", "synthetic_market"]


@dataclass(frozen=True, eq=False)
class SyntheticMarket:
    """A simulated panel and the parameters that generated it.

    Attributes
    ----------
    panel : FactorPanel
        ``kind="excess"`` factor returns and a constant risk-free rate.
    states : ndarray of shape (n_months,)
        True hidden state of every month (0 = calm, higher = more volatile by default).
    means : ndarray of shape (n_states, n_assets)
        Monthly mean excess return of each asset in each state.
    covs : ndarray of shape (n_states, n_assets, n_assets)
        Monthly covariance in each state.
    transmat : ndarray of shape (n_states, n_states)
        ``transmat[i, j] = P(s_{t+1} = j | s_t = i)``.
    startprob : ndarray of shape (n_states,)
        Distribution of the first state (the chain's stationary distribution).
    seed : int
        Seed used.
    """

    panel: FactorPanel
    states: IntArray
    means: FloatArray
    covs: FloatArray
    transmat: FloatArray
    startprob: FloatArray
    seed: int

    def oracle_mean(self, t: int) -> FloatArray:
        """E[x_{t+1} | s_t] under the true transition matrix: the best possible forecast."""
        return self.transmat[self.states[t]] @ self.means


def default_regime_parameters(
    n_assets: int = 4, *, separation: float = 1.0
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Two-state calm/crisis parameters loosely shaped like US factor data.

    Parameters
    ----------
    n_assets : int
        Number of factors (the first is market-like).
    separation : float
        Scales how different the states are (1 = default; larger = easier to tell apart).

    Returns
    -------
    means : (2, n_assets), covs : (2, n_assets, n_assets), transmat : (2, 2)
    """
    n_assets = check_int("n_assets", n_assets, minimum=1)
    separation = check_real("separation", separation, low=0.0, low_open=True)
    k = np.arange(n_assets)
    calm_mean = 0.004 + 0.002 * (k % 3)
    crisis_mean = -separation * (0.01 + 0.004 * (k % 2))
    calm_vol = 0.025 + 0.005 * (k % 2)
    crisis_vol = calm_vol * (1.0 + 1.5 * separation)
    calm_corr, crisis_corr = 0.1, 0.5
    covs = np.empty((2, n_assets, n_assets))
    for s, (vol, rho) in enumerate(((calm_vol, calm_corr), (crisis_vol, crisis_corr))):
        corr = np.full((n_assets, n_assets), rho)
        np.fill_diagonal(corr, 1.0)
        covs[s] = corr * np.outer(vol, vol)
    transmat = np.array([[0.97, 0.03], [0.10, 0.90]])
    return np.vstack([calm_mean, crisis_mean]), covs, transmat


def _stationary(transmat: FloatArray) -> FloatArray:
    vals, vecs = np.linalg.eig(transmat.T)
    v = np.real(vecs[:, np.argmin(np.abs(vals - 1.0))])
    return v / v.sum()


def synthetic_market(
    n_months: int = 600,
    n_assets: int = 4,
    *,
    seed: int = 0,
    means: FloatArray | None = None,
    covs: FloatArray | None = None,
    transmat: FloatArray | None = None,
    separation: float = 1.0,
    rf: float = 0.003,
    start: str = "1960-01",
) -> SyntheticMarket:
    """Simulate a hidden-Markov Gaussian factor market.

    ``s_0 ~ startprob`` (stationary), ``s_{t+1} | s_t ~ transmat[s_t]``,
    ``x_t | s_t ~ N(means[s_t], covs[s_t])``. All draws come from
    ``numpy.random.default_rng(seed)``, so the same arguments give the same market.

    Parameters
    ----------
    n_months, n_assets : int
        Panel size (``n_assets`` is ignored when ``means`` is given).
    seed : int
        Random seed (>= 0).
    means, covs, transmat : ndarray, optional
        State parameters; default :func:`default_regime_parameters`.
    separation : float
        Passed to :func:`default_regime_parameters` when the parameters are not given.
    rf : float
        Constant monthly risk-free return.
    start : str
        First month (see :func:`factorgym.panel.parse_month`); the last month,
        ``start + n_months - 1``, must be 9999-12 or earlier.

    Raises
    ------
    ConfigError
        For an invalid parameter (named in the message).
    """
    seed = check_int("seed", seed, minimum=0)
    rf = check_real("rf", rf, low=-1.0, low_open=True)
    first = parse_month(start, name="start")
    n_months = check_int("n_months", n_months, minimum=2)
    # The last month must have a four-digit year (what dates, "YYYY-MM" text and the CSV
    # export can represent): check it here, before any work and before any file is written.
    last_allowed = pd.Period("9999-12", freq="M")
    most = int(last_allowed.ordinal - first.ordinal + 1)
    if n_months > most:
        raise fail(
            "n_months",
            f"an int >= 2 and <= {most} (months {first}..{last_allowed}: four-digit years)",
            n_months,
        )
    d_means, d_covs, d_trans = default_regime_parameters(n_assets, separation=separation)
    means = np.array(d_means if means is None else means, dtype=np.float64)
    covs = np.array(d_covs if covs is None else covs, dtype=np.float64)
    transmat = np.array(d_trans if transmat is None else transmat, dtype=np.float64)
    n_states, n_assets = means.shape
    if covs.shape != (n_states, n_assets, n_assets):
        raise ConfigError(
            f"`covs` must have shape {(n_states, n_assets, n_assets)}, got {covs.shape}"
        )
    if transmat.shape != (n_states, n_states):
        raise ConfigError(
            f"`transmat` must have shape {(n_states, n_states)}, got {transmat.shape}"
        )
    if np.any(transmat < 0) or not np.allclose(transmat.sum(axis=1), 1.0):
        raise ConfigError(f"`transmat` rows must be probabilities summing to 1, got {transmat}")
    chols = np.linalg.cholesky(covs)  # raises LinAlgError for a non-PD covariance
    startprob = _stationary(transmat)
    rng = np.random.default_rng(seed)
    states = np.empty(n_months, dtype=np.int64)
    states[0] = rng.choice(n_states, p=startprob)
    u = rng.random(n_months)
    cum = np.cumsum(transmat, axis=1)
    for t in range(1, n_months):
        states[t] = min(int(np.searchsorted(cum[states[t - 1]], u[t], side="right")), n_states - 1)
    z = rng.standard_normal((n_months, n_assets))
    x = means[states] + np.einsum("tij,tj->ti", chols[states], z)
    names = (
        ["MktRF", "SMB", "HML", "Mom"][:n_assets]
        if n_assets <= 4
        else [f"F{k + 1}" for k in range(n_assets)]
    )
    months = pd.period_range(start=first, periods=n_months, freq="M")
    panel = FactorPanel(
        x,
        float(rf),
        months,
        names,
        kind="excess",
        provenance=Provenance(
            source="synthetic",
            vintage=f"seed={seed}",
            units_converted="none",
            rf_source=f"constant {rf!r}",
            notes=f"{n_states}-state Gaussian HMM market",
        ),
    )
    for arr in (states, means, covs, transmat, startprob):
        arr.setflags(write=False)
    return SyntheticMarket(panel, states, means, covs, transmat, startprob, seed)

"""Reward strategies: small objects that turn one month's outcome into a training signal.

The reward is a training signal only; evaluation metrics are computed elsewhere from ``info``.
A strategy is called with per-portfolio quantities that are Python/NumPy scalars for one env and
arrays of shape ``(n_envs,)`` for the batched env, so both envs share the same code:

``strategy(log_growth, excess_return, benchmark_log_growth, risk, state) -> (reward, state)``

* ``log_growth``: ``log(1 + r_net)``, the month's net log return;
* ``excess_return``: ``r_net - rf``;
* ``benchmark_log_growth``: ``log(1 + r_bench)`` of the fixed-weight benchmark;
* ``risk``: ``w' S_t w``, the ex-ante variance of the executed weights under the trailing
  covariance ``S_t`` (computed only when ``strategy.needs_risk``);
* ``state``: a tuple of per-portfolio running values (empty for stateless rewards), reset to
  ``strategy.initial_state()`` at the start of every episode.

Penalties for drawdown and turnover are applied on top by :func:`penalized`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "REWARD_NAMES",
    "DifferentialSharpe",
    "ExcessLogReturn",
    "LogReturn",
    "MeanVariance",
    "RewardStrategy",
    "make_reward",
    "penalized",
]

REWARD_NAMES = ("log_return", "excess_return", "differential_sharpe", "mean_variance")


class RewardStrategy:
    """Base class of reward strategies (see the module docstring for the call signature)."""

    name: ClassVar[str] = "reward"
    #: Whether the env must compute ``risk = w' S_t w`` (trailing covariance) for this reward.
    needs_risk: ClassVar[bool] = False
    #: Whether the env must compute ``benchmark_log_growth`` (else it passes 0).
    needs_benchmark: ClassVar[bool] = False

    def initial_state(self) -> tuple[float, ...]:
        """Running state at the start of an episode (empty for stateless rewards)."""
        return ()

    def __call__(
        self,
        log_growth: Any,
        excess_return: Any,
        benchmark_log_growth: Any,
        risk: Any,
        state: tuple[Any, ...],
    ) -> tuple[Any, tuple[Any, ...]]:
        """Reward of one month and the updated state."""
        raise NotImplementedError(f"{type(self).__name__} must implement __call__")


@dataclass(frozen=True)
class LogReturn(RewardStrategy):
    """``log(1 + r_net)``: maximising its sum maximises terminal wealth (Kelly 1956)."""

    name: ClassVar[str] = "log_return"

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):  # noqa: D102
        return log_growth, state


@dataclass(frozen=True)
class ExcessLogReturn(RewardStrategy):
    """``log(1 + r_net) - log(1 + r_bench)``: log return relative to the fixed benchmark.

    The benchmark holds ``benchmark_weights`` (default 1/N), rebalanced monthly at no cost, so
    the sum over an episode is the log of terminal wealth relative to the benchmark's.
    """

    name: ClassVar[str] = "excess_return"
    needs_benchmark: ClassVar[bool] = True

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):  # noqa: D102
        return log_growth - benchmark_log_growth, state


@dataclass(frozen=True)
class DifferentialSharpe(RewardStrategy):
    """Differential Sharpe ratio of Moody & Saffell.

    With ``R_t`` the month's net excess return and exponential moving moments
    ``A_t = A_{t-1} + eta (R_t - A_{t-1})`` and ``B_t = B_{t-1} + eta (R_t^2 - B_{t-1})``,

    ``D_t = (B_{t-1} dA_t - 0.5 A_{t-1} dB_t) / (B_{t-1} - A_{t-1}^2)^{3/2}``

    with ``dA_t = R_t - A_{t-1}`` and ``dB_t = R_t^2 - B_{t-1}``: the first-order effect of
    ``R_t`` on the moving Sharpe ratio (Moody, Wu, Liao & Saffell 1998, "Performance functions
    and reinforcement learning for trading systems and portfolios", J. Forecasting 17;
    Moody & Saffell 2001, "Learning to trade via direct reinforcement", IEEE Trans. Neural
    Networks 12(4), section on the differential Sharpe ratio).

    Parameters
    ----------
    eta : float
        Adaptation rate (``1/eta`` is roughly the memory in months).
    prior_vol : float
        The moments start at ``A_0 = 0``, ``B_0 = prior_vol**2`` (our choice): with ``B_0 = 0``
        the first denominators are zero or tiny and the first rewards explode.
    """

    eta: float = 0.05
    prior_vol: float = 0.04
    name: ClassVar[str] = "differential_sharpe"

    def initial_state(self) -> tuple[float, ...]:  # noqa: D102
        return (0.0, self.prior_vol**2)

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):  # noqa: D102
        a_prev, b_prev = state
        r = excess_return
        d_a = r - a_prev
        d_b = r * r - b_prev
        var = b_prev - a_prev * a_prev
        # var >= eta-weighted sample variance > 0 whenever prior_vol > 0; guard anyway.
        denom = np.maximum(var, 1e-300) ** 1.5
        dsr = (b_prev * d_a - 0.5 * a_prev * d_b) / denom
        return dsr, (a_prev + self.eta * d_a, b_prev + self.eta * d_b)


@dataclass(frozen=True)
class MeanVariance(RewardStrategy):
    """``r_net - rf - (lambda / 2) w' S_t w``: mean-variance utility with an ex-ante risk term.

    ``S_t`` is the sample covariance of the last ``vol_lookback`` monthly excess returns up to
    and including the decision month t (point in time), ``w`` the executed weights (Markowitz
    1952; the per-period quadratic utility used e.g. by Garleanu & Pedersen 2013).
    """

    risk_aversion: float = 2.0
    name: ClassVar[str] = "mean_variance"
    needs_risk: ClassVar[bool] = True

    def __call__(self, log_growth, excess_return, benchmark_log_growth, risk, state):  # noqa: D102
        return excess_return - 0.5 * self.risk_aversion * risk, state


def make_reward(
    name: str, *, risk_aversion: float = 2.0, dsr_eta: float = 0.05, dsr_prior_vol: float = 0.04
) -> RewardStrategy:
    """The strategy called ``name`` with its parameters (names in ``REWARD_NAMES``)."""
    if name == "log_return":
        return LogReturn()
    if name == "excess_return":
        return ExcessLogReturn()
    if name == "differential_sharpe":
        return DifferentialSharpe(eta=dsr_eta, prior_vol=dsr_prior_vol)
    if name == "mean_variance":
        return MeanVariance(risk_aversion=risk_aversion)
    from factorgym.errors import ConfigError

    raise ConfigError(f"`reward` must be one of {REWARD_NAMES}, got {name!r}")


def penalized(
    reward: Any, drawdown: Any, turnover: Any, drawdown_penalty: float, turnover_penalty: float
) -> Any:
    """``reward - drawdown_penalty * drawdown - turnover_penalty * turnover``.

    ``drawdown`` is the drawdown after the month (``1 - wealth / peak``), ``turnover`` the
    executed one-way turnover ``sum_k |dw_k|``; both penalties are zero by default.
    """
    if drawdown_penalty:
        reward = reward - drawdown_penalty * drawdown
    if turnover_penalty:
        reward = reward - turnover_penalty * turnover
    return reward

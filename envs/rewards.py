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

The built-in strategies run inside the env's compiled kernel (their formulas are the ufuncs of
:mod:`~factorgym.envs.kernel` that the methods below call too, so both agree bit for bit); a
user's own subclass is called by the env with arrays of shape ``(n_envs,)`` (``n_envs = 1`` for
:class:`~factorgym.envs.FactorTimingEnv`) and must work elementwise on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from factorgym.envs import kernel
from factorgym.envs._rows import floats
from factorgym.errors import ConfigError

__all__ = [
    "REWARD_NAMES",
    "DifferentialSharpe",
    "ExcessLogReturn",
    "LogReturn",
    "MeanVariance",
    "RewardStrategy",
    "kernel_reward",
    "log_growth",
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
        return kernel.excess_log_return_ufunc(
            floats(log_growth), floats(benchmark_log_growth)
        ), state


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
        a_prev, b_prev = floats(state[0]), floats(state[1])
        r = floats(excess_return)
        # var >= eta-weighted sample variance > 0 whenever prior_vol > 0; floored anyway.
        dsr = kernel.differential_sharpe_ufunc(r, a_prev, b_prev)
        eta = floats(self.eta)
        return dsr, (
            kernel.moment_update_ufunc(a_prev, r, eta),
            kernel.moment_update_ufunc(b_prev, r * r, eta),
        )


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
        return kernel.mean_variance_ufunc(
            floats(excess_return), floats(risk), floats(self.risk_aversion)
        ), state


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
    raise ConfigError(f"`reward` must be one of {REWARD_NAMES}, got {name!r}")


def penalized(
    reward: Any, drawdown: Any, turnover: Any, drawdown_penalty: float, turnover_penalty: float
) -> Any:
    """``reward - drawdown_penalty * drawdown - turnover_penalty * turnover`` (elementwise).

    ``drawdown`` is the drawdown after the month (``1 - wealth / peak``), ``turnover`` the
    executed one-way turnover ``sum_k |dw_k|``; both penalties are zero by default (a zero
    penalty is not applied at all).
    """
    return kernel.penalized_ufunc(
        floats(reward),
        floats(drawdown),
        floats(turnover),
        floats(drawdown_penalty),
        floats(turnover_penalty),
    )


def log_growth(net_return: Any) -> Any:
    """``log(1 + r_net)``, the ``log_growth`` every strategy receives (elementwise).

    ``1 + r_net`` is floored at ``1e-12``: a ruined month gives a large negative, finite value.
    """
    return kernel.log_growth_ufunc(floats(net_return))


def kernel_reward(strategy: RewardStrategy) -> tuple[int, float] | None:
    """The kernel's code and parameter of a built-in strategy, or None for any other object.

    Only the built-in classes themselves run inside the kernel; a subclass (which may override
    ``__call__``) is called from Python like any user strategy.
    """
    if type(strategy) is LogReturn:
        return kernel.REWARD_LOG, 0.0
    if type(strategy) is ExcessLogReturn:
        return kernel.REWARD_EXCESS, 0.0
    if type(strategy) is DifferentialSharpe:
        return kernel.REWARD_DSR, float(strategy.eta)
    if type(strategy) is MeanVariance:
        return kernel.REWARD_MEAN_VARIANCE, float(strategy.risk_aversion)
    return None

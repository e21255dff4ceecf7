"""The ``info`` dicts of both envs, built by one pair of functions.

:class:`~factorgym.envs.FactorTimingEnv` passes one portfolio's values (Python floats and
``(n,)`` rows), :class:`~factorgym.envs.BatchedFactorTimingEnv` passes arrays of shape
``(n_envs,)`` and ``(n_envs, n)``; the keys, their order and their meaning are the same.

Step ``info`` (the month earned at ``date``, decided at ``decision_date``):

======================== ===========================================================
key                      value
======================== ===========================================================
``date``                 month-end of the month earned (``t + 1``)
``decision_date``        month-end at which the weights were chosen (``t``)
``gross_return``         ``rf + w . x`` of the executed weights
``net_return``           gross return minus ``cost_total``
``rf``                   risk-free return of the month
``benchmark_return``     return of the fixed benchmark (no costs)
``cost_proportional``    ``sum c_k |dw_k|`` on the executed trade
``cost_internal``        ``sum h_k |w_k|`` on the executed weights
``cost_impact``          square-root impact of the executed trade
``cost_total``           sum of the three costs
``turnover``             executed one-way turnover ``sum |dw_k|``
``fill_ratio``           fraction of the desired trade executed (0: no-trade band)
``aum``                  AUM ``N_t`` in dollars at the trade
``wealth``               wealth after the month (1 at the start)
``drawdown``             ``1 - wealth / running peak``
``target_weights``       weights of the action
``refused_weights``      part of the target refused by the position limit
``executed_weights``     weights held over the month
``drifted_weights``      weights at the end of the month, before the next trade
``trade_cut``            part of the desired trade not executed (weights)
``trade_cut_notional``   the same in dollars
======================== ===========================================================

Reset ``info``: ``date`` (the first decision month-end), ``wealth``, ``drawdown``,
``drifted_weights`` (the holdings the first trade starts from) and ``episode_end`` (the month-end
at which the episode is truncated).
"""

from __future__ import annotations

from typing import Any

from factorgym.envs import kernel as K

__all__ = [
    "RESET_KEYS",
    "STEP_KEYS",
    "STEP_SCALAR_KEYS",
    "STEP_WEIGHT_KEYS",
    "reset_info",
    "step_info",
]

#: The per-portfolio numbers of a step's ``info`` (named as the kernel's rows).
STEP_SCALAR_KEYS = K.SCALAR_ROWS[:13]
#: The per-asset weight vectors of a step's ``info`` (named as the kernel's slabs).
STEP_WEIGHT_KEYS = K.WEIGHT_SLABS[:6]
#: Keys of a step's ``info``.
STEP_KEYS = ("date", "decision_date", *STEP_SCALAR_KEYS, *STEP_WEIGHT_KEYS)
RESET_KEYS = ("date", "wealth", "drawdown", "drifted_weights", "episode_end")


def step_info(date: Any, decision_date: Any, scalars: Any, vectors: Any) -> dict[str, Any]:
    """The ``info`` of a step.

    Parameters
    ----------
    date, decision_date : Timestamp or ndarray of datetime64
        Month-ends of the month earned and of the decision.
    scalars : sequence
        Indexed by the kernel's rows ``kernel.S_*``: floats for one env (a list), ``(n_envs,)``
        arrays for a batch (the kernel's ``scalars`` output).
    vectors : sequence
        Indexed by the kernel's slabs ``kernel.W_*``: ``(n,)`` or ``(n_envs, n)`` arrays.
    """
    s, w = scalars, vectors
    return {
        "date": date,
        "decision_date": decision_date,
        "gross_return": s[K.S_GROSS],
        "net_return": s[K.S_NET],
        "rf": s[K.S_RF],
        "benchmark_return": s[K.S_BENCHMARK],
        "cost_proportional": s[K.S_COST_P],
        "cost_internal": s[K.S_COST_H],
        "cost_impact": s[K.S_COST_I],
        "cost_total": s[K.S_COST],
        "turnover": s[K.S_TURNOVER],
        "fill_ratio": s[K.S_FILL],
        "aum": s[K.S_AUM],
        "wealth": s[K.S_WEALTH],
        "drawdown": s[K.S_DRAWDOWN],
        "target_weights": w[K.W_TARGET],
        "refused_weights": w[K.W_REFUSED],
        "executed_weights": w[K.W_EXECUTED],
        "drifted_weights": w[K.W_DRIFTED],
        "trade_cut": w[K.W_CUT],
        "trade_cut_notional": w[K.W_CUT_NOTIONAL],
    }


def reset_info(
    date: Any, wealth: Any, drawdown: Any, drifted_weights: Any, episode_end: Any
) -> dict[str, Any]:
    """The ``info`` of a reset (one env's values, or arrays over a batch)."""
    return {
        "date": date,
        "wealth": wealth,
        "drawdown": drawdown,
        "drifted_weights": drifted_weights,
        "episode_end": episode_end,
    }

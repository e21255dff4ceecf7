"""Pure maps from actions in ``[-1, 1]^n`` to feasible target weights, and back.

Every map is *onto* its feasible set: it is the identity (up to rounding) on feasible weights
written as actions, so any feasible portfolio, including the vertices, is one deterministic
action away. This is why there is no softmax: the softmax of bounded logits ``a / tau`` has the
image ``{w : w_i / w_j <= exp(2 / tau)}`` and never reaches a zero weight, and FinRL's
clip-to-[0, 1]-then-softmax confines weights to ``[1/(1 + (n-1)e), e/(e + n - 1)]`` around 1/N.

The functions take one action ``(n,)`` or a batch ``(n_envs, n)``; actions outside ``[-1, 1]``
are clipped first.

========== ====================================================== ===========================
mode       feasible set                                           map
========== ====================================================== ===========================
long_only  ``w >= 0``, ``sum w <= 1`` (``= 1`` without cash)      ``u = (a + 1) / 2``,
                                                                  ``w = u / max(sum u, 1)``
                                                                  (``u / sum u`` w/o cash)
long_short ``|w_k| <= b``, ``sum |w| <= G``                       ``v = b a``, scaled down to
                                                                  gross ``G`` if above
tilt       ``|w_k - c_k| <= d``, ``sum w = sum c``,               ``x = d a`` clipped below at
           (and ``w >= 0`` if long-only)                          ``-c`` (long-only), then the
                                                                  larger side scaled to net 0
========== ====================================================== ===========================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from factorgym._typing import BoolArray, FloatArray
from factorgym.envs import kernel
from factorgym.envs._rows import as_rows, rows_like, unbatch
from factorgym.envs.config import EnvConfig
from factorgym.errors import ConfigError, InvalidActionError

__all__ = [
    "ActionSpec",
    "as_actions",
    "long_only_action",
    "long_only_weights",
    "long_short_action",
    "long_short_weights",
    "tilt_action",
    "tilt_weights",
]

_MODE_CODES = {
    "long_only": kernel.MODE_LONG_ONLY,
    "long_short": kernel.MODE_LONG_SHORT,
    "tilt": kernel.MODE_TILT,
}


def as_actions(action: Any, shape: tuple[int, ...], name: str) -> FloatArray:
    """``action`` as a new C-ordered float64 array of ``shape``, or :class:`InvalidActionError`.

    Finiteness is checked by the kernel (one pass over the numbers it reads anyway).

    Raises
    ------
    InvalidActionError
        If ``action`` is not an array of numbers (strings, a dict, None) or has another shape;
        the message names ``name``, the constraint and the value received.
    """
    try:
        arr = np.array(action, dtype=np.float64, order="C")
    except (TypeError, ValueError) as exc:
        raise InvalidActionError(
            f"`{name}` must be an array of numbers of shape {shape}, got {action!r}"
        ) from exc
    if arr.shape != shape:
        raise InvalidActionError(
            f"`{name}` must have shape {shape}, got {arr.shape} (value {action!r})"
        )
    return arr


def long_only_weights(action: FloatArray, *, allow_cash: bool = True) -> FloatArray:
    """Long-only weights on the simplex (with cash: ``sum w <= 1``).

    Parameters
    ----------
    action : ndarray of shape (n,) or (n_envs, n)
        Actions in ``[-1, 1]`` (clipped).
    allow_cash : bool
        If true, ``w = u / max(sum u, 1)`` with ``u = (a + 1) / 2``, so any ``w >= 0`` with
        ``sum w <= 1`` is reached by ``a = 2 w - 1``; if false, ``w = u / sum u`` (equal weights
        when ``u = 0``), reaching every point of the simplex.

    Returns
    -------
    ndarray, same shape as ``action`` (a new array; ``action`` is never modified)
    """
    a, one = as_rows(action, "action")
    out = np.empty(a.shape)
    kernel.long_only_rows(a, bool(allow_cash), out)
    return unbatch(out, one)


def long_only_action(weights: FloatArray) -> FloatArray:
    """Inverse of :func:`long_only_weights` on its feasible set: ``a = 2 w - 1``."""
    return 2.0 * np.asarray(weights, dtype=np.float64) - 1.0


def long_short_weights(action: FloatArray, *, max_weight: float, max_gross: float) -> FloatArray:
    """Long-short weights with ``|w_k| <= max_weight`` and ``sum |w| <= max_gross``.

    ``v = max_weight * a``; if ``sum |v| > max_gross`` the whole vector is scaled down to gross
    ``max_gross`` (scaling toward 0 keeps the per-asset bound). Identity on the feasible set
    with ``a = w / max_weight``. Linear rather than tanh: the action is already bounded, and
    ``tanh`` of ``[-1, 1]`` would only reach 76 % of the bound.
    """
    a, one = as_rows(action, "action")
    out = np.empty(a.shape)
    kernel.long_short_rows(a, float(max_weight), float(max_gross), out)
    return unbatch(out, one)


def long_short_action(weights: FloatArray, *, max_weight: float) -> FloatArray:
    """Inverse of :func:`long_short_weights` on its feasible set: ``a = w / max_weight``."""
    return np.asarray(weights, dtype=np.float64) / max_weight


def tilt_weights(
    action: FloatArray,
    *,
    benchmark: FloatArray,
    max_deviation: float,
    long_only: bool = True,
) -> FloatArray:
    """Budget-neutral tilt ``w = c + x`` around a benchmark ``c`` with ``|x_k| <= max_deviation``.

    ``x0 = max_deviation * a``, clipped below at ``-c`` when ``long_only``; then the side with
    the larger total (buys or sells) is scaled down so that ``sum x = 0``. Scaling toward zero
    keeps every bound, and a feasible ``x`` (``a = x / max_deviation``) is returned unchanged,
    so the map is onto ``{|w - c| <= d, sum w = sum c, w >= 0 if long_only}``.
    """
    a, one = as_rows(action, "action")
    out = np.empty(a.shape)
    bench = rows_like(benchmark, a.shape[1:], "benchmark")
    kernel.tilt_rows(a, bench, float(max_deviation), bool(long_only), out)
    return unbatch(out, one)


def tilt_action(weights: FloatArray, *, benchmark: FloatArray, max_deviation: float) -> FloatArray:
    """Inverse of :func:`tilt_weights` on its feasible set: ``a = (w - c) / max_deviation``."""
    return (np.asarray(weights, dtype=np.float64) - benchmark) / max_deviation


@dataclass(frozen=True, eq=False)
class ActionSpec:
    """The action mode of an env with its parameters: maps, inverse maps and feasibility.

    Build with :meth:`from_config`; ``benchmark`` is the fixed benchmark weight vector.
    """

    mode: str
    n_assets: int
    allow_cash: bool
    max_weight: float
    max_gross: float
    benchmark: FloatArray
    max_deviation: float
    tilt_long_only: bool

    @classmethod
    def from_config(cls, config: EnvConfig, n_assets: int) -> ActionSpec:
        """Resolve the action-mode fields of an :class:`EnvConfig` for ``n_assets`` assets."""
        if config.benchmark_weights is None:
            bench = np.full(n_assets, 1.0 / n_assets)
        else:
            bench = np.asarray(config.benchmark_weights, dtype=np.float64)
            if bench.shape != (n_assets,):
                raise ConfigError(
                    f"`benchmark_weights` must have one weight per asset ({n_assets}), "
                    f"got {len(bench)} values"
                )
            if config.action_mode == "tilt" and config.tilt_long_only and np.any(bench < 0):
                raise ConfigError(
                    "`benchmark_weights` must be >= 0 for a long-only tilt, "
                    f"got {tuple(bench.tolist())}"
                )
        bench.setflags(write=False)
        return cls(
            mode=config.action_mode,
            n_assets=n_assets,
            allow_cash=config.allow_cash,
            max_weight=float(config.max_weight),
            max_gross=float(config.max_gross),
            benchmark=bench,
            max_deviation=float(config.max_deviation),
            tilt_long_only=config.tilt_long_only,
        )

    # ------------------------------------------------------------------ maps
    def to_weights(self, action: FloatArray) -> FloatArray:
        """Target weights of an action (one ``(n,)`` or a batch ``(n_envs, n)``)."""
        if self.mode == "long_only":
            return long_only_weights(action, allow_cash=self.allow_cash)
        if self.mode == "long_short":
            return long_short_weights(action, max_weight=self.max_weight, max_gross=self.max_gross)
        return tilt_weights(
            action,
            benchmark=self.benchmark,
            max_deviation=self.max_deviation,
            long_only=self.tilt_long_only,
        )

    def to_action(self, weights: FloatArray) -> FloatArray:
        """The float64 action whose weights are ``weights`` (for feasible weights)."""
        if self.mode == "long_only":
            return long_only_action(weights)
        if self.mode == "long_short":
            return long_short_action(weights, max_weight=self.max_weight)
        return tilt_action(weights, benchmark=self.benchmark, max_deviation=self.max_deviation)

    # ------------------------------------------------------------------ feasibility
    def bounds(self) -> tuple[FloatArray, FloatArray]:
        """Per-asset lower and upper weight bounds of the feasible set."""
        n = self.n_assets
        if self.mode == "long_only":
            return np.zeros(n), np.ones(n)
        if self.mode == "long_short":
            return np.full(n, -self.max_weight), np.full(n, self.max_weight)
        lo = self.benchmark - self.max_deviation
        if self.tilt_long_only:
            lo = np.maximum(lo, 0.0)
        return lo, self.benchmark + self.max_deviation

    def _bounds(self, allow_refusals: bool) -> tuple[FloatArray, FloatArray]:
        lo, hi = self.bounds()
        if allow_refusals:
            return np.minimum(lo, 0.0), np.maximum(hi, 0.0)
        return lo, hi

    def violations(
        self, weights: FloatArray, *, tol: float = 1e-9, allow_refusals: bool = False
    ) -> list[str]:
        """Constraints that one weight vector ``(n,)`` violates (empty if feasible).

        ``allow_refusals`` accepts weights that a position limit has moved toward zero (the
        refused part stays in cash): budget equalities become ``<=`` and a bound that excludes
        zero (a tilt's ``b - d > 0``) is extended to zero.
        """
        w = np.asarray(weights, dtype=np.float64)
        out: list[str] = []
        if w.shape != (self.n_assets,):
            return [f"shape must be ({self.n_assets},), got {w.shape}"]
        if not np.all(np.isfinite(w)):
            return ["weights must be finite"]
        lo, hi = self._bounds(allow_refusals)
        if np.any(w < lo - tol):
            k = int(np.argmax(lo - w))
            out.append(f"w[{k}] = {w[k]:.6g} is below its bound {lo[k]:.6g}")
        if np.any(w > hi + tol):
            k = int(np.argmax(w - hi))
            out.append(f"w[{k}] = {w[k]:.6g} is above its bound {hi[k]:.6g}")
        total = float(w.sum())
        if self.mode == "long_only":
            if total > 1.0 + tol:
                out.append(f"sum of weights {total:.6g} exceeds 1")
            if not self.allow_cash and not allow_refusals and total < 1.0 - tol:
                out.append(f"sum of weights {total:.6g} must be 1 without cash")
        elif self.mode == "long_short":
            gross = float(np.abs(w).sum())
            if gross > self.max_gross + tol:
                out.append(f"gross leverage {gross:.6g} exceeds max_gross {self.max_gross:g}")
        else:
            target = self.budget
            if total > target + tol or (not allow_refusals and total < target - tol):
                out.append(f"sum of weights {total:.6g} must equal the benchmark's {target:.6g}")
        return out

    def is_feasible(
        self, weights: FloatArray, *, tol: float = 1e-9, allow_refusals: bool = False
    ) -> BoolArray | bool:
        """Feasibility of one ``(n,)`` or each row of a batch ``(n_envs, n)`` of weights.

        The env's own test (:func:`factorgym.envs.kernel.feasible_row`, which the no-trade band
        runs on the drifted weights): bounds, budget or gross leverage to ``tol``, all finite.
        """
        w, one = as_rows(weights, "weights")
        lo, hi = self._bounds(allow_refusals)
        out = np.empty(len(w), dtype=np.bool_)
        kernel.feasible_rows(
            w,
            lo,
            hi,
            self.mode_code,
            self.allow_cash,
            self.max_gross,
            self.budget,
            bool(allow_refusals),
            float(tol),
            out,
        )
        return unbatch(out, one)

    # ------------------------------------------------------------------ kernel parameters
    @property
    def mode_code(self) -> int:
        """The kernel's code of the action mode (``kernel.MODE_*``)."""
        return _MODE_CODES[self.mode]

    @property
    def budget(self) -> float:
        """Total weight of the benchmark (the tilt's budget)."""
        return float(self.benchmark.sum())

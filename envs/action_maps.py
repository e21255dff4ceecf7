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
from factorgym.envs._rowops import row_sum
from factorgym.errors import ConfigError, FactorGymError

__all__ = [
    "ActionSpec",
    "InvalidActionError",
    "long_only_action",
    "long_only_weights",
    "long_short_action",
    "long_short_weights",
    "tilt_action",
    "tilt_weights",
]


class InvalidActionError(FactorGymError, ValueError):
    """An action or a set of target weights is malformed (NaN, wrong shape) or infeasible."""


try:  # the ufunc behind np.clip: one call instead of np.clip's Python wrapper (~1 us a step)
    from numpy._core.umath import clip as _clip_ufunc
except ImportError:  # pragma: no cover - other NumPy layouts
    _clip_ufunc = None


def _scaled_clip(
    action: FloatArray, scale: float, shift: float, lo: float, hi: float
) -> FloatArray:
    """``clip(action * scale + shift, lo, hi)`` in a new array (never modifies ``action``)."""
    u = action * scale
    if shift:
        u += shift
    if _clip_ufunc is not None:
        _clip_ufunc(u, lo, hi, u)
    else:  # pragma: no cover
        np.clip(u, lo, hi, out=u)
    return u


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
    ndarray, same shape as ``action``
    """
    u = _scaled_clip(action, 0.5, 0.5, 0.0, 1.0)
    s = row_sum(u)
    n = u.shape[-1]
    if isinstance(s, np.ndarray):
        if allow_cash:
            u /= np.maximum(s, 1.0)[:, None]
            return u
        zero = s <= 0.0
        u /= np.where(zero, 1.0, s)[:, None]
        if zero.any():
            u[zero] = 1.0 / n
        return u
    if allow_cash:
        if s > 1.0:
            u /= s
        return u
    if s <= 0.0:
        return np.full(n, 1.0 / n)
    u /= s
    return u


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
    v = _scaled_clip(action, max_weight, 0.0, -max_weight, max_weight)
    gross = row_sum(np.abs(v))
    if isinstance(gross, np.ndarray):
        v *= np.minimum(1.0, max_gross / np.maximum(gross, 1e-300))[:, None]
        return v
    if gross > max_gross:
        v *= max_gross / gross
    return v


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
    x = _scaled_clip(action, max_deviation, 0.0, -max_deviation, max_deviation)
    if long_only:
        x = np.maximum(x, -benchmark)
    pos = np.maximum(x, 0.0)
    neg = pos - x  # = max(-x, 0)
    up = row_sum(pos)
    down = row_sum(neg)
    if isinstance(up, np.ndarray):
        s_up = np.where(up > down, down / np.maximum(up, 1e-300), 1.0)
        s_down = np.where(down > up, up / np.maximum(down, 1e-300), 1.0)
        return benchmark + pos * s_up[:, None] - neg * s_down[:, None]
    if up > down:
        return benchmark + pos * (down / up) - neg
    if down > up:
        return benchmark + pos - neg * (up / down)
    return benchmark + x


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
    def from_config(cls, config: Any, n_assets: int) -> ActionSpec:
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
            target = float(self.benchmark.sum())
            if total > target + tol or (not allow_refusals and total < target - tol):
                out.append(f"sum of weights {total:.6g} must equal the benchmark's {target:.6g}")
        return out

    def is_feasible(
        self, weights: FloatArray, *, tol: float = 1e-9, allow_refusals: bool = False
    ) -> BoolArray | bool:
        """Feasibility of one ``(n,)`` or each row of a batch ``(n_envs, n)`` of weights."""
        w = np.asarray(weights, dtype=np.float64)
        lo, hi = self._bounds(allow_refusals)
        ok = np.all((w >= lo - tol) & (w <= hi + tol), axis=-1)
        total = w.sum(axis=-1)
        if self.mode == "long_only":
            ok &= total <= 1.0 + tol
            if not self.allow_cash and not allow_refusals:
                ok &= total >= 1.0 - tol
        elif self.mode == "long_short":
            ok &= np.abs(w).sum(axis=-1) <= self.max_gross + tol
        else:
            target = float(self.benchmark.sum())
            ok &= total <= target + tol
            if not allow_refusals:
                ok &= total >= target - tol
        ok &= np.all(np.isfinite(w), axis=-1)
        return bool(ok) if np.ndim(ok) == 0 else ok

"""Action maps: feasible, onto the feasible set (identity on it), vertices reachable."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from factorgym.envs import (
    ActionSpec,
    EnvConfig,
    long_only_action,
    long_only_weights,
    long_short_action,
    long_short_weights,
    tilt_action,
    tilt_weights,
)
from factorgym.errors import ConfigError

RNG = np.random.default_rng(42)
N = 4


def _spec(**kw):
    return ActionSpec.from_config(EnvConfig(**kw), N)


def _vertex_action(k, n=N):
    a = -np.ones(n)
    a[k] = 1.0
    return a


# --- reach 90 % (indeed 100 %) in one asset with a deterministic action -----------------------
@pytest.mark.parametrize("k", range(N))
def test_long_only_reaches_each_vertex(k):
    for cash in (True, False):
        w = long_only_weights(_vertex_action(k), allow_cash=cash)
        assert w[k] == 1.0 and w.sum() == 1.0


@pytest.mark.parametrize("k", range(N))
def test_long_short_reaches_90_percent(k):
    w = long_short_weights(0.9 * np.eye(N)[k], max_weight=1.0, max_gross=2.0)
    assert w[k] == pytest.approx(0.9) and np.abs(w).sum() == pytest.approx(0.9)
    w = long_short_weights(np.eye(N)[k], max_weight=1.0, max_gross=2.0)
    assert w[k] == 1.0


@pytest.mark.parametrize("k", range(N))
def test_tilt_reaches_90_percent(k):
    bench = np.full(N, 0.25)
    w = tilt_weights(_vertex_action(k), benchmark=bench, max_deviation=0.65, long_only=True)
    assert w[k] == pytest.approx(0.9, abs=1e-15)
    assert w.sum() == pytest.approx(1.0, abs=1e-15) and w.min() >= 0


def test_finrl_clip_then_softmax_cannot_reach_90_percent():
    # the anti-pattern the maps avoid: softmax(clip(a, 0, 1)) stays near 1/N
    a = np.clip(_vertex_action(0), 0, 1)
    w = np.exp(a) / np.exp(a).sum()
    assert w[0] == pytest.approx(np.e / (np.e + 3))
    assert w[0] < 0.5


# --- onto: every feasible point is the image of its inverse action -------------------------
def test_long_only_identity_on_feasible_set():
    for _ in range(500):
        w = RNG.dirichlet(np.ones(N)) * RNG.uniform(0, 1)
        w[RNG.random(N) < 0.3] = 0.0  # exact zeros are reachable too
        assert_allclose(long_only_weights(long_only_action(w), allow_cash=True), w, atol=1e-15)
        s = RNG.dirichlet(np.ones(N))
        assert_allclose(long_only_weights(long_only_action(s), allow_cash=False), s, atol=1e-15)


def test_long_short_identity_on_feasible_set():
    for _ in range(500):
        w = RNG.uniform(-0.8, 0.8, N)
        w *= min(1.0, 1.5 / np.abs(w).sum())
        a = long_short_action(w, max_weight=0.8)
        assert_allclose(long_short_weights(a, max_weight=0.8, max_gross=1.5), w, atol=1e-15)


@pytest.mark.parametrize("long_only", [True, False])
def test_tilt_identity_on_feasible_set(long_only):
    bench = np.array([0.4, 0.3, 0.2, 0.1])
    d = 0.15
    for _ in range(500):
        x = RNG.uniform(-d, d, N)
        if long_only:
            x = np.maximum(x, -bench)
        x -= x.mean()  # budget neutral
        if np.any(np.abs(x) > d) or (long_only and np.any(bench + x < 0)):
            continue
        a = tilt_action(bench + x, benchmark=bench, max_deviation=d)
        got = tilt_weights(a, benchmark=bench, max_deviation=d, long_only=long_only)
        assert_allclose(got, bench + x, atol=1e-15)


# --- any action, including out-of-range ones, gives feasible weights ---------------------------
@pytest.mark.parametrize(
    "kw",
    [
        {"action_mode": "long_only"},
        {"action_mode": "long_only", "allow_cash": False},
        {"action_mode": "long_short", "max_weight": 0.7, "max_gross": 1.2},
        {"action_mode": "tilt", "max_deviation": 0.2},
        {"action_mode": "tilt", "max_deviation": 0.4, "tilt_long_only": False},
        {"action_mode": "tilt", "benchmark_weights": (0.7, 0.1, 0.1, 0.0)},
    ],
)
def test_any_action_maps_into_the_feasible_set(kw):
    spec = _spec(**kw)
    actions = np.vstack([RNG.uniform(-3, 3, (2000, N)), np.sign(RNG.normal(size=(500, N)))])
    w = spec.to_weights(actions)
    assert spec.is_feasible(w, tol=1e-12).all()
    for row, a in zip(w[:50], actions[:50], strict=True):
        assert_allclose(spec.to_weights(a), row, atol=1e-15)  # batched == single
        assert spec.violations(row, tol=1e-12) == []
    assert_array_equal(actions, actions)  # the input is never modified


def test_action_is_not_modified():
    a = np.array([0.5, -2.0, 3.0, 0.0])
    for spec in (_spec(), _spec(action_mode="long_short"), _spec(action_mode="tilt")):
        before = a.copy()
        spec.to_weights(a)
        assert_array_equal(a, before)


def test_no_cash_all_minus_one_gives_equal_weights():
    assert_allclose(long_only_weights(-np.ones(N), allow_cash=False), np.full(N, 0.25))
    batch = long_only_weights(np.vstack([-np.ones(N), _vertex_action(1)]), allow_cash=False)
    assert_allclose(batch, [np.full(N, 0.25), np.eye(N)[1]])


def test_long_short_gross_cap_scales_down():
    w = long_short_weights(np.array([1.0, -1.0, 1.0, 0.0]), max_weight=1.0, max_gross=1.5)
    assert_allclose(w, [0.5, -0.5, 0.5, 0.0])


def test_tilt_scales_the_larger_side():
    bench = np.full(N, 0.25)
    w = tilt_weights(np.array([1.0, 1.0, -1.0, 0.0]), benchmark=bench, max_deviation=0.1)
    # buys 0.1 + 0.1 exceed sells 0.1: buys are halved, so w = b + (0.05, 0.05, -0.1, 0)
    assert_allclose(w, [0.3, 0.3, 0.15, 0.25])


# --- ActionSpec ---------------------------------------------------------------------------
def test_spec_bounds_and_violation_messages():
    spec = _spec(action_mode="long_short", max_weight=0.5, max_gross=1.0)
    lo, hi = spec.bounds()
    assert_array_equal(lo, -0.5 * np.ones(N))
    assert spec.violations(np.array([0.6, 0, 0, 0]))[0].startswith("w[0] = 0.6 is above")
    assert "gross leverage 1.2 exceeds" in spec.violations(np.array([0.4, -0.4, 0.4, 0]))[0]
    lo_spec = _spec(allow_cash=False)
    assert "must be 1 without cash" in lo_spec.violations(np.array([0.2, 0.2, 0.2, 0.2]))[0]
    assert lo_spec.violations(np.array([0.2, 0.2, 0.2, 0.2]), allow_refusals=True) == []
    assert "exceeds 1" in _spec().violations(np.array([0.5, 0.5, 0.5, 0.0]))[0]
    assert "below its bound" in _spec().violations(np.array([-0.1, 0.5, 0.0, 0.0]))[0]
    tilt = _spec(action_mode="tilt")
    assert "must equal the benchmark's" in tilt.violations(np.array([0.3, 0.3, 0.3, 0.3]))[0]
    assert _spec().violations(np.array([0.1, 0.2])) == ["shape must be (4,), got (2,)"]
    assert _spec().violations(np.array([np.nan, 0, 0, 0])) == ["weights must be finite"]


def test_spec_errors():
    with pytest.raises(ConfigError, match=r"`benchmark_weights` must have one weight per asset"):
        ActionSpec.from_config(EnvConfig(benchmark_weights=(0.5, 0.5)), N)
    with pytest.raises(ConfigError, match="`benchmark_weights` must be >= 0 for a long-only tilt"):
        ActionSpec.from_config(
            EnvConfig(action_mode="tilt", benchmark_weights=(1.5, -0.5, 0.0, 0.0)), N
        )

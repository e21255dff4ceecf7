"""Speed of FactorTimingEnv and BatchedFactorTimingEnv against plain NumPy reference envs.

Run: ``python benchmarks/bench_env.py [--steps 5000] [--repeats 15]`` (about 25 s).

Prints, all measured in this one run (medians over repeats, measurements interleaved so that
machine noise hits every candidate alike):

* single-env steps/s of ``FactorTimingEnv`` with the full cost model (central costs:
  proportional, internal, square-root impact, participation cap; drawdown and turnover
  penalties; full ``info``), constructed directly;
* the ``gym.make`` overhead per step (``gym.make`` env minus the direct env), and, for
  reference, the overhead of Gymnasium's ``OrderEnforcing`` wrapper;
* batched env-steps/s at N = 1, 64, 1024;
* the floor: a plain NumPy reference env written here (softmax weights, proportional costs on
  drifted weights, precomputed observation rows), single and batched;
* the ratios against the floors;
* the first-call time of the numba kernel, in fresh processes with an empty cache folder
  (``NUMBA_CACHE_DIR``, cold: compiles) and again with that folder filled (warm: loads), and the
  import time of ``factorgym.envs`` (numba's own import is part of it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import gymnasium as gym
import numpy as np

import factorgym
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv

# --------------------------------------------------------------------------- the floors


class NumpyFloorEnv:
    """Plain NumPy reference env: softmax weights, proportional costs, precomputed obs rows."""

    def __init__(self, excess, rf, obs_rows, cost_bps, start, episode_length):
        self.x = excess
        self.rf = rf
        self.growth = 1.0 + rf[:, None] + excess
        self.obs_rows = obs_rows
        self.c = np.asarray(cost_bps, dtype=np.float64) * 1e-4
        self.start = start
        self.length = episode_length
        self.n = excess.shape[1]

    def reset(self):
        self.t = self.start
        self.stop = self.start + self.length
        self.w = np.zeros(self.n)
        return self.obs_rows[self.t].copy(), {}

    def step(self, action):
        z = np.asarray(action, dtype=np.float64)
        e = np.exp(z - z.max())
        w = e / e.sum()
        cost = np.abs(w - self.w) @ self.c
        self.t += 1
        gross = self.rf[self.t] + w @ self.x[self.t]
        net = gross - cost
        self.w = w * self.growth[self.t] / (1.0 + gross)
        obs = self.obs_rows[self.t].copy()
        return obs, float(np.log1p(net)), False, self.t >= self.stop, {}


class BatchedNumpyFloorEnv:
    """The same reference env for N portfolios at once, with autoreset."""

    def __init__(self, excess, rf, obs_rows, cost_bps, start, episode_length, num_envs):
        self.x = excess
        self.rf = rf
        self.growth = 1.0 + rf[:, None] + excess
        self.obs_rows = obs_rows
        self.c = np.asarray(cost_bps, dtype=np.float64) * 1e-4
        self.start = start
        self.length = episode_length
        self.num_envs = num_envs
        self.n = excess.shape[1]

    def reset(self):
        self.t = np.full(self.num_envs, self.start)
        self.w = np.zeros((self.num_envs, self.n))
        return self.obs_rows[self.t], {}

    def step(self, actions):
        z = np.asarray(actions, dtype=np.float64)
        e = np.exp(z - z.max(axis=1, keepdims=True))
        w = e / e.sum(axis=1, keepdims=True)
        cost = np.abs(w - self.w) @ self.c
        self.t += 1
        gross = self.rf[self.t] + np.einsum("ij,ij->i", w, self.x[self.t])
        net = gross - cost
        self.w = w * self.growth[self.t] / (1.0 + gross)[:, None]
        done = self.t >= self.start + self.length
        if done.any():
            self.t[done] = self.start
            self.w[done] = 0.0
        return self.obs_rows[self.t], np.log1p(net), np.zeros_like(done), done, {}


# --------------------------------------------------------------------------- timing


def run_single(env, actions, n_steps):
    """Seconds per step of a single env over ``n_steps`` steps (autoreset by hand)."""
    env.reset()
    step = env.step
    reset = env.reset
    n_act = len(actions)
    t0 = time.perf_counter()
    for i in range(n_steps):
        _, _, term, trunc, _ = step(actions[i % n_act])
        if term or trunc:
            reset()
    return (time.perf_counter() - t0) / n_steps


def run_batched(env, actions, n_steps):
    """Seconds per *env-step* of a batched env over ``n_steps`` batched steps."""
    env.reset()
    step = env.step
    n_act = len(actions)
    t0 = time.perf_counter()
    for i in range(n_steps):
        step(actions[i % n_act])
    return (time.perf_counter() - t0) / (n_steps * env.num_envs)


_FIRST_CALL = """
import json, time
t0 = time.perf_counter()
import numpy as np
from factorgym.envs import BatchedFactorTimingEnv, EnvConfig, FactorTimingEnv
t1 = time.perf_counter()
cfg = EnvConfig(costs="central", drawdown_penalty=0.1, turnover_penalty=0.001)
env = FactorTimingEnv("french", config=cfg)
env.reset(seed=0)
t2 = time.perf_counter()
env.step(np.zeros(4, np.float32))
t3 = time.perf_counter()
env.step(np.zeros(4, np.float32))
t4 = time.perf_counter()
batched = BatchedFactorTimingEnv("french", num_envs=8, config=cfg)
batched.reset(seed=0)
t5 = time.perf_counter()
batched.step(np.zeros((8, 4), np.float32))
t6 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first_step": t3 - t2, "second_step": t4 - t3,
                  "first_batched_step": t6 - t5}))
"""


def first_call_times() -> dict[str, dict[str, float]]:
    """Seconds of the first env steps in a fresh process: cold cache, then warm cache."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for kind in ("cold", "warm"):
            done = subprocess.run(
                [sys.executable, "-c", _FIRST_CALL],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            out[kind] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000, help="single-env steps per repeat")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    compile_times = first_call_times()  # before the timing loops: keeps their caches out

    panel = factorgym.load("french")
    full = EnvConfig(
        costs="central",
        drawdown_penalty=0.1,
        turnover_penalty=0.001,
        random_start=False,
        episode_length=120,
    )
    env = FactorTimingEnv(panel, config=full)
    made = gym.make("factorgym/FactorTiming-v0", config=full)
    ordered = gym.wrappers.OrderEnforcing(FactorTimingEnv(panel, config=full))
    market = env.dynamics.market
    start = market.decision_range[0]
    floor = NumpyFloorEnv(
        market.excess, market.rf, market.static_obs, env.cost_model.cost_bps, start, 120
    )
    rng = np.random.default_rng(0)
    n = panel.n_assets
    actions = rng.uniform(-1, 1, size=(4096, n)).astype(np.float32)

    res: dict[str, list[float]] = {k: [] for k in ("floor", "env", "make", "ordered")}
    for _ in range(args.repeats):
        res["floor"].append(run_single(floor, actions, args.steps))
        res["env"].append(run_single(env, actions, args.steps))
        res["make"].append(run_single(made, actions, args.steps))
        res["ordered"].append(run_single(ordered, actions, args.steps))
    med = {k: statistics.median(v) for k, v in res.items()}
    # ratios and overheads: medians of per-repeat values (adjacent in time, so machine noise
    # mostly cancels)
    ratio = statistics.median(f / e for f, e in zip(res["floor"], res["env"], strict=True))
    make_over = statistics.median(m - e for m, e in zip(res["make"], res["env"], strict=True))
    order_over = statistics.median(o - e for o, e in zip(res["ordered"], res["env"], strict=True))

    batched: dict[int, float] = {}
    batched_floor: dict[int, float] = {}
    batched_ratio: dict[int, float] = {}
    for n_envs in (1, 64, 1024):
        n_steps = max(100, args.steps // max(1, n_envs // 8))
        benv = BatchedFactorTimingEnv(panel, num_envs=n_envs, config=full)
        bfloor = BatchedNumpyFloorEnv(
            market.excess,
            market.rf,
            market.static_obs,
            env.cost_model.cost_bps,
            start,
            120,
            n_envs,
        )
        bact = rng.uniform(-1, 1, size=(64, n_envs, n)).astype(np.float32)
        e_t, f_t = [], []
        for _ in range(args.repeats):
            f_t.append(run_batched(bfloor, bact, n_steps))
            e_t.append(run_batched(benv, bact, n_steps))
        batched[n_envs] = statistics.median(e_t)
        batched_floor[n_envs] = statistics.median(f_t)
        batched_ratio[n_envs] = statistics.median(f / e for f, e in zip(f_t, e_t, strict=True))

    print(
        f"factorgym {factorgym.__version__} env benchmark: French factors ({n} assets), central "
        f"costs + impact + participation cap + penalties, {args.repeats} interleaved repeats, "
        "medians"
    )
    print(
        f"  floor (plain NumPy env)        {1 / med['floor']:12,.0f} steps/s "
        f"({med['floor'] * 1e6:6.2f} us/step)"
    )
    print(
        f"  FactorTimingEnv (direct)       {1 / med['env']:12,.0f} steps/s "
        f"({med['env'] * 1e6:6.2f} us/step)   ratio to floor {ratio:.2f}x"
    )
    print(
        f"  gym.make env                   {1 / med['make']:12,.0f} steps/s "
        f"({med['make'] * 1e6:6.2f} us/step)"
    )
    print(
        f"  gym.make overhead per step     {make_over * 1e6:+.3f} us "
        f"(gym.make returns the env itself, no wrapper: {made is made.unwrapped})"
    )
    print(f"  OrderEnforcing overhead (ref.) {order_over * 1e6:+.3f} us")
    for n_envs in (1, 64, 1024):
        e, f = batched[n_envs], batched_floor[n_envs]
        print(
            f"  batched N={n_envs:<5d} {1 / e:14,.0f} env-steps/s   batched floor "
            f"{1 / f:14,.0f} env-steps/s   ratio {batched_ratio[n_envs]:.2f}x"
        )
    cold, warm = compile_times["cold"], compile_times["warm"]
    print(
        f"  numba kernel, first step       cold cache {cold['first_step']:6.2f} s (compiles), "
        f"warm cache {warm['first_step']:5.2f} s (loads); then "
        f"{warm['second_step'] * 1e6:.0f} us, batched {warm['first_batched_step'] * 1e3:.1f} ms"
    )
    print(
        f"  import factorgym.envs          {cold['import']:6.2f} s cold, "
        f"{warm['import']:5.2f} s warm (numba's import included)"
    )


if __name__ == "__main__":
    main()

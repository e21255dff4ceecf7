"""The factor-timing environment: FactorTimingEnv, costs, impact, capacity, rewards, batched env."""

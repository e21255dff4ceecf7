"""Purged walk-forward splits, experiment configs, the runner and the results store (not built yet)."""

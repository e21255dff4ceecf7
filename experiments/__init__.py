"""Purged walk-forward splits, experiment configs, the runner and the results store.

Not built yet: this subpackage is reserved by the design card's layout.
"""

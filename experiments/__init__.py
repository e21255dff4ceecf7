"""Purged walk-forward splits, experiment configs, the runner and the results store.

Not built yet: this subpackage is reserved by the design card's layout.
"""

if __name__ != "factorgym.experiments":  # experiments/ is not a package of its own
    raise ImportError(f"import factorgym.experiments, not {__name__} (one import path per module)")

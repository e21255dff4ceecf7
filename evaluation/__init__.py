"""Metrics, statistical tests, reports and plots (not built yet)."""

if __name__ != "factorgym.evaluation":  # evaluation/ is not a package of its own
    raise ImportError(f"import factorgym.evaluation, not {__name__} (one import path per module)")

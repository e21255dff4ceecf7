"""Metrics, statistical tests, reports and plots (not built yet)."""

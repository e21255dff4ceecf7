"""Performance metrics and honest out-of-sample statistics of strategy returns, and the report.

Pure functions of return arrays (1-D, or 2-D of shape (n_months, n_strategies), or pandas);
``periods_per_year`` is explicit wherever a number is annualised. On top of them, the analysis
of a finished run (significance against 1/N with every trial counted, the verdict, robustness,
capacity, attribution, monitoring) and ``report.html`` (:func:`write_report`); those names are
imported on first use (they read the results store and draw with matplotlib).
"""

if __name__ != "factorgym.evaluation":  # evaluation/ is not a package of its own
    raise ImportError(f"import factorgym.evaluation, not {__name__} (one import path per module)")

from factorgym.evaluation.bootstrap import (
    BootstrapInterval,
    bootstrap_sharpe_ci,
    bootstrap_sharpe_difference_ci,
    stationary_block_size,
)
from factorgym.evaluation.deflated_sharpe import (
    DeflatedSharpeResult,
    deflated_sharpe_ratio,
    expected_max_sharpe,
    min_track_record_length,
    probabilistic_sharpe_ratio,
    psr_from_moments,
)
from factorgym.evaluation.drawdown import (
    calmar_ratio,
    drawdown_series,
    max_drawdown,
    max_drawdown_duration,
)
from factorgym.evaluation.metrics import (
    annualized_return,
    annualized_turnover,
    annualized_volatility,
    cost_drag,
    excess_kurtosis,
    expected_shortfall,
    hit_rate,
    information_ratio,
    sharpe_ratio,
    skewness,
    sortino_ratio,
    tracking_error,
    turnover_from_weights,
)
from factorgym.evaluation.multiple_testing import (
    adjust_pvalues,
    multiple_testing_table,
    passes_hlz_hurdle,
)
from factorgym.evaluation.newey_west import long_run_covariance, mean_return_test, newey_west_lags
from factorgym.evaluation.pbo import PBOResult, probability_of_backtest_overfitting
from factorgym.evaluation.performance_table import performance_table
from factorgym.evaluation.reality_check import RealityCheckResult, reality_check
from factorgym.evaluation.sharpe_difference import (
    SharpeDifferenceResult,
    jobson_korkie_test,
    ledoit_wolf_test,
)
from factorgym.evaluation.sharpe_inference import (
    autocorrelation_adjusted_sharpe,
    sharpe_standard_error,
)
from factorgym.evaluation.spanning import GRSResult, grs_test, spanning_regression

#: Names of the run-level analysis, imported on first use: name -> module.
_LAZY = {
    "DecisionRule": "verdict",
    "MonitoringThresholds": "monitoring",
    "RunView": "run_series",
    "SignificanceResult": "significance",
    "Verdict": "verdict",
    "analyze_run": "report",
    "assess_significance": "significance",
    "break_even": "robustness",
    "decide": "verdict",
    "drift_table": "monitoring",
    "level_summary": "robustness",
    "population_stability_index": "monitoring",
    "return_attribution": "attribution",
    "rolling_ratios": "monitoring",
    "run_view": "run_series",
    "subperiod_table": "robustness",
    "write_report": "report",
}


def __getattr__(name: str) -> object:
    """Import the run-level analysis only when asked for."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"factorgym.evaluation.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BootstrapInterval",
    "DecisionRule",
    "DeflatedSharpeResult",
    "GRSResult",
    "MonitoringThresholds",
    "PBOResult",
    "RealityCheckResult",
    "RunView",
    "SharpeDifferenceResult",
    "SignificanceResult",
    "Verdict",
    "adjust_pvalues",
    "analyze_run",
    "annualized_return",
    "annualized_turnover",
    "annualized_volatility",
    "assess_significance",
    "autocorrelation_adjusted_sharpe",
    "bootstrap_sharpe_ci",
    "bootstrap_sharpe_difference_ci",
    "break_even",
    "calmar_ratio",
    "cost_drag",
    "decide",
    "deflated_sharpe_ratio",
    "drawdown_series",
    "drift_table",
    "excess_kurtosis",
    "expected_max_sharpe",
    "expected_shortfall",
    "grs_test",
    "hit_rate",
    "information_ratio",
    "jobson_korkie_test",
    "ledoit_wolf_test",
    "level_summary",
    "long_run_covariance",
    "max_drawdown",
    "max_drawdown_duration",
    "mean_return_test",
    "min_track_record_length",
    "multiple_testing_table",
    "newey_west_lags",
    "passes_hlz_hurdle",
    "performance_table",
    "population_stability_index",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "psr_from_moments",
    "reality_check",
    "return_attribution",
    "rolling_ratios",
    "run_view",
    "sharpe_ratio",
    "sharpe_standard_error",
    "skewness",
    "sortino_ratio",
    "spanning_regression",
    "stationary_block_size",
    "subperiod_table",
    "tracking_error",
    "turnover_from_weights",
    "write_report",
]

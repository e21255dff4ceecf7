"""Performance metrics and honest out-of-sample statistics of strategy returns.

Pure functions of return arrays (1-D, or 2-D of shape (n_months, n_strategies), or pandas);
``periods_per_year`` is explicit wherever a number is annualised. Reports and plots come later.
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

__all__ = [
    "BootstrapInterval",
    "DeflatedSharpeResult",
    "GRSResult",
    "PBOResult",
    "RealityCheckResult",
    "SharpeDifferenceResult",
    "adjust_pvalues",
    "annualized_return",
    "annualized_turnover",
    "annualized_volatility",
    "autocorrelation_adjusted_sharpe",
    "bootstrap_sharpe_ci",
    "bootstrap_sharpe_difference_ci",
    "calmar_ratio",
    "cost_drag",
    "deflated_sharpe_ratio",
    "drawdown_series",
    "excess_kurtosis",
    "expected_max_sharpe",
    "expected_shortfall",
    "grs_test",
    "hit_rate",
    "information_ratio",
    "jobson_korkie_test",
    "ledoit_wolf_test",
    "long_run_covariance",
    "max_drawdown",
    "max_drawdown_duration",
    "mean_return_test",
    "min_track_record_length",
    "multiple_testing_table",
    "newey_west_lags",
    "passes_hlz_hurdle",
    "performance_table",
    "probabilistic_sharpe_ratio",
    "probability_of_backtest_overfitting",
    "psr_from_moments",
    "reality_check",
    "sharpe_ratio",
    "sharpe_standard_error",
    "skewness",
    "sortino_ratio",
    "spanning_regression",
    "stationary_block_size",
    "tracking_error",
    "turnover_from_weights",
]

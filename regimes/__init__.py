"""Walk-forward HMM regime features (filtered, never smoothed)."""

if __name__ != "factorgym.regimes":  # regimes/ is not a package of its own
    raise ImportError(f"import factorgym.regimes, not {__name__} (one import path per module)")

from factorgym.regimes.filtered_hmm import EMRun, FilteredGaussianHMM
from factorgym.regimes.forward_filter import forward_filter, gaussian_log_density
from factorgym.regimes.realized_vol import RealizedVolatility, realized_volatility
from factorgym.regimes.regime_features import RegimeFeatures
from factorgym.regimes.state_alignment import align_states, state_distance
from factorgym.regimes.turbulence import Turbulence, turbulence_index

__all__ = [
    "EMRun",
    "FilteredGaussianHMM",
    "RealizedVolatility",
    "RegimeFeatures",
    "Turbulence",
    "align_states",
    "forward_filter",
    "gaussian_log_density",
    "realized_volatility",
    "state_distance",
    "turbulence_index",
]

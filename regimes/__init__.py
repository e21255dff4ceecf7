"""Walk-forward HMM regime features (filtered, never smoothed)."""

"""Walk-forward supervised forecasts of next-month factor returns."""

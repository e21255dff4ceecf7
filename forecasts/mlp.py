"""A small, seeded, deterministic torch multilayer perceptron with the scikit-learn interface."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from factorgym._typing import FloatArray
from factorgym.errors import ConfigError, DataError, NotFittedError

__all__ = ["TorchMLPRegressor"]


class TorchMLPRegressor(RegressorMixin, BaseEstimator):
    """Multi-output MLP regressor trained full-batch with Adam on a ridge-penalised squared error.

    Determinism: the weights are initialised under ``torch.manual_seed(random_state)`` inside
    :func:`torch.random.fork_rng` (the caller's global RNG is left as it was), training is
    full-batch (no shuffling), only deterministic CPU kernels are used (linear layers, tanh,
    Adam, float64) and torch runs on ``n_threads`` intra-op threads while fitting and
    predicting (the previous setting is restored). Same data and seed give identical
    predictions.

    The loss is ``mean((f(X) - y)^2) + alpha * sum(W^2)`` over the weight matrices (biases are
    not penalised), in standardised target units: targets are standardised with the training
    mean and std (returns are ~0.04, too small for a default-initialised network). Features
    should be standardised by the caller (the model factory puts a ``StandardScaler`` first).

    Parameters
    ----------
    hidden_layer_sizes : sequence of int
        Width of each hidden layer.
    alpha : float
        L2 penalty on the weights, >= 0 (monthly returns are mostly noise: shrink hard).
    learning_rate : float
        Adam step size, > 0.
    max_epochs : int
        Number of full-batch steps, >= 1.
    random_state : int
        Seed of the weight initialisation.
    n_threads : int
        Torch intra-op threads during fit and predict, >= 1.

    Attributes
    ----------
    n_features_in_ : int
    n_outputs_ : int
    y_ndim_ : int
        1 if fitted on a 1-D ``y`` (then :meth:`predict` returns 1-D), else 2.
    y_mean_, y_scale_ : ndarray of shape (n_outputs,)
        Target standardisation fitted on the training samples.
    network_ : torch.nn.Sequential
        The trained network (CPU, float64).
    train_loss_ : float
        Final training MSE in standardised target units.
    """

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (16,),
        *,
        alpha: float = 0.1,
        learning_rate: float = 1e-2,
        max_epochs: int = 100,
        random_state: int = 0,
        n_threads: int = 1,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.random_state = random_state
        self.n_threads = n_threads

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validate_params(self) -> None:
        sizes = tuple(self.hidden_layer_sizes)
        if not sizes or any(not isinstance(h, (int, np.integer)) or h < 1 for h in sizes):
            raise ConfigError(
                f"`hidden_layer_sizes` must be a non-empty sequence of ints >= 1, "
                f"got {self.hidden_layer_sizes!r}"
            )
        if not self.alpha >= 0:
            raise ConfigError(f"`alpha` must be >= 0, got {self.alpha!r}")
        if not self.learning_rate > 0:
            raise ConfigError(f"`learning_rate` must be > 0, got {self.learning_rate!r}")
        if not isinstance(self.max_epochs, (int, np.integer)) or self.max_epochs < 1:
            raise ConfigError(f"`max_epochs` must be an int >= 1, got {self.max_epochs!r}")
        if not isinstance(self.n_threads, (int, np.integer)) or self.n_threads < 1:
            raise ConfigError(f"`n_threads` must be an int >= 1, got {self.n_threads!r}")

    def _network(self, n_in: int, n_out: int):
        import torch

        layers: list[torch.nn.Module] = []
        width = n_in
        for h in self.hidden_layer_sizes:
            layers += [torch.nn.Linear(width, int(h), dtype=torch.float64), torch.nn.Tanh()]
            width = int(h)
        layers.append(torch.nn.Linear(width, n_out, dtype=torch.float64))
        return torch.nn.Sequential(*layers)

    @staticmethod
    def _as_2d(name: str, values: object) -> FloatArray:
        arr = np.asarray(values, dtype=np.float64)
        if arr.ndim == 1 and name == "y":
            arr = arr[:, None]
        if arr.ndim != 2:
            raise DataError(f"`{name}` must be 2-D, got shape {arr.shape}")
        if not np.all(np.isfinite(arr)):
            raise DataError(f"`{name}` must be finite, got NaN or inf")
        return arr

    def fit(self, X: object, y: object) -> TorchMLPRegressor:
        """Train on ``X`` (n_samples, n_features) and ``y`` (n_samples, n_outputs) or (n_samples,).

        Raises
        ------
        ConfigError
            For invalid parameters.
        DataError
            For non-finite or mis-shaped inputs, or fewer than 2 samples.
        """
        import torch

        self._validate_params()
        x_arr = self._as_2d("X", X)
        y_arr = self._as_2d("y", y)
        if x_arr.shape[0] != y_arr.shape[0] or x_arr.shape[0] < 2:
            raise DataError(
                f"`X` and `y` must have the same number (>= 2) of rows, got {x_arr.shape[0]} "
                f"and {y_arr.shape[0]}"
            )
        y_mean = y_arr.mean(axis=0)
        y_scale = y_arr.std(axis=0)
        y_scale = np.where(y_scale > 0, y_scale, 1.0)
        threads = torch.get_num_threads()
        try:
            torch.set_num_threads(int(self.n_threads))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(int(self.random_state))
                net = self._network(x_arr.shape[1], y_arr.shape[1])
            xt = torch.from_numpy(x_arr)
            yt = torch.from_numpy((y_arr - y_mean) / y_scale)
            weights = [m.weight for m in net if isinstance(m, torch.nn.Linear)]
            opt = torch.optim.Adam(net.parameters(), lr=float(self.learning_rate))
            loss = torch.zeros(())
            for _ in range(int(self.max_epochs)):
                opt.zero_grad()
                loss = torch.mean((net(xt) - yt) ** 2)
                penalty = float(self.alpha) * sum(torch.sum(w**2) for w in weights)
                (loss + penalty).backward()
                opt.step()
        finally:
            torch.set_num_threads(threads)
        self.n_features_in_ = x_arr.shape[1]
        self.n_outputs_ = y_arr.shape[1]
        self.y_mean_ = y_mean
        self.y_scale_ = y_scale
        self.y_ndim_ = int(np.asarray(y).ndim)
        self.network_ = net.eval()
        self.train_loss_ = float(loss.detach())
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    def predict(self, X: object) -> FloatArray:
        """Predictions of shape (n_samples, n_outputs) (1-D if fitted on a 1-D ``y``).

        Raises
        ------
        NotFittedError
            Before :meth:`fit`.
        DataError
            For non-finite input or a wrong number of features.
        """
        import torch

        if not self.__sklearn_is_fitted__():
            raise NotFittedError("TorchMLPRegressor is not fitted yet; call `fit` first")
        x_arr = self._as_2d("X", X)
        if x_arr.shape[1] != self.n_features_in_:
            raise DataError(f"`X` must have {self.n_features_in_} features, got {x_arr.shape[1]}")
        threads = torch.get_num_threads()
        try:
            torch.set_num_threads(int(self.n_threads))
            with torch.no_grad():
                # one row at a time: a batched matmul may block the sums differently for
                # different batch sizes, and a forecast row must not depend on how many other
                # rows were predicted with it (a panel cut at t must give the same rows <= t)
                out = (
                    np.vstack(
                        [
                            self.network_(torch.from_numpy(x_arr[i : i + 1])).numpy()
                            for i in range(len(x_arr))
                        ]
                    )
                    if len(x_arr)
                    else np.empty((0, self.n_outputs_))
                )
        finally:
            torch.set_num_threads(threads)
        pred = out * self.y_scale_ + self.y_mean_
        return pred[:, 0] if self.y_ndim_ == 1 else pred

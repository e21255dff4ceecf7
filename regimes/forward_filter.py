"""The forward (filtering) recursion of a Gaussian hidden Markov model, in log space.

The filtered probability ``P(s_t = j | x_1..x_t)`` uses observations up to ``t`` only, so row ``t``
of a filtered matrix is unchanged when later observations are appended or altered. The *smoothed*
probability ``P(s_t = j | x_1..x_T)`` that hmmlearn's ``predict_proba`` returns (forward-backward)
uses ``x_{t+1}..x_T`` and must never be used as a point-in-time feature.

Reference: Rabiner (1989), "A tutorial on hidden Markov models and selected applications in speech
recognition", Proc. IEEE 77(2), eqs. (19)-(20) (the forward variable ``alpha``), normalised at each
step as in Hamilton (1994), *Time Series Analysis*, eqs. [22.4.5]-[22.4.6].
"""

from __future__ import annotations

import math

import numpy as np

from factorgym._typing import FloatArray

__all__ = ["forward_filter", "gaussian_log_density"]

_LOG_2PI = float(np.log(2.0 * np.pi))


def gaussian_log_density(x: FloatArray, means: FloatArray, covars: FloatArray) -> FloatArray:
    """Log density of every row of ``x`` under every state's multivariate normal.

    Each row is computed on its own (``numpy.einsum`` loops, no blocked BLAS product across
    rows), so the value for row ``t`` does not depend on the other rows, to the bit.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features)
        Observations.
    means : ndarray of shape (n_states, n_features)
        State means.
    covars : ndarray of shape (n_states, n_features, n_features)
        State covariance matrices (symmetric positive definite).

    Returns
    -------
    ndarray of shape (n_samples, n_states)
        ``log N(x_t; means[k], covars[k])``.

    Raises
    ------
    numpy.linalg.LinAlgError
        If a covariance matrix is not positive definite.
    """
    chol = np.linalg.cholesky(covars)  # (K, d, d), lower
    eye = np.broadcast_to(np.eye(means.shape[1]), covars.shape)
    chol_inv = np.linalg.solve(chol, eye)  # (K, d, d): L^{-1}
    log_det = 2.0 * np.log(np.diagonal(chol, axis1=1, axis2=2)).sum(axis=1)  # (K,)
    diff = x[:, None, :] - means[None, :, :]  # (n, K, d)
    white = np.einsum("kij,nkj->nki", chol_inv, diff)  # L^{-1} (x - mu)
    maha = np.einsum("nki,nki->nk", white, white)
    return -0.5 * (means.shape[1] * _LOG_2PI + log_det[None, :] + maha)


def forward_filter(
    startprob: FloatArray, transmat: FloatArray, log_emission: FloatArray
) -> tuple[FloatArray, float]:
    """Filtered state probabilities by the normalised forward recursion in log space.

    ``log a_0 = log pi + log b_0``, ``log a_t = log sum_i exp(log a_{t-1,i}) A_{ij} + log b_t``,
    each ``a_t`` normalised to sum to one; the log normalisers add up to the log-likelihood.
    The sum over previous states is a log-sum-exp with the maximum factored out, so the
    recursion neither underflows nor overflows whatever the scale of the emission densities.

    Parameters
    ----------
    startprob : ndarray of shape (n_states,)
        Distribution of the first state.
    transmat : ndarray of shape (n_states, n_states)
        ``transmat[i, j] = P(s_{t+1} = j | s_t = i)``.
    log_emission : ndarray of shape (n_samples, n_states)
        ``log p(x_t | s_t = j)``.

    Returns
    -------
    filtered : ndarray of shape (n_samples, n_states)
        ``P(s_t = j | x_1..x_t)``; row ``t`` depends on rows ``<= t`` of ``log_emission`` only.
    log_likelihood : float
        ``log p(x_1..x_T)``.
    """
    n, k = log_emission.shape
    out = np.empty((n, k))
    total = 0.0
    # log 0 = -inf for a zero start or transition probability is intended: that state is then
    # impossible at t, which log-space arithmetic carries through exactly.
    with np.errstate(divide="ignore"):
        log_alpha = np.log(startprob) + log_emission[0] if n else np.empty(0)
        for t in range(n):
            if t > 0:
                # log sum_i exp(log a_{t-1,i}) A_ij: a_{t-1} = out[t-1] is normalised, so its
                # largest entry is >= 1/k and the sum cannot underflow to log 0 for every j.
                log_alpha = np.log(out[t - 1] @ transmat) + log_emission[t]
            peak = log_alpha.max()
            scaled = np.exp(log_alpha - peak)
            norm = scaled.sum()
            out[t] = scaled / norm
            total += float(peak) + math.log(norm)
    return out, total

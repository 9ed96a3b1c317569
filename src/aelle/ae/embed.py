"""Two-dimensional embeddings of latent codes: PCA (fitted once, reused) and UMAP."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from aelle.ae.jit_cache import cache_umap_kernels


@dataclass(frozen=True)
class PCABasis:
    """A PCA basis fitted on training codes.

    Attributes:
        mean: ``(d,)`` training mean.
        components: ``(k, d)`` orthonormal rows; row 0 (PC1) is oriented so that PC1
            scores of the training codes correlate non-negatively with their loss.
        explained_variance_ratio: ``(k,)``.
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray

    def project(self, x: np.ndarray) -> np.ndarray:
        """Codes ``(B, d)`` -> scores ``(B, k)`` in the fixed basis."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.mean.shape[0]:
            raise ValueError(f"PCABasis.project: expected (B, {self.mean.shape[0]}), got {x.shape}")
        return (x - self.mean) @ self.components.T


def fit_pca(x: np.ndarray, loss: np.ndarray, n_components: int = 2) -> PCABasis:
    """Fit PCA on training codes ``(B, d)``; orient PC1 to grow with ``loss`` ``(B,)``."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError(f"fit_pca: need at least two codes (B, d), got {x.shape}")
    k = min(n_components, x.shape[1], x.shape[0])
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:k].copy()
    pc1 = (x - mean) @ components[0]
    rho = spearmanr(pc1, loss).statistic if np.ptp(pc1) > 0 and np.ptp(loss) > 0 else 0.0
    if rho < 0:
        components[0] *= -1
    var = s**2
    return PCABasis(
        mean=mean,
        components=components,
        explained_variance_ratio=var[:k] / var.sum() if var.sum() > 0 else var[:k],
    )


def fit_umap(
    x_fit: np.ndarray, x_all: np.ndarray, *, n_neighbors: int, min_dist: float, seed: int
) -> np.ndarray:
    """Fit a seeded 2-D UMAP on ``x_fit`` ``(B, d)`` and place ``x_all`` ``(N, d)`` in it."""
    import umap

    cache_umap_kernels()

    n_neighbors = min(n_neighbors, x_fit.shape[0] - 1)
    if n_neighbors < 2:
        raise ValueError(f"fit_umap: need at least 3 codes to fit, got {x_fit.shape[0]}")
    reducer = umap.UMAP(
        n_components=2, n_neighbors=n_neighbors, min_dist=min_dist, random_state=seed, n_jobs=1
    )
    reducer.fit(np.asarray(x_fit, dtype=np.float64))
    return reducer.transform(np.asarray(x_all, dtype=np.float64))

"""UMAP of latent codes is seeded: same seed, same layout.

umap-learn's numba compilation costs tens of CPU seconds; the check runs in a child
process with ``NUMBA_DISABLE_JIT=1``, which executes the same (pure-Python) code paths.
"""

import os
import subprocess
import sys

SCRIPT = """
import warnings
import numpy as np
from aelle.ae.embed import fit_umap
warnings.simplefilter("ignore")
x = np.random.default_rng(0).normal(size=(30, 6))
a = fit_umap(x[:20], x, n_neighbors=5, min_dist=0.1, seed=3)
b = fit_umap(x[:20], x, n_neighbors=5, min_dist=0.1, seed=3)
c = fit_umap(x[:20], x, n_neighbors=5, min_dist=0.1, seed=4)
assert a.shape == (30, 2) and np.isfinite(a).all()
assert np.array_equal(a, b)
assert not np.allclose(a, c)
try:
    fit_umap(x[:2], x, n_neighbors=5, min_dist=0.1, seed=3)
except ValueError as err:
    assert "at least 3 codes" in str(err)
else:
    raise AssertionError("two codes were accepted")
print("ok")
"""


def test_umap_is_seeded_and_places_every_code():
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_umap_kernels_use_numbas_disk_cache():
    """Every jitted kernel of umap and pynndescent caches its machine code on disk, so a
    second process loads it instead of compiling again; switching is idempotent."""
    import umap.umap_
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    from aelle.ae.jit_cache import cache_umap_kernels

    cache_umap_kernels()
    kernels = [v for v in vars(umap.umap_).values() if isinstance(v, CPUDispatcher)]
    assert len(kernels) > 5
    assert not any(isinstance(k._cache, NullCache) for k in kernels)
    assert cache_umap_kernels() == 0

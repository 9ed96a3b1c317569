"""UMAP's numba kernels compiled once per machine instead of once per process.

umap-learn and pynndescent compile most of their numba kernels without numba's on-disk
cache, so every process that embeds with UMAP spends about 9 s compiling before a fit that
takes a fraction of a second (the offline default runs 30 autoencoder jobs). With the cache
on, numba stores a kernel's machine code on first use, next to the package's sources or in
``NUMBA_CACHE_DIR``, and later processes load it. Numba keys the cache by source file,
its modification time and the argument types, so the numbers are those of a fresh
compilation, and an upgraded package compiles anew.
"""

from __future__ import annotations

import sys

from numba.core.caching import NullCache
from numba.core.registry import CPUDispatcher

PACKAGES = ("umap", "pynndescent")


def cache_umap_kernels() -> int:
    """Turn on numba's on-disk cache for every compiled kernel of umap and pynndescent.

    Returns how many kernels were switched (0 when they already were). Where no cache
    location is writable a kernel keeps compiling in each process, as before.
    """
    import umap  # noqa: F401  (imports every umap and pynndescent module UMAP uses)

    switched = 0
    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in PACKAGES:
            continue
        for value in list(vars(module).values()):
            # numba has no public switch after decoration: cache=True calls enable_caching()
            if isinstance(value, CPUDispatcher) and isinstance(value._cache, NullCache):
                try:
                    value.enable_caching()
                except RuntimeError:
                    continue
                switched += 1
    return switched

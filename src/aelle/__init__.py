"""aelle: Lyapunov spectra of recurrent-network populations and their AeLLE embedding.

Layers (each imports only those below it): ``data`` (task inputs), ``cells`` (stacked
recurrent maps with analytic Jacobians), ``models`` (populations and their training),
``lyapunov`` (spectrum engine), ``ae`` (autoencoder, embeddings, metrics), ``plots``.
"""

__version__ = "0.1.0"

"""AeLLE: assemble spectra, train the autoencoder, embed its latent code, score it.

Modules, one job each: ``assembly`` (fixed-length spectrum table), ``split`` (networks
into train / validation / test), ``autoencoder`` (model and its training), ``embed``
(PCA / UMAP of the latent code), ``baselines`` (scalar scores from spectra and
hyperparameters), ``metrics`` (threshold classifiers, k-NN, regression scores),
``bootstrap`` (confidence intervals), ``analyses`` (the paper's claims end to end),
``findings`` (each claim: AeLLE against its best baseline), ``summary`` (the Markdown
summary), ``steps`` (file-path entry points for the workflow).
"""

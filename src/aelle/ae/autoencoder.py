"""The AeLLE autoencoder (docs/method.md#autoencoder) and its training.

Architecture for spectra of length ``L``: encoder ``L -> L/8 -> L/16 -> latent`` with tanh
and dropout after each hidden layer, a linear latent layer, the mirrored decoder
``latent -> L/16 -> L/8 -> L`` and a linear head ``latent -> 1`` predicting the loss.
Inputs are standardised per exponent and targets standardised with training statistics;
both are stored in the model so that ``encode`` / ``predict_loss`` / ``decode_spectrum``
speak in the original units (exponents in bits or nats per step, loss in the task metric).
Training loss: ``L1(reconstruction) + alpha * MSE(prediction)``, alpha raised in stages.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn


class AeLLE(nn.Module):
    """Autoencoder with a loss-prediction head on its latent code.

    Args:
        length: spectrum length ``L`` (at least 16).
        latent: latent dimension.
        dropout: dropout probability after each hidden tanh layer.
    """

    def __init__(self, length: int, latent: int = 32, dropout: float = 0.1) -> None:
        super().__init__()
        if length < 16:
            raise ValueError(f"AeLLE: spectrum length must be at least 16, got {length}")
        h1, h2 = length // 8, length // 16
        self.length, self.latent = length, latent
        self.encoder = nn.Sequential(
            nn.Linear(length, h1),
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(h1, h2),
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(h2, latent),
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent, h2),
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(h2, h1),
            nn.Tanh(),
            nn.Dropout(dropout),
            nn.Linear(h1, length),
        )
        self.head = nn.Linear(latent, 1)
        self.register_buffer("x_mean", torch.zeros(length, dtype=torch.float64))
        self.register_buffer("x_std", torch.ones(length, dtype=torch.float64))
        self.register_buffer("y_mean", torch.zeros((), dtype=torch.float64))
        self.register_buffer("y_std", torch.ones((), dtype=torch.float64))

    def forward(self, x_std: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Standardised spectra ``(B, L)`` -> (latent ``(B, latent)``, reconstruction
        ``(B, L)``, standardised prediction ``(B,)``)."""
        z = self.encoder(x_std)
        return z, self.decoder(z), self.head(z).squeeze(-1)

    def standardise(self, spectra: np.ndarray) -> torch.Tensor:
        """Spectra ``(B, L)`` in log-base units -> standardised float32 tensor."""
        x = torch.as_tensor(np.asarray(spectra, dtype=np.float64))
        if x.ndim != 2 or x.shape[1] != self.length:
            raise ValueError(
                f"AeLLE expects spectra of shape (B, {self.length}), got {tuple(x.shape)}"
            )
        return ((x - self.x_mean) / self.x_std).float()

    @torch.no_grad()
    def encode(self, spectra: np.ndarray) -> np.ndarray:
        """Spectra ``(B, L)`` -> latent codes ``(B, latent)`` (eval mode, no dropout)."""
        self.eval()
        return self.encoder(self.standardise(spectra)).double().numpy()

    @torch.no_grad()
    def predict_from_latent(self, z: np.ndarray) -> np.ndarray:
        """Latent codes ``(B, latent)`` -> predicted loss ``(B,)`` in the task metric."""
        self.eval()
        y = self.head(torch.as_tensor(z, dtype=torch.float32)).squeeze(-1).double()
        return (y * self.y_std + self.y_mean).numpy()

    @torch.no_grad()
    def decode_spectrum(self, z: np.ndarray) -> np.ndarray:
        """Latent codes ``(B, latent)`` -> decoded spectra ``(B, L)`` in log-base units."""
        self.eval()
        x = self.decoder(torch.as_tensor(z, dtype=torch.float32)).double()
        return (x * self.x_std + self.x_mean).numpy()

    def predict_loss(self, spectra: np.ndarray) -> np.ndarray:
        """Spectra ``(B, L)`` -> predicted loss ``(B,)``."""
        return self.predict_from_latent(self.encode(spectra))

    def prediction_direction(self) -> np.ndarray:
        """Unit vector ``(latent,)`` in latent space along which the predicted loss grows."""
        w = self.head.weight.detach().double().numpy()[0]
        norm = np.linalg.norm(w)
        if norm == 0:
            raise ValueError("AeLLE prediction head has zero weight; no prediction direction")
        return w / norm


@dataclass
class TrainResult:
    """A trained model (best-validation weights loaded), its curves and best epoch."""

    model: AeLLE
    curves: pd.DataFrame
    best_epoch: int


def _check_xy(x: np.ndarray, y: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] == 0:
        raise ValueError(
            f"{what}: expected spectra (B, L) and losses (B,), got {x.shape} and {y.shape}"
        )
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{what}: spectra and losses must be finite (exclude flagged rows)")
    return x, y


@dataclass(frozen=True)
class TrainOptions:
    """How to train an :class:`AeLLE`, validated once.

    Attributes:
        latent: latent dimension (>= 1).
        dropout: dropout probability after each hidden tanh layer, in [0, 1).
        alpha_schedule: prediction-loss weight per stage (non-empty, each >= 0).
        epochs_per_stage: epochs of Adam per stage (>= 1).
        lr: Adam learning rate (> 0).
        batch_size: minibatch size in spectra (>= 1).
    """

    latent: int
    dropout: float
    alpha_schedule: tuple[float, ...]
    epochs_per_stage: int
    lr: float
    batch_size: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "alpha_schedule", tuple(float(a) for a in self.alpha_schedule))
        problems = {
            "latent": self.latent >= 1,
            "dropout": 0.0 <= self.dropout < 1.0,
            "alpha_schedule": bool(self.alpha_schedule) and min(self.alpha_schedule) >= 0,
            "epochs_per_stage": self.epochs_per_stage >= 1,
            "lr": self.lr > 0,
            "batch_size": self.batch_size >= 1,
        }
        for name, ok in problems.items():
            if not ok:
                raise ValueError(
                    f"aelle.{name}: invalid value {getattr(self, name)!r} "
                    "(latent, epochs_per_stage, batch_size >= 1; 0 <= dropout < 1; lr > 0; "
                    "alpha_schedule non-empty, each >= 0)"
                )

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> TrainOptions:
        """Options from the ``aelle:`` config section (keys named as the attributes)."""
        missing = [k for k in cls.__dataclass_fields__ if k not in cfg]
        if missing:
            raise ValueError(f"aelle: missing keys {missing}")
        return cls(
            latent=int(cfg["latent"]),
            dropout=float(cfg["dropout"]),
            alpha_schedule=tuple(cfg["alpha_schedule"]),
            epochs_per_stage=int(cfg["epochs_per_stage"]),
            lr=float(cfg["lr"]),
            batch_size=int(cfg["batch_size"]),
        )


def train_autoencoder(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_val: np.ndarray,
    y_val: np.ndarray,
    options: TrainOptions,
    seed: int,
) -> TrainResult:
    """Train an :class:`AeLLE` and keep the weights with the best validation prediction loss.

    Args:
        x_train, x_val: spectra ``(B, L)`` in log-base units (finite).
        y_train, y_val: losses ``(B,)`` in the task metric (finite).
        options: model size and schedule; each stage of ``options.alpha_schedule`` runs
            ``epochs_per_stage`` epochs of Adam at ``lr`` over shuffled minibatches.
        seed: seeds initialisation, dropout and shuffling.

    Returns:
        :class:`TrainResult` whose curves have one row per epoch: ``epoch, stage, alpha,
        train_recon, train_pred, val_recon, val_pred`` (L1 reconstruction and MSE
        prediction losses in standardised units; train values averaged over minibatches
        in training mode, validation values in eval mode).
    """
    x_train, y_train = _check_xy(x_train, y_train, "train_autoencoder (train)")
    x_val, y_val = _check_xy(x_val, y_val, "train_autoencoder (validation)")
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    model = AeLLE(x_train.shape[1], options.latent, options.dropout)
    x_std = x_train.std(axis=0)
    y_std = y_train.std()
    model.x_mean.copy_(torch.as_tensor(x_train.mean(axis=0)))
    model.x_std.copy_(torch.as_tensor(np.where(x_std > 1e-12, x_std, 1.0)))
    model.y_mean.fill_(float(y_train.mean()))
    model.y_std.fill_(float(y_std) if y_std > 1e-12 else 1.0)
    xt, xv = model.standardise(x_train), model.standardise(x_val)
    yt = ((torch.tensor(y_train) - model.y_mean) / model.y_std).float()
    yv = ((torch.tensor(y_val) - model.y_mean) / model.y_std).float()
    optimiser = torch.optim.Adam(model.parameters(), lr=options.lr, foreach=True)
    best_loss, best_state, best_epoch = float("inf"), copy.deepcopy(model.state_dict()), -1
    rows = []
    epoch = 0
    batch_size = options.batch_size
    for stage, alpha in enumerate(options.alpha_schedule):
        for _ in range(options.epochs_per_stage):
            model.train()
            recon_sum = pred_sum = 0.0
            order = torch.randperm(xt.shape[0], generator=generator)
            for start in range(0, xt.shape[0], batch_size):
                idx = order[start : start + batch_size]
                _, recon, pred = model(xt[idx])
                l_recon = nn.functional.l1_loss(recon, xt[idx])
                l_pred = nn.functional.mse_loss(pred, yt[idx])
                optimiser.zero_grad()
                (l_recon + alpha * l_pred).backward()
                optimiser.step()
                recon_sum += l_recon.item() * idx.shape[0]
                pred_sum += l_pred.item() * idx.shape[0]
            model.eval()
            with torch.no_grad():
                _, recon_v, pred_v = model(xv)
                v_recon = nn.functional.l1_loss(recon_v, xv).item()
                v_pred = nn.functional.mse_loss(pred_v, yv).item()
            rows.append(
                {
                    "epoch": epoch,
                    "stage": stage,
                    "alpha": float(alpha),
                    "train_recon": recon_sum / xt.shape[0],
                    "train_pred": pred_sum / xt.shape[0],
                    "val_recon": v_recon,
                    "val_pred": v_pred,
                }
            )
            if v_pred < best_loss:
                best_loss, best_state, best_epoch = v_pred, copy.deepcopy(model.state_dict()), epoch
            epoch += 1
    model.load_state_dict(best_state)
    model.eval()
    return TrainResult(model=model, curves=pd.DataFrame(rows), best_epoch=best_epoch)


def save_model(model: AeLLE, path: str) -> None:
    """Write weights and sizes as plain tensors / numbers (``weights_only`` loadable)."""
    torch.save(
        {
            "format": "aelle-autoencoder/1",
            "length": model.length,
            "latent": model.latent,
            "dropout": float(model.encoder[2].p),
            "state_dict": model.state_dict(),
        },
        path,
    )


def load_model(path: str) -> AeLLE:
    """Read a model written by :func:`save_model`."""
    blob = torch.load(path, weights_only=True)
    if blob.get("format") != "aelle-autoencoder/1":
        raise ValueError(f"{path}: not an aelle-autoencoder/1 file")
    model = AeLLE(blob["length"], blob["latent"], blob["dropout"])
    model.load_state_dict(blob["state_dict"])
    model.eval()
    return model

"""The AeLLE autoencoder: shapes, units, best-validation checkpoint, persistence."""

import numpy as np
import pytest
import torch

from aelle.ae.autoencoder import AeLLE, TrainOptions, load_model, save_model, train_autoencoder


def _data(n, length=32, seed=0):
    rng = np.random.default_rng(seed)
    hidden = rng.uniform(size=n)
    x = np.outer(hidden, np.linspace(1, -1, length)) + 0.05 * rng.normal(size=(n, length))
    return x, 100.0 + 10.0 * hidden


def _train(**overrides):
    x, y = _data(80)
    xv, yv = _data(20, seed=1)
    options = {
        "latent": 4,
        "dropout": 0.1,
        "alpha_schedule": [5, 20],
        "epochs_per_stage": 15,
        "lr": 1e-2,
        "batch_size": 16,
        **overrides,
    }
    return train_autoencoder(x, y, xv, yv, TrainOptions(**options), seed=0), (xv, yv)


def test_layer_sizes_follow_spec():
    model = AeLLE(256, latent=32, dropout=0.1)
    enc = [(m.in_features, m.out_features) for m in model.encoder if isinstance(m, torch.nn.Linear)]
    dec = [(m.in_features, m.out_features) for m in model.decoder if isinstance(m, torch.nn.Linear)]
    assert enc == [(256, 32), (32, 16), (16, 32)]
    assert dec == [(32, 16), (16, 32), (32, 256)]
    assert (model.head.in_features, model.head.out_features) == (32, 1)
    with pytest.raises(ValueError, match="at least 16"):
        AeLLE(8)


def test_kept_weights_are_the_best_validation_epoch_not_the_last():
    result, (xv, yv) = _train()
    curves = result.curves
    assert len(curves) == 30 and list(curves["alpha"].unique()) == [5.0, 20.0]
    assert result.best_epoch == int(curves["val_pred"].idxmin())
    assert result.best_epoch < len(curves) - 1
    model = result.model
    pred_std = (model.predict_loss(xv) - model.y_mean.item()) / model.y_std.item()
    val_pred = np.mean((pred_std - (yv - model.y_mean.item()) / model.y_std.item()) ** 2)
    assert val_pred == pytest.approx(curves["val_pred"].min(), rel=1e-4)
    assert val_pred < curves["val_pred"].iloc[-1]


def test_predictions_are_in_the_task_units_and_track_the_target():
    result, (xv, yv) = _train(epochs_per_stage=40)
    pred = result.model.predict_loss(xv)
    assert abs(pred.mean() - yv.mean()) < 1.5
    assert np.corrcoef(pred, yv)[0, 1] > 0.9


def test_prediction_direction_raises_predicted_loss_and_model_round_trips(tmp_path):
    result, (xv, _) = _train(epochs_per_stage=2)
    model = result.model
    z = model.encode(xv[:1])
    d = model.prediction_direction()
    steps = model.predict_from_latent(z + np.outer([-1.0, 0.0, 1.0], d))
    assert steps[0] < steps[1] < steps[2]
    assert model.decode_spectrum(z).shape == (1, 32)
    save_model(model, str(tmp_path / "m.pt"))
    loaded = load_model(str(tmp_path / "m.pt"))
    np.testing.assert_allclose(loaded.predict_loss(xv), model.predict_loss(xv))


def test_non_finite_training_data_is_refused():
    x, y = _data(10)
    x[3, 2] = np.nan
    with pytest.raises(ValueError, match="must be finite"):
        train_autoencoder(x, y, x, y, TrainOptions(2, 0.0, (1,), 1, 1e-3, 4), seed=0)


def test_options_come_from_the_config_and_bad_values_name_the_key():
    cfg = {
        "latent": 8,
        "dropout": 0.1,
        "alpha_schedule": [5, 10],
        "epochs_per_stage": 3,
        "lr": 1e-3,
        "batch_size": 32,
        "split": [0.7, 0.1, 0.2],
    }
    options = TrainOptions.from_config(cfg)
    assert options == TrainOptions(8, 0.1, (5.0, 10.0), 3, 1e-3, 32)
    for key, bad in [
        ("latent", 0),
        ("dropout", 1.0),
        ("alpha_schedule", []),
        ("epochs_per_stage", 0),
        ("lr", 0.0),
        ("batch_size", 0),
    ]:
        with pytest.raises(ValueError, match=f"aelle.{key}: invalid value"):
            TrainOptions.from_config({**cfg, key: bad})
    with pytest.raises(ValueError, match=r"missing keys \['lr'\]"):
        TrainOptions.from_config({k: v for k, v in cfg.items() if k != "lr"})

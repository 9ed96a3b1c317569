"""Every figure family renders from a small table; the index lists them."""

import matplotlib as mpl
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from aelle.plots import FAMILIES
from aelle.plots.embedding import (
    plot_aelle_pca_architecture,
    plot_aelle_pca_performance,
    plot_aelle_pca_size,
    plot_early_epochs,
    plot_novel_inputs,
    plot_umap,
)
from aelle.plots.index import FAMILY_TITLES, report_labels, write_index
from aelle.plots.model import plot_ae_training, plot_latent_perturbation, plot_predicted_vs_actual
from aelle.plots.population import (
    PROBABILITY_FLOOR,
    plot_convergence,
    plot_distributions,
    plot_loss_vs_hyperparameter,
    plot_spectra,
    plot_task_examples,
    probability_norm,
)
from aelle.plots.steps import convergence_figure, task_examples_figure
from aelle.plots.style import fmt_score, le_unit

RNG = np.random.default_rng(0)
N = 24
SCORE = {"value": 0.9, "low": 0.8, "high": 0.97}
NETS = pd.DataFrame(
    {
        "network_id": [f"t/lstm/h8/n{i:04d}" for i in range(N)],
        "arch": ["lstm", "gru", "rnn"] * (N // 3),
        "size": [8, 16] * (N // 2),
        "p": RNG.uniform(0.1, 3, N),
        "final_loss": RNG.uniform(0, 1, N),
        "pc1": RNG.normal(size=N),
        "pc2": RNG.normal(size=N),
        "umap1": RNG.normal(size=N),
        "umap2": RNG.normal(size=N),
        "epoch": [0, 5] * (N // 2),
        "input_set": ["val", "novel"] * (N // 2),
        "exponents": [list(np.sort(RNG.normal(size=16))[::-1]) for _ in range(N)],
    }
)
CURVES = pd.DataFrame(
    {
        "epoch": range(10),
        "stage": [0] * 5 + [1] * 5,
        "alpha": [5.0] * 5 + [10.0] * 5,
        "best_epoch": 7,
        **{
            c: np.linspace(1, 0.1, 10)
            for c in ("train_recon", "train_pred", "val_recon", "val_pred")
        },
    }
)

CASES = {
    "spectra": lambda s: plot_spectra(NETS, s, task="smnist", log_base=2.0, loss_threshold=0.5),
    "convergence": lambda s: plot_convergence(
        RNG.normal(size=(50, 4)).cumsum(0), s, task="smnist", log_base=np.e
    ),
    "task-examples": lambda s: plot_task_examples(
        {n: RNG.dirichlet(np.ones(6), size=20) for n in ("good", "middling", "bad")},
        s,
        task="charrnn",
        losses={"good": 1.2, "middling": 1.8, "bad": 3.0},
        target=RNG.integers(0, 6, 20),
        vocabulary=list("abcde "),
    ),
    "loss-vs-hyperparameter": lambda s: plot_loss_vs_hyperparameter(
        NETS, s, task="signal", loss_threshold=0.5
    ),
    "aelle-pca-performance": lambda s: plot_aelle_pca_performance(
        NETS, s, task="charrnn", loss_threshold=0.5, pc1_threshold=0.1, f1=SCORE
    ),
    "aelle-pca-size": lambda s: plot_aelle_pca_size(NETS, s, task="charrnn"),
    "aelle-pca-architecture": lambda s: plot_aelle_pca_architecture(
        NETS,
        {a: {"good_side": 0.3, "bad_side": 0.7} for a in ("lstm", "gru", "rnn")},
        s,
        task="smnist",
        pc1_threshold=0.0,
    ),
    "distributions": lambda s: plot_distributions(NETS, s, task="charrnn", loss_threshold=0.5),
    "predicted-vs-actual": lambda s: plot_predicted_vs_actual(
        pd.concat(
            [
                NETS.assign(method=m, predicted=NETS["final_loss"] + 0.1)
                for m in ("aelle", "max_le", "mean_le", "linreg", "raw_pca")
            ]
        ),
        {"aelle": {"spearman": SCORE, "r2": SCORE}},
        s,
        task="smnist",
    ),
    "early-epochs": lambda s: plot_early_epochs(
        NETS,
        {0: {"aelle": SCORE, "early_loss": 0.6}, 5: {"aelle": SCORE}},
        {0: 0.0, 5: 0.1},
        s,
        task="charrnn",
        loss_threshold=0.5,
    ),
    "ae-training": lambda s: plot_ae_training(
        pd.concat([CURVES.assign(model="epoch0"), CURVES.assign(model="epoch5")]), s, task="smnist"
    ),
    "latent-perturbation": lambda s: plot_latent_perturbation(
        pd.DataFrame(
            {
                "offset": [-1.0, 0.0, 1.0],
                "predicted_loss": [0.2, 0.5, 0.8],
                "spectrum": [list(np.linspace(1, -1, 32) + o) for o in (-0.1, 0, 0.1)],
            }
        ),
        s,
        task="smnist",
        log_base=2.0,
    ),
    "umap": lambda s: plot_umap(NETS, s, task="smnist", loss_threshold=0.5),
    "novel-inputs": lambda s: plot_novel_inputs(
        NETS, s, task="charrnn", loss_threshold=0.5, pc1_threshold=0.0, f1=SCORE
    ),
}


def test_every_family_has_a_case():
    assert set(CASES) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(CASES))
def test_family_renders_png_and_pdf(family, tmp_path):
    paths = CASES[family](tmp_path / "smnist" / family)
    assert [p.suffix for p in paths] == [".png", ".pdf"]
    image = mpimg.imread(paths[0])
    assert image.ndim == 3 and image.shape[0] > 100 and image.std() > 0
    assert paths[1].read_bytes().startswith(b"%PDF")


def test_signal_task_examples_and_bad_inputs(tmp_path):
    target = np.sin(np.linspace(0, 6, 100))
    paths = plot_task_examples(
        {"good": target + 0.01, "bad": 0 * target},
        tmp_path / "t",
        task="signal",
        losses={"good": 0.01, "bad": 0.6},
        target=target,
    )
    assert mpimg.imread(paths[0]).ndim == 3
    with pytest.raises(ValueError, match="no example figure for task 'smnist'"):
        plot_task_examples({}, tmp_path / "x", task="smnist", losses={}, target=target)
    with pytest.raises(ValueError, match="lacks column"):
        plot_umap(NETS.drop(columns="umap1"), tmp_path / "u", task="t", loss_threshold=0.5)


def test_units_and_score_labels():
    assert le_unit(2.0) == "bits per step" and le_unit(np.e) == "nats per step"
    assert fmt_score("F1", SCORE) == "F1 = 0.90 [0.80, 0.97]"
    assert fmt_score("F1", {"value": None}) == "F1 = n/a"


def test_index_lists_family_task_and_file(tmp_path):
    for name in ("spectra.png", "spectra.pdf", "early-epochs--early.png"):
        (tmp_path / "charrnn").mkdir(exist_ok=True)
        (tmp_path / "charrnn" / name).write_bytes(b"")
    rows = write_index(tmp_path, tmp_path / "INDEX.md")
    assert rows == [
        ("early-epochs", "charrnn", "charrnn/early-epochs--early.png"),
        ("spectra", "charrnn", "charrnn/spectra.png"),
    ]
    assert (
        "| spectra | charrnn | [charrnn/spectra.png](charrnn/spectra.png) |"
        in (tmp_path / "INDEX.md").read_text()
    )
    (tmp_path / "charrnn" / "mystery.png").write_bytes(b"")
    with pytest.raises(ValueError, match="figure family id"):
        write_index(tmp_path, tmp_path / "INDEX.md")


def test_file_steps_for_convergence_and_task_examples(tmp_path):
    np.save(tmp_path / "running.npy", RNG.normal(size=(30, 3)))
    assert (
        convergence_figure(tmp_path / "running.npy", tmp_path, task="charrnn", log_base=2.0)[0].name
        == "convergence.png"
    )
    target = np.sin(np.linspace(0, 6, 50))
    np.savez(
        tmp_path / "examples.npz",
        names=np.array(["good", "bad"]),
        losses=np.array([0.05, 0.4]),
        example_good=target,
        example_bad=0 * target,
        target=target,
        dt=np.array(0.1),
    )
    paths = task_examples_figure(tmp_path / "examples.npz", tmp_path, task="signal")
    assert mpimg.imread(paths[0]).ndim == 3


def test_shared_basis_panels_get_common_limits(tmp_path):
    from matplotlib.figure import Figure

    from aelle.plots.embedding import _share_limits

    left, right = Figure().subplots(1, 2)
    left.plot([0, 1], [0, 1])
    right.plot([5, 9], [-3, 2])
    _share_limits([left, right])
    assert left.get_xlim() == right.get_xlim()
    assert left.get_ylim() == right.get_ylim()
    assert left.get_xlim()[0] <= 0 and left.get_xlim()[1] >= 9
    assert left.get_ylim()[0] <= -3 and left.get_ylim()[1] >= 2
    shared = plot_early_epochs(
        NETS.assign(epoch=[0, 5] * (N // 2)),
        {0: {"aelle": SCORE}},
        {0: 0.0, 5: 0.1},
        tmp_path / "early",
        task="smnist",
        loss_threshold=0.5,
        shared_basis=True,
    )
    assert [p.suffix for p in shared] == [".png", ".pdf"]


def test_report_labels_give_each_figure_of_a_subcategory_its_own_row():
    assert set(FAMILY_TITLES) == set(FAMILIES)
    assert len(set(FAMILY_TITLES.values())) == len(FAMILIES)
    early = [report_labels(s) for s in ("ae-training--early--rnn", "early-epochs--early--rnn")]
    assert early == [
        {"figure": "autoencoder training curves"},
        {"figure": "AeLLE at early epochs"},
    ]
    with pytest.raises(ValueError, match="figure family id"):
        report_labels("mystery")


def test_next_character_probabilities_use_a_log_colour_scale():
    norm = probability_norm()
    # log10 from 1e-4 to 1: the uniform probability over 100 characters sits mid-way
    assert norm(0.01) == pytest.approx(0.5)
    assert norm(1.0) == pytest.approx(1.0)
    assert norm(PROBABILITY_FLOOR / 10) == pytest.approx(0.0)


def test_charrnn_heat_map_is_not_black_for_a_spread_softmax(tmp_path):
    vocabulary, steps = 60, 30
    probabilities = np.full((steps, vocabulary), 1 / vocabulary)
    target = np.arange(steps) % vocabulary
    (png, _) = plot_task_examples(
        {"good": probabilities},
        tmp_path / "t",
        task="charrnn",
        losses={"good": 4.1},
        target=target,
    )
    image = mpimg.imread(png)[..., :3]
    # magma's colour at the uniform 1/60 on the log scale, vs its near-black 1/60 on 0..1
    colour = np.array(mpl.colormaps["magma"](probability_norm()(1 / vocabulary))[:3])
    assert np.isclose(image, colour, atol=0.02).all(axis=-1).mean() > 0.2

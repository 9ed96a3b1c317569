"""Population summaries: the unigram entropy and the good networks against a reference."""

import math

import numpy as np
import pandas as pd
import pytest
import torch

from aelle.ae.populations import population_rows, populations_markdown, unigram_entropy


def test_unigram_entropy_of_known_distributions():
    # four equally frequent symbols: ln 4 nats
    assert unigram_entropy(torch.tensor([[0, 1], [2, 3]])) == pytest.approx(math.log(4))
    # frequencies 1/2, 1/4, 1/4: 1.5 bits = 1.5 ln 2 nats; unused codes do not count
    assert unigram_entropy(torch.tensor([5, 5, 7, 9])) == pytest.approx(1.5 * math.log(2))
    assert unigram_entropy(torch.tensor([3, 3, 3])) == 0.0
    with pytest.raises(ValueError, match="no symbols"):
        unigram_entropy(torch.tensor([], dtype=torch.int64))


def records(task, arch, losses, accuracy=None, *, final=3, status=None):
    """One population's records at epochs 0 and ``final``."""
    n = len(losses)
    rows = []
    for epoch, loss in ((0, [9.0] * n), (final, losses)):
        for i in range(n):
            rows.append(
                {
                    "task": task,
                    "arch": arch,
                    "size": 16,
                    "epoch": epoch,
                    "val_loss": loss[i],
                    "accuracy": np.nan if accuracy is None else accuracy[i],
                    "status": (status or ["ok"] * n)[i] if epoch else "ok",
                }
            )
    return pd.DataFrame(rows)


def test_good_networks_are_those_below_the_population_median_at_the_final_epoch():
    table = pd.concat(
        [
            # finite losses 0.2, 0.4, 1.0, 2.0, 2.2: median 1.0, good 0.2 and 0.4
            records(
                "smnist",
                "lstm",
                [0.2, 0.4, 1.0, 2.0, 2.2, np.nan],
                [0.95, 0.85, 0.6, 0.2, 0.1, 0.0],
                status=["ok"] * 5 + ["diverged"],
            ),
            records("charrnn", "gru", [2.0, 2.5, 3.0, 3.5], final=2),
        ]
    )
    rows = population_rows(table, {"charrnn": 3.25})
    assert rows == [
        {
            "task": "charrnn",
            "population": "gru h16",
            "epoch": "2",
            "networks (finite)": "4 (4)",
            "median loss": "2.750",
            "good: median loss": "2.250",
            "good: best loss": "2.000",
            "good: median accuracy": "–",
            "reference": "unigram entropy 3.250 nats",
        },
        {
            "task": "smnist",
            "population": "lstm h16",
            "epoch": "3",
            "networks (finite)": "6 (5)",
            "median loss": "1.000",
            "good: median loss": "0.300",
            "good: best loss": "0.200",
            "good: median accuracy": "0.900",
            "reference": "chance accuracy 0.10",
        },
    ]
    text = populations_markdown(table, {"charrnn": 3.25})
    assert text.startswith("## Populations: did the networks learn?")
    assert "| charrnn | gru h16 | 2 | 4 (4) |" in text

import math

import pandas as pd
import pytest

from aelle.models.examples import pick_examples


def records(losses, statuses=None, epoch=3):
    statuses = statuses or ["ok"] * len(losses)
    rows = []
    for i, (loss, status) in enumerate(zip(losses, statuses, strict=True)):
        rows.append({"network_id": f"t/a/h8/n{i:04d}", "epoch": 0, "val_loss": 9.0, "status": "ok"})
        rows.append(
            {"network_id": f"t/a/h8/n{i:04d}", "epoch": epoch, "val_loss": loss, "status": status}
        )
    return pd.DataFrame(rows)


def test_picks_best_median_and_worst_final_losses():
    picks = pick_examples(records([0.5, 2.0, 0.1, 1.0, 3.0]))
    assert {k: v["val_loss"] for k, v in picks.items()} == {
        "good": 0.1,
        "middling": 1.0,
        "bad": 3.0,
    }


def test_diverged_and_nonfinite_networks_are_never_examples():
    picks = pick_examples(
        records([0.5, math.nan, 0.1, 1.0, 99.0], ["ok", "ok", "ok", "ok", "diverged"])
    )
    assert picks["bad"]["val_loss"] == 1.0
    assert picks["good"]["val_loss"] == 0.1


def test_too_few_usable_networks_is_an_error():
    with pytest.raises(ValueError, match="found 2"):
        pick_examples(records([0.5, 1.0, math.nan]))

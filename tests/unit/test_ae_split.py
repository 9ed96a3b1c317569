"""Networks, not rows, are split; the split is seeded."""

import pandas as pd
import pytest

from aelle.ae.split import assign_split, split_networks


def _table(n=50, arch="gru", size=8):
    return pd.DataFrame(
        [
            {
                "network_id": f"t/{arch}/h{size}/n{i:04d}",
                "arch": arch,
                "size": size,
                "epoch": e,
                "input_set": s,
                "usable": not (i == 0 and e == 0),
            }
            for i in range(n)
            for e in (0, 1, 2, 5)
            for s in ("val", "novel")
        ]
        + [
            {
                "network_id": f"t/{arch}/h{size}/n9999",
                "arch": arch,
                "size": size,
                "epoch": 0,
                "input_set": "val",
                "usable": False,
            }
        ]
    )


def test_no_network_in_two_splits_across_epochs_and_input_sets():
    table = assign_split(_table(), (0.7, 0.1, 0.2), seed=3)
    per_network = table.groupby("network_id")["split"].nunique()
    assert (per_network == 1).all()
    counts = table.drop_duplicates("network_id")["split"].value_counts()
    assert (counts["train"], counts["val"], counts["test"], counts["excluded"]) == (35, 5, 10, 1)


def test_split_is_seeded_and_ignores_input_order():
    ids = [f"n{i}" for i in range(40)]
    a = split_networks(ids, (0.7, 0.1, 0.2), seed=1)
    assert a == split_networks(list(reversed(ids)), (0.7, 0.1, 0.2), seed=1)
    assert a != split_networks(ids, (0.7, 0.1, 0.2), seed=2)


def test_every_split_gets_a_network_and_bad_fractions_raise():
    assert set(split_networks(["a", "b", "c"], (0.9, 0.05, 0.05), seed=0).values()) == {
        "train",
        "val",
        "test",
    }
    with pytest.raises(ValueError, match="summing to 1"):
        split_networks(["a", "b", "c"], (0.5, 0.1, 0.1), seed=0)
    with pytest.raises(ValueError, match="at least 3 networks"):
        split_networks(["a", "b"], (0.7, 0.1, 0.2), seed=0)


def test_split_is_stratified_by_population():
    table = pd.concat([_table(4, "lstm", 8), _table(4, "lstm", 16), _table(40, "gru", 8)])
    table = assign_split(table, (0.5, 0.25, 0.25), seed=0)
    networks = table.drop_duplicates("network_id")
    for (arch, size), group in networks.loc[networks["split"] != "excluded"].groupby(
        ["arch", "size"]
    ):
        assert set(group["split"]) == {"train", "val", "test"}, (arch, size)


def test_population_too_small_to_split_is_named():
    with pytest.raises(ValueError, match="lstm h8: 2 usable networks"):
        assign_split(_table(2, "lstm", 8), (0.5, 0.25, 0.25), seed=0)

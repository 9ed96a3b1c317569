"""Assembly: resampling to one length and the join with training records."""

import numpy as np
import pandas as pd
import pytest

from aelle.ae.assembly import (
    assemble_table,
    exclusion_counts,
    resample,
    resample_linear,
    resample_midpoint,
    spectrum_matrix,
)


def test_midpoint_full_passes_insert_neighbour_means():
    # 3 -> 5 -> 9: every gap gets its midpoint each pass.
    x = np.array([4.0, 2.0, -2.0])
    np.testing.assert_allclose(resample_midpoint(x, 5), [4, 3, 2, 0, -2])
    np.testing.assert_allclose(resample_midpoint(x, 9), [4, 3.5, 3, 2.5, 2, 1, 0, -1, -2])


def test_midpoint_partial_pass_spreads_insertions_evenly():
    # 5 -> 7: two extra midpoints in gaps floor((k + 1/2) * 4 / 2) = 1 and 3.
    x = np.array([8.0, 6.0, 4.0, 2.0, 0.0])
    np.testing.assert_allclose(resample_midpoint(x, 7), [8, 6, 5, 4, 2, 1, 0])


@pytest.mark.parametrize("n", [1, 2, 7, 32, 64, 100, 128, 256])
@pytest.mark.parametrize("length", [256, 300])
def test_midpoint_any_length_keeps_originals_and_order(n, length):
    x = np.sort(np.random.default_rng(n).normal(size=n))[::-1]
    y = resample_midpoint(x, length)
    assert y.shape == (length,)
    assert np.all(np.diff(y) <= 1e-12)
    assert np.isin(x, y).all()


def test_midpoint_refuses_to_shorten():
    with pytest.raises(ValueError, match="use method='linear'"):
        resample_midpoint(np.zeros(10), 8)


def test_linear_resampling_known_values_and_shortening():
    np.testing.assert_allclose(resample_linear(np.array([0.0, 1.0]), 5), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(resample_linear(np.array([0.0, 1.0, 2.0, 3.0, 4.0]), 3), [0, 2, 4])


def test_resample_rejects_unknown_method():
    with pytest.raises(ValueError, match="unknown method 'cubic'"):
        resample(np.zeros(4), 8, "cubic")


def _tables():
    ids = [f"t/lstm/h2/n{i:04d}" for i in range(4)]
    records = pd.DataFrame(
        [
            {
                "network_id": nid,
                "p": 0.5 + i,
                "epoch": e,
                "val_loss": 10 * i + e,
                "status": "diverged" if (i == 2 and e == 2) else "ok",
            }
            for i, nid in enumerate(ids)
            for e in (0, 1, 2)
        ]
    )
    spectra = pd.DataFrame(
        [
            {
                "network_id": nid,
                "task": "t",
                "arch": "lstm",
                "size": 2,
                "index": i,
                "epoch": e,
                "input_set": "val",
                "status": "nonfinite" if (i == 3 and e == 0) else "ok",
                "log_base": 2.0,
                "exponents": [np.nan, 0.0, -1.0, -2.0]
                if (i == 3 and e == 0)
                else [1.0 + i, 0.0, -1.0, -3.0],
            }
            for i, nid in enumerate(ids)
            for e in (0, 2)
        ]
    )
    return spectra, records


def test_assembly_joins_final_and_early_losses_and_flags_failures():
    spectra, records = _tables()
    table = assemble_table(spectra, records, length=7, method="midpoint")
    assert len(table) == 8
    row = table.loc[(table["network_id"] == "t/lstm/h2/n0001") & (table["epoch"] == 0)].iloc[0]
    assert row["final_loss"] == 12 and row["epoch_loss"] == 10 and row["p"] == 1.5
    assert row["max_le"] == 2.0 and row["mean_le"] == pytest.approx(-0.5)
    np.testing.assert_allclose(row["spectrum"], [2, 1, 0, -0.5, -1, -2, -3])
    flagged = table.set_index(["network_id", "epoch"])["excluded"]
    assert flagged[("t/lstm/h2/n0002", 0)] == "diverged"
    assert flagged[("t/lstm/h2/n0003", 0)] == "nonfinite_spectrum"
    assert flagged[("t/lstm/h2/n0003", 2)] == ""
    assert table["usable"].sum() == 5
    assert np.isnan(spectrum_matrix(table.loc[~table["usable"]])[-1]).all()
    counts = exclusion_counts(table)
    assert counts == {
        "diverged": 1,
        "nonfinite_spectrum": 1,
        "nonfinite_loss": 0,
        "networks_total": 4,
        "networks_with_exclusion": 2,
    }


def test_missing_final_epoch_record_is_a_nonfinite_loss():
    spectra, records = _tables()
    records = records.loc[~((records["network_id"] == "t/lstm/h2/n0000") & (records["epoch"] == 2))]
    table = assemble_table(spectra, records, length=4, method="linear")
    assert set(table.loc[table["network_id"] == "t/lstm/h2/n0000", "excluded"]) == {
        "nonfinite_loss"
    }


def test_assembly_errors_name_the_problem():
    spectra, records = _tables()
    with pytest.raises(ValueError, match="lacks column"):
        assemble_table(spectra.drop(columns="exponents"), records, length=4, method="linear")
    with pytest.raises(ValueError, match="no training records"):
        assemble_table(spectra, records.iloc[3:], length=4, method="linear")
    with pytest.raises(ValueError, match="two rows for network"):
        assemble_table(pd.concat([spectra, spectra.iloc[:1]]), records, length=4, method="linear")

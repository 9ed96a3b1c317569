"""Seeds, initialisation, the stacked population module and checkpoints."""

from __future__ import annotations

import hashlib

import pytest
import torch
from torch import nn

from aelle.models import (
    Population,
    draw_p,
    load_checkpoint,
    network_id,
    network_seed,
    population_from_checkpoint,
    save_checkpoint,
)
from aelle.models.init import init_network
from aelle.models.seeds import generator

KINDS = ("rnn", "lstm", "gru", "asrnn", "cornn")


def test_network_seed_is_sha256_of_the_key():
    digest = hashlib.sha256(b"2022/smnist/lstm/64/7").digest()
    assert network_seed(2022, "smnist", "lstm", 64, 7) == int.from_bytes(digest[:8], "big") & (
        (1 << 63) - 1
    )
    assert network_seed(2022, "smnist", "lstm", 64, 8) != network_seed(
        2022, "smnist", "lstm", 64, 7
    )
    assert network_id("smnist", "lstm", 64, 7) == "smnist/lstm/h64/n0007"


def test_p_is_uniform_in_range_and_per_network():
    ps = [draw_p(network_seed(1, "t", "rnn", 8, i), (0.5, 2.0)) for i in range(400)]
    assert min(ps) >= 0.5 and max(ps) <= 2.0
    assert abs(sum(ps) / len(ps) - 1.25) < 0.06
    with pytest.raises(ValueError, match="p_range"):
        draw_p(1, (2.0, 1.0))


@pytest.mark.parametrize("kind", KINDS)
def test_init_weights_uniform_within_p_and_no_bias(kind):
    params, readout = init_network(kind, 3, 16, 5, 0.7, generator(1, "init"))
    assert not any(name.startswith("b") for name in params)
    for weight in params.values():
        assert weight.abs().max() <= 0.7 and weight.abs().max() > 0.6
        assert abs(weight.mean().item()) < 0.1
    assert readout["weight"].shape == (5, 16) and readout["bias"].shape == (5,)
    with_bias, _ = init_network(kind, 3, 16, 5, 0.7, generator(1, "init"), bias=True)
    assert any(name.startswith("b") for name in with_bias)


def test_population_members_do_not_depend_on_the_stack():
    seeds, ps = [11, 22, 33], [0.2, 0.5, 1.0]
    stacked = Population.create("gru", 4, 8, 3, seeds, ps)
    alone = Population.create("gru", 4, 8, 3, seeds[1:2], ps[1:2])
    for name, value in alone.cell_params.items():
        assert torch.equal(stacked.cell_params[name][1:2], value)
    x = torch.randn(1, 5, 6, 4)
    out_stacked = stacked.readout(stacked.run(x.expand(3, -1, -1, -1)))
    assert torch.allclose(out_stacked[1:2], alone.readout(alone.run(x)), atol=1e-6)


def test_population_lstm_matches_torch_lstm_and_linear():
    pop = Population.create("lstm", 3, 6, 2, [5], [0.4])
    lstm, linear = nn.LSTM(3, 6, bias=False, batch_first=True), nn.Linear(6, 2)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(pop.cell_params["weight_ih"][0])
        lstm.weight_hh_l0.copy_(pop.cell_params["weight_hh"][0])
        linear.weight.copy_(pop.readout_weight[0])
        linear.bias.copy_(pop.readout_bias[0])
    x = torch.randn(4, 7, 3)
    expected = linear(lstm(x)[0])
    assert torch.allclose(pop.readout(pop.run(x[None]))[0], expected, atol=1e-6)


@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_run_tokens_equals_run_on_one_hot_inputs_and_gradients(kind, bias):
    pop = Population.create(kind, 7, 5, 3, [1, 2], [0.6, 0.9], bias=bias).double()
    tokens = torch.randint(0, 7, (2, 4, 9), generator=torch.Generator().manual_seed(0))
    by_lookup = pop.run_tokens(tokens)
    by_matmul = pop.run(nn.functional.one_hot(tokens, 7).double())
    torch.testing.assert_close(by_lookup, by_matmul, atol=1e-14, rtol=0)
    grads = [
        torch.autograd.grad(out.square().sum(), list(pop.cell_params.values()))
        for out in (by_lookup, by_matmul)
    ]
    for lookup, matmul in zip(*grads, strict=True):
        torch.testing.assert_close(lookup, matmul, atol=1e-12, rtol=0)


def test_one_hot_table_rows_are_input_columns_plus_bias():
    pop = Population.create("gru", 4, 3, 2, [1, 2], [0.5, 0.5], bias=True)
    table = pop.cell.one_hot_table()
    weight, bias = pop.cell_params["weight_ih"], pop.cell_params["bias_ih"]
    assert table.shape == (2 * 4, 9)
    torch.testing.assert_close(table[1 * 4 + 2], weight[1, :, 2] + bias[1])


def test_run_tokens_rejects_out_of_range_or_float_codes():
    pop = Population.create("lstm", 5, 4, 2, [1], [0.5])
    with pytest.raises(ValueError, match=r"lie in \[0, 5\), got values in \[0, 5\]"):
        pop.run_tokens(torch.tensor([[[0, 5]]]))
    with pytest.raises(ValueError, match="int64 of shape"):
        pop.run_tokens(torch.zeros(1, 2, 3))
    with pytest.raises(ValueError, match="input term must have shape"):
        pop.cell.step_driven(torch.zeros(1, 2, 8), torch.zeros(1, 2, 5))


def test_force_cell_has_no_affine_input_term():
    from aelle.cells import make_cell

    params = {"J": torch.zeros(1, 3, 3), "w_f": torch.zeros(1, 3), "w_o": torch.zeros(1, 3)}
    with pytest.raises(NotImplementedError, match="force cell"):
        make_cell("force", params).one_hot_table()


def test_dropout_masks_keep_ninety_percent_per_network_generator():
    pop = Population.create("rnn", 2, 4, 2, [1, 2], [0.1, 0.1])
    masks = pop.dropout_masks((500, 40), [generator(1, "d"), generator(2, "d")])
    assert masks.shape == (2, 500, 40) and masks.dtype == torch.bool
    assert abs(masks.float().mean().item() - 0.9) < 0.01
    again = pop.dropout_masks((500, 40), [generator(2, "d")])
    assert torch.equal(again[0], masks[1])
    features = torch.ones(2, 500, 4)
    dropped = pop.readout(features, masks[..., :4])
    by_hand = pop.readout(masks[..., :4].float() / 0.9)
    torch.testing.assert_close(dropped, by_hand)


def test_checkpoint_round_trip_weights_only(tmp_path):
    pop = Population.create("cornn", 2, 5, 3, [1, 2], [0.3, 0.6])
    path = tmp_path / "epoch0.pt"
    save_checkpoint(
        path,
        task="smnist",
        arch="cornn",
        kind="cornn",
        epoch=0,
        input_size=2,
        hidden_size=5,
        output_size=3,
        network_ids=["a", "b"],
        indices=torch.tensor([0, 1]),
        seeds=torch.tensor([1, 2]),
        p=torch.tensor([0.3, 0.6], dtype=torch.float64),
        cell_params={k: v.detach() for k, v in pop.cell_params.items()},
        cell_options=pop.cell_options,
        readout={"weight": pop.readout_weight.detach(), "bias": pop.readout_bias.detach()},
    )
    loaded = load_checkpoint(path)
    assert loaded["format"] == "aelle-population/1" and loaded["cell_options"]["gamma"] == 2.7
    again = population_from_checkpoint(loaded)
    x = torch.randn(2, 3, 4, 2)
    assert torch.equal(again.run(x), pop.run(x))
    with pytest.raises(ValueError, match="missing fields"):
        save_checkpoint(tmp_path / "bad.pt", task="smnist")

"""lib.course.gradient_flow (gradient norms through time), and the figures of chapters 1-2
(lib.course.memory and lib.course.gradient_plots).

The per-step gradients are checked three ways: against the sequence model's own
backward (its dhx is dL/dh_0), against PyTorch's autograd on the same weights, and by
the behaviour chapter 2 describes (vanishing below weight scale 1, growing above it,
an open keep gate preserving the gradient).
"""

import matplotlib
import numpy as np
import pytest
import torch

import lib

matplotlib.use("Agg")

from lib.course import gradient_flow as gf  # noqa: E402

T, B, D, H = 12, 3, 4, 6


def random_input(seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((T, B, D)), rng.standard_normal(H)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_first_state_gradient_matches_the_models_backward(kind):
    model = gf.make_model(kind, hidden_size=H, weight_scale=1.3, input_size=D, seed=3)
    x, u = random_input()
    grads = gf.hidden_state_gradients(model, x, u)
    assert grads.shape == (T + 1, B, H)
    np.testing.assert_allclose(grads[T], np.broadcast_to(u, (B, H)))
    model(x)
    dout = np.zeros((T, B, H))
    dout[-1] = u
    _, dhx = model.backward(dout)
    dh0 = dhx[0] if kind == "lstm" else dhx
    np.testing.assert_allclose(grads[0], dh0[0], rtol=1e-10, atol=1e-12)


def torch_state_gradients(kind, model, x, u):
    """dL/dh_t (and dL/dc_t for an LSTM) from torch autograd, a torch cell stepped by hand."""
    cell_class = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}
    cell = cell_class[kind](D, H, dtype=torch.float64)
    state = {k.removesuffix("_l0"): torch.tensor(v) for k, v in model.state_dict().items()}
    cell.load_state_dict(state)
    h = torch.zeros(B, H, dtype=torch.float64, requires_grad=True)
    c = torch.zeros(B, H, dtype=torch.float64, requires_grad=True)
    hs, cs = [h], [c]
    for t in range(T):
        if kind == "lstm":
            h, c = cell(torch.tensor(x[t]), (h, c))
            c.retain_grad()
            cs.append(c)
        else:
            h = cell(torch.tensor(x[t]), h)
        h.retain_grad()
        hs.append(h)
    (h @ torch.tensor(u)).sum().backward()
    found = {"h": np.stack([s.grad.numpy() for s in hs])}
    if kind == "lstm":
        found["c"] = np.stack([s.grad.numpy() for s in cs])
    return found


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_every_step_matches_torch_autograd(kind):
    keep = None if kind == "rnn" else 2.0
    model = gf.make_model(kind, hidden_size=H, weight_scale=0.9, keep_bias=keep, input_size=D)
    x, u = random_input(1)
    expected = torch_state_gradients(kind, model, x, u)
    found = gf.state_gradients(model, x, u)
    assert set(found) == set(expected)
    for name in expected:  # dL/dh_t, and for the LSTM dL/dc_t as well
        np.testing.assert_allclose(found[name], expected[name], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(gf.hidden_state_gradients(model, x, u), expected["h"])


def test_the_belt_carries_the_cell_gradient_back_through_the_forget_gates():
    """dL/dc_{t-1} = f_t * dL/dc_t + (the part through h_{t-1}), step by step."""
    model = gf.make_model("lstm", hidden_size=H, keep_bias=3.0, input_size=D, seed=2)
    x, u = random_input(2)
    grads = gf.state_gradients(model, x, u)
    weights = {k.removesuffix("_l0"): v for k, v in model.state_dict().items()}
    h, c = np.zeros((B, H)), np.zeros((B, H))
    steps = []
    for t in range(T):
        steps.append(lib.functional.lstm_step(x[t], h, c, **weights))
        h, c = steps[-1].h, steps[-1].c
    for t in range(1, T):
        now, before = steps[t], steps[t - 1]  # step t + 1 and step t, 0-based
        through_h = grads["h"][t] * before.o * (1 - np.tanh(before.c) ** 2)
        np.testing.assert_allclose(
            grads["c"][t], now.f * grads["c"][t + 1] + through_h, rtol=1e-10, atol=1e-14
        )


def test_the_forget_gates_are_the_belts_one_step_jacobian():
    """c_{t+1} moves by f_{t+1} * eps when c_t moves by eps and h_t stays."""
    model = gf.make_model("lstm", hidden_size=H, keep_bias=1.0, input_size=D, seed=4)
    x, _ = random_input(4)
    gates = gf.forget_gates(model, x)
    assert gates.shape == (T, B, H)
    weights = {k.removesuffix("_l0"): v for k, v in model.state_dict().items()}
    h, c = np.zeros((B, H)), np.zeros((B, H))
    eps = 1e-6
    for t in range(T):
        moved = lib.functional.lstm_step(x[t], h, c + eps, **weights).c
        step = lib.functional.lstm_step(x[t], h, c, **weights)
        np.testing.assert_allclose((moved - step.c) / eps, gates[t], rtol=1e-6)
        h, c = step.h, step.c


def test_the_belt_factor_is_the_product_of_the_forget_gates():
    constant = gf.make_model("lstm", hidden_size=H, keep_bias=4.0, input_size=D)
    for name in ("weight_ih_l0", "weight_hh_l0"):
        constant.params[name][H : 2 * H] = 0.0  # the forget gate ignores x and h
    x, _ = random_input(3)
    np.testing.assert_allclose(gf.forget_gates(constant, x), 1 / (1 + np.exp(-4.0)))
    belt = gf.belt_factor(hidden_size=16, keep_bias=4.0, seq_len=50)
    assert belt.shape == (51,) and belt[0] == 1.0
    assert np.all(np.diff(belt) < 0)  # each gate is below 1
    assert 0.1 < belt[50] < 0.7  # sigma(4)^50 = 0.40 if every gate sat at sigma(4)


def test_the_hidden_state_leaves_the_belt_through_the_gates():
    belt = gf.gradient_flow("lstm", hidden_size=16, keep_bias=4.0, seq_len=50, state="c")
    hidden = gf.gradient_flow("lstm", hidden_size=16, keep_bias=4.0, seq_len=50)
    assert belt.shape == hidden.shape == (51,)
    assert belt[0] < 1.0  # the loss reads c_T only through h_T = o_T tanh(c_T)
    assert hidden[1] < 0.5 * hidden[0]  # h_{T-1} reaches the loss only through W_hh
    assert belt[50] > 0.2 * belt[0]  # ... while the belt keeps its gradient


def test_recurrent_blocks_have_the_requested_singular_values():
    model = gf.make_model("lstm", hidden_size=H, weight_scale=0.7)
    weight = model.params["weight_hh_l0"]
    for block in range(4):
        singular = np.linalg.svd(weight[block * H : (block + 1) * H], compute_uv=False)
        np.testing.assert_allclose(singular, 0.7, rtol=1e-12)


def test_rnn_gradient_vanishes_below_one_and_grows_above():
    small = gf.gradient_flow("rnn", weight_scale=0.5, seq_len=30)
    assert small.shape == (31,)
    assert small[0] == pytest.approx(1.0)
    assert small[30] < 1e-3 * small[1]
    large = gf.gradient_flow("rnn", weight_scale=2.0, seq_len=30)
    assert large[30] > 10 * large[1]


def test_an_open_keep_gate_preserves_the_gradient():
    rnn = gf.gradient_flow("rnn", weight_scale=1.0, seq_len=30)
    lstm = gf.gradient_flow("lstm", weight_scale=1.0, keep_bias=4.0, seq_len=30)
    closed = gf.gradient_flow("lstm", weight_scale=1.0, keep_bias=-2.0, seq_len=30)
    gru = gf.gradient_flow("gru", weight_scale=1.0, keep_bias=4.0, seq_len=30)
    assert lstm[30] > 10 * rnn[30]
    assert lstm[30] > 1e6 * closed[30]
    assert gru[30] > 0.3  # sigma(4)^30 = 0.58 of the gradient survives 30 steps


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="no gate"):
        gf.make_model("rnn", keep_bias=1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        gf.gradient_flow("transformer")
    model = gf.make_model("gru", hidden_size=H, input_size=D)
    with pytest.raises(ValueError, match=r"\(T, B, 4\)"):
        gf.hidden_state_gradients(model, np.zeros((T, D)), np.zeros(H))
    with pytest.raises(TypeError, match="lib RNN, LSTM or GRU"):
        gf.hidden_state_gradients(object(), np.zeros((T, B, D)), np.zeros(H))
    with pytest.raises(ValueError, match="only an LSTM has a cell state"):
        gf.gradient_flow("gru", state="c")
    with pytest.raises(ValueError, match='state must be "h" or "c"'):
        gf.gradient_flow("lstm", state="cell")
    with pytest.raises(TypeError, match="lib LSTM"):
        gf.forget_gates(model, np.zeros((T, B, D)))


def test_pulse_response_fades_below_one_and_latches_above():
    from lib.course import memory

    x, h = memory.pulse_response(0.5, pulse=1.0, steps=10)
    assert x[0] == 1.0 and not x[1:].any()
    assert h[0] == pytest.approx(np.tanh(1.0))
    assert h[1] == pytest.approx(np.tanh(0.5 * np.tanh(1.0)))
    assert abs(h[-1]) < 2e-3  # about 0.5^9 of h_1
    _, latched = memory.pulse_response(2.0, pulse=1.0, steps=30)
    assert latched[-1] == pytest.approx(0.957, abs=1e-3)  # the fixed point of tanh(2h)


def test_chapter_plots_return_figures():
    import matplotlib.pyplot as plt

    from lib.course import gradient_plots as plots
    from lib.course import memory

    figures = [
        memory.plot_repeated_multiplication([0.1, -0.4], factor=3.0, steps=4),
        memory.plot_forecast(np.arange(30.0), 10, np.arange(24.0), window=6),
        memory.plot_memory_span([2, 5], {"RNN": [[1.0, 0.9], [0.6, 0.3]]}, chance=0.25),
        plots.plot_sigmoid_and_slope(),
        plots.draw_bptt_chain(steps=3),
        plots.plot_shrinking_product(0.3, steps=4),
        plots.plot_gradient_flow({"RNN": gf.gradient_flow("rnn", seq_len=5)}, title="t"),
        plots.plot_clipping(
            {
                "a": [{"loss": [1.0, 1e9], "grad_norm": [2.0, 1e5]}],
                "b": [{"loss": [1, 1, 1], "grad_norm": [2.0, 3.0, 1.0]}] * 2,
            },
            max_norm=1.0,
            updates=3,
        ),
    ]
    for figure in figures:
        assert isinstance(figure, plt.Figure)
        plt.close(figure)

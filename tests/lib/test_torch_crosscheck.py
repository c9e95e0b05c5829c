"""lib.RNN / LSTM / GRU against torch.nn.RNN / LSTM / GRU: outputs, states and gradients.

Every combination of layers, directions, batch layout, initial state, bias and dtype
is run with torch's weights copied into the lib module; the forward values, the input
and initial-state gradients and every parameter gradient must agree.
"""

import itertools

import numpy as np
import pytest
import torch

from lib.gradcheck import gradcheck

pytestmark = pytest.mark.usefixtures("no_onednn")
T, B, D, H = 5, 3, 4, 6
KINDS = [
    pytest.param("RNN", {"nonlinearity": "tanh"}, id="rnn_tanh"),
    pytest.param("RNN", {"nonlinearity": "relu"}, id="rnn_relu"),
    pytest.param("LSTM", {}, id="lstm"),
    pytest.param("GRU", {}, id="gru"),
]


def initial_state(kind, shape, rng, dtype):
    """(h0, c0) for an LSTM, else h0, drawn from ``rng``."""
    count = 2 if kind == "LSTM" else 1
    states = tuple(rng.standard_normal(shape).astype(dtype) for _ in range(count))
    return states if kind == "LSTM" else states[0]


def state_struct(kind, arrays):
    """The lib calling convention for a flat list of state arrays."""
    return tuple(arrays) if kind == "LSTM" else arrays[0]


def compare(kind, reference, module, x, hx, rng, dtype, tools, to_lib=lambda value: value):
    """Forward and backward both modules on the same data and compare everything.

    to_lib moves NumPy inputs to the backend under test (the identity on NumPy).
    """
    build_flatten, torch_run, assert_close, assert_grads_close = tools
    result = module(to_lib(x), to_lib(hx))
    outputs = build_flatten(result)
    assert all(o.dtype == np.dtype(dtype) for o in outputs), [o.dtype for o in outputs]
    cotangents = [rng.standard_normal(o.shape).astype(dtype) for o in outputs]
    expected, dx_ref, dhx_ref, grads_ref = torch_run(reference, x, hx, cotangents)
    names = ["out", "h_n", "c_n"][: len(outputs)]
    for name, got, want in zip(names, outputs, expected, strict=True):
        assert_close(got, want, dtype, name)

    dx, dhx = module.backward(
        to_lib(cotangents[0]), state_struct(kind, [to_lib(c) for c in cotangents[1:]])
    )
    assert_close(dx, dx_ref, dtype, "dx")
    if hx is not None:
        for name, got, want in zip(
            ["dh0", "dc0"][: len(dhx_ref)], build_flatten(dhx), dhx_ref, strict=True
        ):
            assert_close(got, want, dtype, name)
    assert_grads_close(module.grads, grads_ref, dtype)


@pytest.fixture
def tools(flatten, torch_run, assert_close, assert_grads_close):
    return flatten, torch_run, assert_close, assert_grads_close


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("given_state", [True, False], ids=["hx", "nohx"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["seqfirst", "batchfirst"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2, 3], ids=["L1", "L2", "L3"])
@pytest.mark.parametrize("kind, extra", KINDS)
def test_matches_torch(
    to_lib,
    build_pair,
    tools,
    rng,
    kind,
    extra,
    num_layers,
    bidirectional,
    batch_first,
    given_state,
    bias,
    dtype,
):
    reference, module = build_pair(
        kind, D, H, dtype, num_layers=num_layers, bidirectional=bidirectional,
        batch_first=batch_first, bias=bias, **extra,
    )  # fmt: skip
    x = rng.standard_normal((B, T, D) if batch_first else (T, B, D)).astype(dtype)
    state_shape = (num_layers * (2 if bidirectional else 1), B, H)
    hx = initial_state(kind, state_shape, rng, dtype) if given_state else None
    compare(kind, reference, module, x, hx, rng, dtype, tools, to_lib)


@pytest.mark.parametrize("kind, extra", KINDS)
def test_unbatched_input_matches_torch(build_pair, tools, rng, kind, extra):
    reference, module = build_pair(kind, D, H, "float64", num_layers=2, bidirectional=True, **extra)
    x = rng.standard_normal((T, D))
    hx = initial_state(kind, (4, H), rng, "float64")
    compare(kind, reference, module, x, hx, rng, "float64", tools)
    out, _ = module(x)
    assert out.shape == (T, 2 * H)


@pytest.mark.parametrize("kind, extra", KINDS)
def test_forward_is_call(build_pair, rng, kind, extra):
    _, module = build_pair(kind, D, H, "float64", num_layers=2, **extra)
    x = rng.standard_normal((T, B, D))
    out_call, _ = module(x)
    out_forward, _ = module.forward(x)
    np.testing.assert_array_equal(out_call, out_forward)


@pytest.mark.parametrize("kind, extra", KINDS)
def test_backward_none_means_zeros(build_pair, flatten, assert_close, rng, kind, extra):
    """dout=None and dh_n=None (or one of (dh, dc)) act as zero gradients."""
    _, module = build_pair(kind, D, H, "float64", num_layers=2, bidirectional=True, **extra)
    x = rng.standard_normal((T, B, D))
    out, state = module(x)
    states = flatten(state)
    dout = rng.standard_normal(out.shape)
    dstates = [rng.standard_normal(s.shape) for s in states]
    zeros = [np.zeros(s.shape) for s in states]

    def run(dout_arg, dstate_arg):
        dx, dhx = module.backward(dout_arg, dstate_arg)
        return [dx, *flatten(dhx)], dict(module.grads)

    cases = [
        (run(dout, None), run(dout, state_struct(kind, zeros))),
        (
            run(None, state_struct(kind, dstates)),
            run(np.zeros(out.shape), state_struct(kind, dstates)),
        ),
    ]
    if kind == "LSTM":
        cases.append((run(dout, (dstates[0], None)), run(dout, (dstates[0], zeros[1]))))
        cases.append((run(dout, (None, dstates[1])), run(dout, (zeros[0], dstates[1]))))
    for (got, got_grads), (want, want_grads) in cases:
        for a, b in zip(got, want, strict=True):
            assert_close(a, b, "float64", "input/state gradient")
        for key in want_grads:
            assert_close(got_grads[key], want_grads[key], "float64", key)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("kind, extra", KINDS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_state_dict_round_trip(
    lib_class, flatten, assert_close, rng, kind, extra, bidirectional, bias
):
    """lib's own initial weights loaded into torch give torch the same outputs."""
    kwargs = dict(num_layers=2, bidirectional=bidirectional, bias=bias, **extra)
    module = lib_class(kind)(D, H, dtype="float64", seed=7, **kwargs)
    reference = getattr(torch.nn, kind)(D, H, dtype=torch.float64, **kwargs)
    reference.load_state_dict({k: torch.from_numpy(v) for k, v in module.state_dict().items()})
    x = rng.standard_normal((T, B, D))
    out, state = module(x)
    with torch.no_grad():
        out_ref, state_ref = reference(torch.from_numpy(x))
    assert_close(out, out_ref, "float64", "out")
    for got, want in zip(flatten(state), flatten(state_ref), strict=True):
        assert_close(got, want, "float64", "state")


@pytest.mark.parametrize("kind, extra", KINDS)
@pytest.mark.parametrize(
    "num_layers, bidirectional, bias", list(itertools.product([1, 3], [False, True], [True, False]))
)
def test_state_dict_keys_shapes_and_init(lib_class, kind, extra, num_layers, bidirectional, bias):
    kwargs = dict(num_layers=num_layers, bidirectional=bidirectional, bias=bias, **extra)
    module = lib_class(kind)(D, H, dtype="float32", seed=3, **kwargs)
    reference = getattr(torch.nn, kind)(D, H, **kwargs)
    state = module.state_dict()
    expected = {k: tuple(v.shape) for k, v in reference.state_dict().items()}
    assert list(state) == list(expected), "keys (and their order) should match torch"
    assert {k: tuple(v.shape) for k, v in state.items()} == expected
    assert set(module.params) == set(expected)
    bound = 1 / np.sqrt(H)
    for key, value in state.items():
        assert value.dtype == np.float32, key
        assert np.all(np.abs(value) <= bound), f"{key} outside uniform(-1/sqrt(H), 1/sqrt(H))"
        assert np.std(value) > 0.2 * bound, f"{key} looks not randomly initialised"
    again = lib_class(kind)(D, H, dtype="float32", seed=3, **kwargs).state_dict()
    for key in state:
        np.testing.assert_array_equal(
            state[key], again[key], err_msg=f"seed=3 not reproducible: {key}"
        )
    assert module.num_parameters() == sum(p.numel() for p in reference.parameters())


@pytest.mark.parametrize("kind, extra", KINDS)
def test_attributes(lib_class, kind, extra):
    module = lib_class(kind)(
        D, H, num_layers=2, bidirectional=True, batch_first=True, dtype="float64", **extra
    )
    assert (module.input_size, module.hidden_size, module.num_layers) == (D, H, 2)
    assert module.bidirectional is True and module.batch_first is True
    assert module.num_directions == 2 and module.dtype == "float64"


@pytest.mark.parametrize("bidirectional", [False, True])
def test_peephole_lstm_finite_differences(lib_class, flatten, bidirectional):
    """LSTM(peephole=True) has no torch twin: its gradients are checked numerically."""
    rng = np.random.default_rng(5)
    module = lib_class("LSTM")(
        3, 3, num_layers=2, bidirectional=bidirectional, dtype="float64", seed=1, peephole=True
    )
    assert any("peephole" in key for key in module.params), sorted(module.params)
    for value in module.params.values():  # peephole weights may start at zero: make them count
        value[...] = rng.uniform(-0.6, 0.6, value.shape)
    directions = 2 if bidirectional else 1
    x = rng.standard_normal((3, 2, 3))
    h0, c0 = (rng.standard_normal((2 * directions, 2, 3)) for _ in range(2))
    out, (h_n, c_n) = module(x, (h0, c0))
    cotangents = [rng.standard_normal(a.shape) for a in (out, h_n, c_n)]

    def loss():
        return sum(
            float((a * c).sum())
            for a, c in zip(flatten(module(x, (h0, c0))), cotangents, strict=True)
        )

    module(x, (h0, c0))
    dx, (dh0, dc0) = module.backward(cotangents[0], (cotangents[1], cotangents[2]))
    analytic = {"x": dx, "h0": dh0, "c0": dc0, **module.grads}
    gradcheck(loss, {"x": x, "h0": h0, "c0": c0, **module.params}, analytic)

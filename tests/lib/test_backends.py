"""The backend switch, and the CuPy backend giving NumPy's numbers.

On a machine without a GPU the CuPy cases skip with the reason; CI has none, so they
run on a lent GPU machine (see the README). The PyTorch cross-check grid in
test_torch_crosscheck.py also runs on each backend through the ``to_lib`` fixture.
"""

import numpy as np
import pytest

import lib
from lib import backend, fused, tasks

GPU_REASON = backend.gpu_unavailable_reason()

needs_gpu = [pytest.mark.gpu, pytest.mark.skipif(GPU_REASON is not None, reason=str(GPU_REASON))]
TOLERANCE = {"float64": 1e-10, "float32": 1e-5}
CONFIGS = [
    ("RNN", 1, False),
    ("RNN", 2, True),
    ("LSTM", 1, False),
    ("LSTM", 2, True),
    ("GRU", 1, False),
    ("GRU", 2, True),
]


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="numpy"):
        lib.use("jax")


@pytest.mark.skipif(GPU_REASON is None, reason="this machine has a GPU: the error cannot occur")
def test_cupy_without_a_gpu_says_why():
    with pytest.raises(RuntimeError, match="CuPy|GPU"):
        lib.use("cupy")
    assert backend.name() == "numpy"


def test_to_numpy_passes_numpy_through():
    a = np.arange(3.0)
    assert lib.to_numpy(a) is a


def run_model(kind, layers, bidirectional, dtype, peephole=False):
    """Forward and backward of a seeded model on seeded data, on the current backend."""
    options = {"peephole": True} if peephole else {}
    model = getattr(lib, kind)(
        5, 7, num_layers=layers, bidirectional=bidirectional, dtype=dtype, seed=3, **options
    )
    rng = np.random.default_rng(4)
    x = backend.xp().asarray(rng.standard_normal((6, 4, 5)))
    out, _ = model(x)
    dout = backend.xp().asarray(rng.standard_normal(out.shape))
    dx, _ = model.backward(dout)
    results = {"out": out, "dx": dx, **model.grads}
    return {key: lib.to_numpy(value) for key, value in results.items()}


def assert_same(got, want, dtype):
    assert set(got) == set(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=TOLERANCE[dtype],
                                   atol=TOLERANCE[dtype], err_msg=key)  # fmt: skip


@pytest.fixture
def on_gpu():
    backend.use("cupy")
    yield
    fused.set_enabled(True)
    backend.use("numpy")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind, layers, bidirectional", CONFIGS)
@pytest.mark.parametrize("fusion", [True, False], ids=["fused", "readable"])
@pytest.mark.parametrize("backend_name", [pytest.param("cupy", marks=needs_gpu)])
def test_gpu_equals_numpy(backend_name, fusion, kind, layers, bidirectional, dtype, request):
    want = run_model(kind, layers, bidirectional, dtype)
    request.getfixturevalue("on_gpu")
    fused.set_enabled(fusion)
    assert fused.enabled() is fusion
    got = run_model(kind, layers, bidirectional, dtype)
    assert_same(got, want, dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("backend_name", [pytest.param("cupy", marks=needs_gpu)])
def test_gpu_peephole_lstm_equals_numpy(backend_name, dtype, request):
    want = run_model("LSTM", 2, True, dtype, peephole=True)
    request.getfixturevalue("on_gpu")
    assert_same(run_model("LSTM", 2, True, dtype, peephole=True), want, dtype)


@pytest.mark.parametrize("backend_name", [pytest.param("cupy", marks=needs_gpu)])
def test_gpu_refuses_host_arrays(backend_name, request):
    request.getfixturevalue("on_gpu")
    model = lib.GRU(3, 4)
    with pytest.raises(TypeError, match="cupy.asarray"):
        model(np.zeros((2, 1, 3), dtype=np.float32))


def train_a_little(dtype="float64"):
    """Tasks, a classifier, cross-entropy, Adam, clipping and fit: the whole loop."""
    x, y = tasks.delayed_recall(64, lag=5, seed=0)
    model = lib.SequenceClassifier(
        lib.LSTM(x.shape[2], 8, batch_first=True, dtype=dtype, seed=0), 4, seed=0
    )
    history = lib.fit(
        model, (x, y), lib.cross_entropy, lib.Adam(model.modules, lr=0.01), epochs=2,
        batch_size=16, clip=1.0, progress=False, seed=0,
    )  # fmt: skip
    return history, {k: lib.to_numpy(v) for k, v in model.head.params.items()}


@pytest.mark.parametrize("backend_name", [pytest.param("cupy", marks=needs_gpu)])
def test_gpu_training_loop_equals_numpy(backend_name, request):
    want_history, want_params = train_a_little()
    request.getfixturevalue("on_gpu")
    got_history, got_params = train_a_little()
    np.testing.assert_allclose(got_history["loss"], want_history["loss"], rtol=1e-10)
    assert_same(got_params, want_params, "float64")


@pytest.mark.parametrize("backend_name", [pytest.param("cupy", marks=needs_gpu)])
def test_gpu_losses_and_gradcheck(backend_name, request):
    rng = np.random.default_rng(0)
    logits, labels = rng.standard_normal((5, 3)), rng.integers(0, 3, 5)
    pred, target = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    want = [lib.cross_entropy(logits, labels), lib.mse_loss(pred, target)]
    request.getfixturevalue("on_gpu")
    xp = backend.xp()
    got = [
        lib.cross_entropy(xp.asarray(logits), xp.asarray(labels)),
        lib.mse_loss(xp.asarray(pred), xp.asarray(target)),
    ]
    for (loss, grad), (want_loss, want_grad) in zip(got, want):
        assert abs(loss - want_loss) < 1e-12
        np.testing.assert_allclose(lib.to_numpy(grad), want_grad, rtol=1e-10)
    linear = lib.Linear(3, 2, dtype="float64", seed=0)
    x = xp.asarray(rng.standard_normal((4, 3)))
    dy = xp.asarray(rng.standard_normal((4, 2)))
    linear(x)
    linear.backward(dy)

    def loss():
        return float((linear(x) * dy).sum())

    lib.gradcheck(loss, linear.params, linear.grads)

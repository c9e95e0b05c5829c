"""On the GPU, lib's time loops never copy to or from the host: no transfer per step.

A copy between host and device (``cupy.asnumpy``, ``float(a)``, ``cupy.asarray`` of a NumPy
array, ``a.get()``) makes the host wait for the device; inside a time loop it would cost
one round trip per step. Two checks, both on a seeded workload run once to warm CuPy's
memory pool and caches:

- **counted**: the Python-level entry points that transfer (``cupy.asnumpy``,
  ``cupy.ndarray.get``, ``cupy.asarray``/``cupy.array`` of host data, ``lib.backend``'s
  converters) are wrapped and counted during a forward and backward pass at two sequence
  lengths; the count must not grow with the length (none per step);
- **captured**: the same pass is recorded as a CUDA graph (stream capture). The CUDA
  runtime refuses a synchronous copy or a synchronisation inside a capture, so a capture
  that succeeds proves there was none, including the ones Python cannot see.

They skip, with the reason, where there is no GPU (CI has none; see ``make test-gpu``).
"""

import contextlib

import numpy as np
import pytest

import lib
from lib import backend

GPU_REASON = backend.gpu_unavailable_reason()
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(GPU_REASON is not None, reason=str(GPU_REASON))]

MODELS = [("RNN", {}), ("LSTM", {}), ("LSTM", {"peephole": True}), ("GRU", {})]


@pytest.fixture
def cupy_backend():
    lib.use("cupy")
    yield __import__("cupy")
    lib.use("numpy")


def workload(kind, options, steps, cupy):
    """A seeded two-layer bidirectional model and device data: run() does forward + backward."""
    model = getattr(lib, kind)(8, 16, num_layers=2, bidirectional=True, seed=0, **options)
    rng = np.random.default_rng(0)
    x = cupy.asarray(rng.standard_normal((steps, 4, 8), dtype=np.float32))
    dout = cupy.asarray(rng.standard_normal((steps, 4, 32), dtype=np.float32))

    def run():
        model(x)
        model.backward(dout)

    return run


@contextlib.contextmanager
def counting_transfers(cupy, monkeypatch):
    """Count calls of the Python-level functions that copy between host and device."""
    counts = {"n": 0}

    def counted(function, host_input_only=False):
        def wrapper(a, *args, **kwargs):
            if not host_input_only or not isinstance(a, cupy.ndarray):
                counts["n"] += 1
            return function(a, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(cupy, "asnumpy", counted(cupy.asnumpy))
    monkeypatch.setattr(cupy, "asarray", counted(cupy.asarray, host_input_only=True))
    monkeypatch.setattr(cupy, "array", counted(cupy.array, host_input_only=True))
    monkeypatch.setattr(backend, "to_numpy", counted(backend.to_numpy))
    yield counts


@pytest.mark.parametrize("kind,options", MODELS, ids=lambda v: str(v))
def test_no_transfer_per_step(cupy_backend, monkeypatch, kind, options):
    counts = {}
    for steps in (4, 32):
        run = workload(kind, options, steps, cupy_backend)
        run()  # warm up: memory pool, kernel compilation
        with counting_transfers(cupy_backend, monkeypatch) as counted:
            run()
        counts[steps] = counted["n"]
    assert counts[4] == counts[32], f"host transfers grow with the length: {counts}"


@pytest.mark.parametrize("kind,options", MODELS, ids=lambda v: str(v))
def test_forward_and_backward_capture_as_a_cuda_graph(cupy_backend, kind, options):
    run = workload(kind, options, 16, cupy_backend)
    run()  # warm up outside the capture
    stream = cupy_backend.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        try:
            run()
        finally:
            graph = stream.end_capture()
    graph.launch(stream)
    stream.synchronize()

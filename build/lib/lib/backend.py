"""The array module behind every computation in ``lib``: NumPy by default, CuPy on request.

Every other module asks ``xp()`` for its array functions instead of importing NumPy,
so one call (``lib.use("cupy")``) or one environment variable (``LIB_BACKEND=cupy``)
moves the whole library to the GPU. Arrays are never moved between host and device
behind your back: ``asarray`` refuses an array of the other kind, and ``to_numpy`` is
the one explicit way back to the host (for plotting).
"""

import os

import numpy

_BACKENDS = ("numpy", "cupy")
_current = numpy


def _import_cupy():
    try:
        import cupy
    except ImportError as error:
        raise RuntimeError(
            "lib.use('cupy') needs CuPy, which is not installed. "
            "Install the GPU extra (pip install -e '.[gpu]') on a machine with an NVIDIA GPU."
        ) from error
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as error:  # CuPy raises its own CUDARuntimeError when no driver exists
        raise RuntimeError(f"CuPy is installed but no usable GPU was found ({error}).") from error
    if count == 0:
        raise RuntimeError("CuPy is installed but no GPU was found.")
    return cupy


def gpu_unavailable_reason():
    """Why ``use("cupy")`` would fail here, in words, or None when a GPU is ready."""
    try:
        _import_cupy()
    except RuntimeError as error:
        return str(error)
    return None


def use(name):
    """Switch the backend: ``"numpy"`` (CPU) or ``"cupy"`` (NVIDIA GPU). Returns the module."""
    global _current
    if name not in _BACKENDS:
        raise ValueError(f"backend must be one of {_BACKENDS}, got {name!r}")
    _current = numpy if name == "numpy" else _import_cupy()
    return _current


def xp():
    """The array module in use (``numpy`` or ``cupy``)."""
    return _current


def name():
    """The name of the backend in use: ``"numpy"`` or ``"cupy"``."""
    return _current.__name__


def is_backend_array(a):
    """True when ``a`` is an array of the backend in use."""
    return isinstance(a, _current.ndarray)


def asarray(a, dtype=None):
    """``a`` as an array of the backend in use.

    Lists, scalars and arrays of the backend are accepted. An array of the other
    backend (a NumPy array while on CuPy, or the reverse) is refused, because moving it
    would be a silent host-device copy: move it yourself with ``cupy.asarray(a)`` or
    ``lib.to_numpy(a)``.
    or ``lib.to_numpy``.
    """
    if _current is not numpy and isinstance(a, numpy.ndarray):
        raise TypeError(
            "got a NumPy (host) array while the backend is CuPy; "
            "copy it to the GPU explicitly with cupy.asarray(a)"
        )
    if _current is numpy and type(a).__module__.split(".")[0] == "cupy":
        raise TypeError(
            "got a CuPy (GPU) array while the backend is NumPy; "
            "copy it to the host explicitly with lib.to_numpy(a)"
        )
    return _current.asarray(a, dtype=dtype)


def to_numpy(a):
    """A NumPy copy (or view) of ``a``, wherever it lives: use it for plotting and printing."""
    if isinstance(a, numpy.ndarray):
        return a
    if hasattr(a, "get"):
        return a.get()
    return numpy.asarray(a)


def _from_environment():
    requested = os.environ.get("LIB_BACKEND", "numpy").strip().lower() or "numpy"
    if requested != "numpy":
        use(requested)


_from_environment()

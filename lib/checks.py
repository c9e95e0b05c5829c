"""Input checks with messages that say what was expected.

A learner who passes the wrong thing to ``lib`` should read what went wrong in
their own terms ("x should have 3 dimensions (seq_len, batch, input_size)"),
never a bare broadcasting error from deep inside NumPy.
"""

from . import backend

_FLOAT_DTYPES = {"float32", "float64"}


def parse_dtype(dtype):
    """The NumPy-style dtype name ``"float32"`` or ``"float64"`` for ``dtype``."""
    name = getattr(dtype, "__name__", None) or str(getattr(dtype, "name", dtype))
    name = name.replace("torch.", "")
    aliases = {"float": "float32", "double": "float64", "single": "float32"}
    name = aliases.get(name, name)
    if name not in _FLOAT_DTYPES:
        raise TypeError(f"dtype must be float32 or float64, got {dtype!r}")
    return name


def common_float_dtype(*values):
    """ "float64" when any of ``values`` is a float64 array, else "float32" (lib's default)."""
    is_double = any(str(getattr(value, "dtype", "")) == "float64" for value in values)
    return "float64" if is_double else "float32"


def positive_int(name, value):
    """``value`` if it is an integer >= 1, else a ValueError or TypeError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) and not _is_integer_scalar(value):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _is_integer_scalar(value):
    return hasattr(value, "dtype") and getattr(value, "ndim", 1) == 0 and value.dtype.kind in "iu"


def array(name, value, dtype, ndim=None, last_dim=None, layout=None, finite=True):
    """``value`` as a backend array of ``dtype``, checked.

    ndim: an int or a tuple of accepted ranks; last_dim: the required size of the
    last axis; layout: words for the expected axes, used in messages, for example
    ``"(seq_len, batch, input_size)"``; finite: refuse NaN and infinity.
    """
    if value is None:
        raise TypeError(f"{name} is None; expected an array {layout or ''}".rstrip())
    if isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be an array of numbers, got {type(value).__name__}")
    try:
        raw = backend.asarray(value)
    except TypeError:
        raise
    except Exception as error:
        raise TypeError(f"{name} could not be read as an array of numbers ({error})") from None
    if raw.dtype.kind not in "fiu":
        raise TypeError(
            f"{name} must hold real numbers (float or int), got an array of dtype {raw.dtype}"
        )
    accepted = (ndim,) if isinstance(ndim, int) else ndim
    if accepted is not None and raw.ndim not in accepted:
        ranks = " or ".join(str(n) for n in accepted)
        where = f" {layout}" if layout else ""
        raise ValueError(
            f"{name} should have {ranks} dimensions{where}, got shape {tuple(raw.shape)}"
        )
    if last_dim is not None and raw.shape[-1] != last_dim:
        where = f" {layout}" if layout else ""
        raise ValueError(
            f"{name} should have size {last_dim} in its last dimension{where}, "
            f"got shape {tuple(raw.shape)}"
        )
    result = raw.astype(dtype, copy=False)
    if finite and not bool(backend.xp().isfinite(result).all()):
        raise ValueError(f"{name} contains NaN or infinity; check the data or the learning rate")
    return result

"""Check a hand-written backward pass against finite differences::

    lin = Linear(3, 2, dtype="float64")
    x = ...
    def loss():
        return mse_loss(lin(x), target)[0]
    _, dy = mse_loss(lin(x), target)
    lin.backward(dy)
    gradcheck(loss, lin.params, lin.grads)   # raises AssertionError if they disagree

Use float64 everywhere: float32 rounding (about 1e-7) drowns a difference taken with
eps = 1e-6.
"""

import itertools

from . import backend


def numerical_gradient(f, x, eps=1e-6):
    """df/dx by central differences: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) for each i.

    f: a function of no arguments returning a scalar, that reads ``x``;
    x: the float64 backend array f reads, nudged in place one entry at a time and
    restored afterwards. Returns an array shaped like x.
    """
    if not backend.is_backend_array(x):
        raise TypeError(
            f"x must be the array that f reads (for example module.params['weight']), "
            f"got {type(x).__name__}"
        )
    if x.dtype.name != "float64":
        raise TypeError(
            f"gradient checks need float64 arrays, got {x.dtype}: build the model with "
            "dtype='float64' (float32 rounding swamps the finite difference)"
        )
    grad = backend.xp().zeros_like(x)
    for index in itertools.product(*(range(n) for n in x.shape)):
        original = float(x[index])
        try:
            x[index] = original + eps
            f_plus = _scalar(f())
            x[index] = original - eps
            f_minus = _scalar(f())
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * eps)
    return grad


def relative_error(a, b):
    """max|a - b| / max(max|a|, max|b|): the worst difference relative to the gradient's size.

    0 when a and b are equal (including both zero); around 1e-7 or less for a correct
    float64 gradient checked with eps = 1e-6.
    """
    xp = backend.xp()
    a, b = xp.asarray(a, dtype="float64"), xp.asarray(b, dtype="float64")
    if a.size == 0:
        return 0.0
    scale = max(float(xp.abs(a).max()), float(xp.abs(b).max()))
    return float(xp.abs(a - b).max()) / scale if scale > 0 else 0.0


def gradcheck(f, params, analytic, eps=1e-6, rtol=1e-5, atol=1e-8):
    """Compare ``analytic[key]`` with the numerical gradient of f for every key of ``params``.

    f: a function of no arguments returning the scalar loss, reading the arrays in
    ``params`` (name -> float64 array, nudged in place and restored);
    analytic: name -> gradient from your backward pass (for example ``module.grads``).
    An entry passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    Returns the largest ``relative_error`` over the keys; raises AssertionError naming
    the worst key and index when any entry fails.
    """
    worst = 0.0
    for key, x in params.items():
        expected = _analytic_for(key, x, analytic)
        numeric = numerical_gradient(f, x, eps)
        _assert_close(key, expected, numeric, rtol, atol)
        worst = max(worst, relative_error(expected, numeric))
    return worst


def _analytic_for(key, x, analytic):
    """``analytic[key]`` as a float64 array of x's shape, or a clear error."""
    if key not in analytic:
        raise AssertionError(
            f"no analytic gradient for {key!r} (got keys {sorted(analytic)}): "
            "did backward run and fill this gradient?"
        )
    grad = backend.xp().asarray(analytic[key], dtype="float64")
    if grad.shape != x.shape:
        transposed = " (transposed?)" if grad.shape == x.shape[::-1] else ""
        raise AssertionError(
            f"the analytic gradient for {key!r} has shape {tuple(grad.shape)}{transposed}, "
            f"but the parameter has shape {tuple(x.shape)}"
        )
    return grad


def _assert_close(key, analytic, numeric, rtol, atol):
    """Raise AssertionError naming the worst entry where |a - n| > atol + rtol |n|."""
    xp = backend.xp()
    excess = xp.abs(analytic - numeric) - (atol + rtol * xp.abs(numeric))
    if excess.size == 0 or float(excess.max()) <= 0:
        return
    index = tuple(int(i) for i in xp.unravel_index(int(excess.argmax()), excess.shape))
    failing = int((excess > 0).sum())
    raise AssertionError(
        f"gradient check failed for {key!r} at index {index}: analytic "
        f"{float(analytic[index]):.6g}, numerical {float(numeric[index]):.6g} "
        f"({failing} of {excess.size} entries differ by more than atol + rtol * |numerical|, "
        f"relative error {relative_error(analytic, numeric):.2e}).{_hint(analytic, numeric)}"
    )


def _hint(analytic, numeric):
    """A likely cause when the two gradients differ in a recognisable way, else ""."""
    if not bool(analytic.any()):
        return " The analytic gradient is all zeros: does backward fill it?"
    if _roughly_equal(analytic, -numeric):
        return " The analytic gradient has the opposite sign: look for a missing minus."
    for factor in (2.0, 0.5):
        if _roughly_equal(analytic, factor * numeric):
            return f" The analytic gradient is {factor:g} times the numerical one: check a factor."
    return ""


def _roughly_equal(a, b):
    return bool(backend.xp().allclose(a, b, rtol=1e-4, atol=1e-7))


def _scalar(value):
    """The loss ``value`` as a float, or a clear error if f returned something else."""
    size = getattr(value, "size", 1)
    if size != 1:
        raise TypeError(f"f must return a scalar loss, got an array of shape {value.shape}")
    return float(value)

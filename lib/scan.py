"""The linear recurrence h_t = a_t * h_{t-1} + b_t, computed three ways.

minGRU and minLSTM (Feng et al. 2024) and the state-space models (Gu and Dao 2023)
update their state with this recurrence, elementwise, where a_t and b_t depend on the
input x_t only, never on h_{t-1}. Then the loop over time is not needed, because two
steps in a row are again one step of the same form (Blelloch 1990, section 1.4):

    h_t = a_t (a_s h_{s-1} + b_s) + b_t = (a_t a_s) h_{s-1} + (a_t b_s + b_t),

so the pair (a, b) of a whole span of steps can be built from the pairs of its halves,
in any grouping. Three ways to compute every h_t:

- ``sequential_scan``: the loop, seq_len steps, each waiting for the one before.
- ``parallel_scan``: Hillis and Steele's scan (1986). Sweep k (k = 0, 1, 2, ...) lets
  every step absorb the span that ends 2^k steps before it, all steps at once, so after
  ceil(log2 seq_len) sweeps step t holds the span 1..t. On parallel hardware a sweep
  takes one time unit whatever seq_len is: this is why these models train in parallel
  (Martin and Cundy 2018). NumPy runs each sweep as one vectorised operation on one core.
- ``cumulative_scan``: the closed form h_t = A_t (h_0 + sum_{s<=t} b_s / A_s) with
  A_t = a_1 a_2 ... a_t, computed in log space (Heinsen 2023; Feng et al., appendix)
  because A_t underflows after a few hundred steps. A cumulative sum and a cumulative
  log-sum-exp: seq_len steps of work, inside NumPy's C loops. On a CPU this is the fast one.

Every function takes a, b: (seq_len, ...) and h0: (...) (None: zeros) and returns
h: (seq_len, ...), h[t] the state after step t. ``scan_backward`` differentiates any of them
with the same recurrence run backwards in time.
"""

import numpy

from . import backend, checks


def sequential_scan(a, b, h0=None):
    """h_t = a_t * h_{t-1} + b_t, one step after another.

    a, b: (seq_len, ...); h0: (...) or None for zeros. Returns h: (seq_len, ...).
    """
    return _sequential(*_checked(a, b, h0))


def parallel_scan(a, b, h0=None):
    """h_t = a_t * h_{t-1} + b_t in ceil(log2 seq_len) vectorised sweeps (Hillis and Steele).

    Before sweep k, (a_t, b_t) describes the span of up to 2^k steps that ends at t; the
    sweep combines it with the span that ends 2^k steps earlier:

        (a_t, b_t) <- (a_t * a_{t-2^k}, a_t * b_{t-2^k} + b_t)     for every t >= 2^k at once

    Products of a are only ever multiplied, never divided by, so nothing overflows.
    a, b: (seq_len, ...); h0: (...) or None. Returns h: (seq_len, ...).
    """
    return _parallel(*_checked(a, b, h0))


def cumulative_scan(a, b, h0=None):
    """h_t = a_t * h_{t-1} + b_t from cumulative sums in log space; needs every a_t >= 0.

        log A_t = sum_{s<=t} log a_s
        h_t = sum_{s<=t} exp(log A_t - log A_s) b_s
            = exp(log A_t + logcumsumexp_s(log b_s - log A_s))        (for b_s > 0)

    Negative b_s go through the same formula with -b_s and are subtracted. An a_t that
    is 0 (a gate rounded to 0) counts as the smallest positive float, which gives the
    same h. The error grows with the size of log A_t: about seq_len * abs(log a) * 1e-16
    relative in float64, 1e-7 in float32.
    a, b: (seq_len, ...); h0: (...) or None. Returns h: (seq_len, ...).
    """
    a, b, h0 = _checked(a, b, h0)
    _require_non_negative(a)
    return _cumulative(a, b, h0)


def scan_backward(a, h_prev, dh, method="parallel"):
    """Gradients of a linear recurrence: da, db, dh0 given dL/dh_t for every t.

    The gradient g_t = dL/dh_t (everything that depends on h_t) obeys the same
    recurrence backwards in time, with the coefficients shifted by one step:

        g_t = dh_t + a_{t+1} g_{t+1}      (g_T = dh_T)
        db_t = g_t,   da_t = g_t * h_{t-1},   dh0 = a_1 g_1

    so ``method`` ("sequential", "parallel" or "cumulative") computes it too.
    a: (seq_len, ...) the forward's coefficients; h_prev: (seq_len, ...) the state each
    step read (h_0 ... h_{T-1}); dh: (seq_len, ...) the gradient arriving at each h_t
    from outside the recurrence. Returns (da, db, dh0) shaped like a, a, a[0].
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    a, dh, _ = _checked(a, dh, None, names=("a", "dh"))
    if method == "cumulative":
        _require_non_negative(a)
    h_prev = checks.array("h_prev", h_prev, a.dtype.name)
    if h_prev.shape != a.shape:
        raise ValueError(
            f"h_prev should have the shape of a {tuple(a.shape)} (the state before each "
            f"step), got {tuple(h_prev.shape)}"
        )
    return backward_unchecked(a, h_prev, dh, method)


def _sequential(a, b, h0):
    xp = backend.xp()
    h = xp.empty_like(b)
    state = h0
    for t in range(a.shape[0]):
        state = a[t] * state + b[t]
        h[t] = state
    return h


def _parallel(a, b, h0):
    a, b = a.copy(), _with_initial_state(a, b, h0)
    span = 1
    while span < a.shape[0]:
        # b first: the combination uses a_t before it absorbs a_{t-span}
        b[span:] = a[span:] * b[:-span] + b[span:]
        a[span:] = a[span:] * a[:-span]
        span *= 2
    return b


def _cumulative(a, b, h0):
    xp = backend.xp()
    b = _with_initial_state(a, b, h0)
    smallest = xp.finfo(a.dtype).tiny
    log_products = xp.cumsum(xp.log(xp.maximum(a, smallest)), axis=0)  # log A_t
    h = xp.zeros_like(b)
    for sign in (1.0, -1.0):
        log_terms = _log_of_positive_part(sign * b) - log_products
        h += sign * xp.exp(log_products + _log_cumsum_exp(log_terms))
    return h


def backward_unchecked(a, h_prev, dh, method):
    """``scan_backward`` for callers whose arrays are already checked (lib's kernels)."""
    xp = backend.xp()
    a_next = xp.concatenate([a[1:], xp.ones_like(a[:1])])  # a_{t+1}; the last one meets g = 0
    g = form(method)(a_next[::-1], dh[::-1], xp.zeros_like(a[0]))[::-1]
    return g * h_prev, g, a[0] * g[0]


def _with_initial_state(a, b, h0):
    """A copy of b with h0 folded into the first step: b_1 + a_1 h0, so the scan starts at 0."""
    b = b.copy()
    b[0] += a[0] * h0
    return b


def _require_non_negative(a):
    if not bool((a >= 0).all()):
        raise ValueError(
            "the cumulative form takes log(a), so every a_t must be >= 0; "
            "use the parallel or sequential scan for negative a"
        )


def _log_of_positive_part(v):
    """log(max(v, 0)), -inf where v <= 0, without a log(0) warning."""
    xp = backend.xp()
    positive = v > 0
    return xp.where(positive, xp.log(xp.where(positive, v, 1.0)), -numpy.inf)


def _log_cumsum_exp(v):
    """log(exp(v_1) + ... + exp(v_t)) for every t, along axis 0, without overflow.

    NumPy does it in one C loop (logaddexp.accumulate). CuPy has no ufunc accumulate,
    so there it is a scan of its own, like ``parallel_scan`` with logaddexp as the
    combining operation (log-sum-exp is associative too).
    """
    if backend.name() == "numpy":
        return backend.xp().logaddexp.accumulate(v, axis=0)
    return log_cumsum_exp_by_sweeps(v)


def log_cumsum_exp_by_sweeps(v):
    """``_log_cumsum_exp`` in ceil(log2 seq_len) vectorised sweeps (Hillis and Steele)."""
    xp = backend.xp()
    v = v.copy()
    span = 1
    while span < v.shape[0]:
        v[span:] = xp.logaddexp(v[span:], v[:-span])
        span *= 2
    return v


def _checked(a, b, h0, names=("a", "b")):
    """a, b and h0 (zeros when None) as arrays of one float dtype, with matching shapes."""
    dtype = checks.common_float_dtype(a, b)
    a = checks.array(names[0], a, dtype, layout="(seq_len, ...)")
    if a.ndim == 0 or a.shape[0] == 0:
        raise ValueError(
            f"{names[0]} should have a time axis first, (seq_len, ...) with seq_len >= 1, "
            f"got shape {tuple(a.shape)}"
        )
    b = checks.array(names[1], b, dtype)
    if b.shape != a.shape:
        raise ValueError(
            f"{names[1]} should have the shape of {names[0]}, {tuple(a.shape)}, "
            f"got {tuple(b.shape)}"
        )
    if h0 is None:
        return a, b, backend.xp().zeros(a.shape[1:], dtype=dtype)
    h0 = checks.array("h0", h0, dtype)
    if h0.shape != a.shape[1:]:
        raise ValueError(
            f"h0 should have the shape of one step of a, {tuple(a.shape[1:])}, "
            f"got {tuple(h0.shape)}"
        )
    return a, b, h0


METHODS = ("sequential", "parallel", "cumulative")


def form(method):
    """The form called ``method``, (a, b, h0) -> h without input checks: for callers that
    checked their arrays already (lib's kernels)."""
    return {"sequential": _sequential, "parallel": _parallel, "cumulative": _cumulative}[method]

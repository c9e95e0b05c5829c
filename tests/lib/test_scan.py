"""lib.scan: the loop, the parallel scan and the log-space cumulative form of
h_t = a_t * h_{t-1} + b_t agree, their backward pass matches finite differences, and bad
inputs are explained."""

import numpy as np
import pytest

from lib import backend, scan
from lib.gradcheck import gradcheck

FORMS = {
    "sequential": scan.sequential_scan,
    "parallel": scan.parallel_scan,
    "cumulative": scan.cumulative_scan,
}


def recurrence(steps, shape=(3, 4), seed=0, low=0.05, high=1.0):
    """a in [low, high), b and h0 standard normal (both signs), as float64."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(low, high, (steps, *shape))
    return a, rng.standard_normal((steps, *shape)), rng.standard_normal(shape)


def by_hand(a, b, h0):
    """The definition, one scalar at a time (no lib code)."""
    h = np.empty_like(b)
    for index in np.ndindex(h0.shape):
        state = h0[index]
        for t in range(a.shape[0]):
            state = a[(t, *index)] * state + b[(t, *index)]
            h[(t, *index)] = state
    return h


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("steps", [1, 2, 3, 7, 8, 33])
def test_every_form_equals_the_definition(to_lib, form, steps):
    a, b, h0 = recurrence(steps, seed=steps)
    h = FORMS[form](*to_lib((a, b, h0)))
    np.testing.assert_allclose(backend.to_numpy(h), by_hand(a, b, h0), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("form", list(FORMS))
def test_forms_agree_over_a_long_sequence(to_lib, form):
    """1000 steps: A_t = a_1 ... a_t underflows to 0 long before the end (0.6^1000 ~ 1e-222,
    and smaller with a down to 0.2), which the log space of the cumulative form survives."""
    a, b, h0 = recurrence(1000, shape=(2, 5), seed=1, low=0.2)
    expected = scan.sequential_scan(*to_lib((a, b, h0)))
    h = FORMS[form](*to_lib((a, b, h0)))
    np.testing.assert_allclose(
        backend.to_numpy(h), backend.to_numpy(expected), rtol=1e-10, atol=1e-10
    )


def test_no_initial_state_means_zeros():
    a, b, _ = recurrence(5)
    for form in FORMS.values():
        np.testing.assert_allclose(form(a, b), form(a, b, np.zeros(a.shape[1:])), rtol=1e-14)


def test_a_gate_of_zero_resets_the_state_in_every_form():
    """a_t = 0 (a gate rounded to 0) forgets everything before t; log(0) must not leak NaN."""
    a, b, h0 = recurrence(6)
    a[3] = 0.0
    for name, form in FORMS.items():
        h = form(a, b, h0)
        assert np.isfinite(h).all(), name
        np.testing.assert_allclose(h[3], b[3], rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(h, by_hand(a, b, h0), rtol=1e-10, atol=1e-12, err_msg=name)


def test_float32_stays_float32_and_close():
    a, b, h0 = (v.astype(np.float32) for v in recurrence(50))
    reference = by_hand(*(v.astype(np.float64) for v in (a, b, h0)))
    for name, form in FORMS.items():
        h = form(a, b, h0)
        assert h.dtype == np.float32, name
        np.testing.assert_allclose(h, reference, rtol=1e-4, atol=1e-5, err_msg=name)


class CountedProducts(np.ndarray):
    """An array that counts the elementwise products taken of it (each one vectorised)."""

    products = 0

    def __mul__(self, other):
        CountedProducts.products += 1
        return super().__mul__(other)


@pytest.mark.parametrize("steps, sweeps", [(2, 1), (8, 3), (100, 7), (1000, 10)])
def test_the_parallel_scan_takes_log2_sweeps(steps, sweeps):
    """The structure the docstring claims: ceil(log2 T) sweeps of two vectorised products
    each (plus one to fold in h0), not T steps."""
    a, b, h0 = recurrence(steps, shape=(2,))
    CountedProducts.products = 0
    h = scan.form("parallel")(a.view(CountedProducts), b.view(CountedProducts), h0)
    assert CountedProducts.products == 2 * sweeps + 1
    np.testing.assert_allclose(np.asarray(h), scan.sequential_scan(a, b, h0), rtol=1e-10)


@pytest.mark.parametrize("method", list(scan.METHODS))
def test_backward_matches_finite_differences(method):
    """L = sum_t w_t . h_t; scan_backward's (da, db, dh0) against central differences."""
    a, b, h0 = recurrence(9, shape=(2, 3), seed=3, low=0.3)
    weights = np.random.default_rng(4).standard_normal(b.shape)
    h = scan.sequential_scan(a, b, h0)
    h_prev = np.concatenate([h0[None], h[:-1]])
    da, db, dh0 = scan.scan_backward(a, h_prev, weights, method=method)
    inputs = {"a": a, "b": b, "h0": h0}

    def loss():
        return float((FORMS[method](a, b, h0) * weights).sum())

    gradcheck(loss, inputs, {"a": da, "b": db, "h0": dh0})


def test_backward_is_the_same_scan_run_backwards():
    """The gradient g_t = dL/dh_t is itself a linear recurrence, read from the end."""
    a, _, h0 = recurrence(6, shape=(2,))
    dh = np.random.default_rng(5).standard_normal(a.shape)
    _, g, _ = scan.scan_backward(a, np.zeros_like(a), dh, method="parallel")
    expected = np.empty_like(dh)
    running = np.zeros(2)
    for t in reversed(range(6)):
        running = dh[t] + (a[t + 1] * running if t + 1 < 6 else 0)
        expected[t] = running
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_log_cumsum_exp_by_sweeps_equals_numpys_accumulate(to_lib):
    """The form CuPy uses (no ufunc accumulate there), checked on every backend."""
    v = np.random.default_rng(6).standard_normal((37, 3)) * 300  # far beyond exp's range
    got = backend.to_numpy(scan.log_cumsum_exp_by_sweeps(to_lib(v)))
    np.testing.assert_allclose(got, np.logaddexp.accumulate(v, axis=0), rtol=1e-12)


# ---- errors ---------------------------------------------------------------------------------


def raises(exception, action, *mentions):
    with pytest.raises(exception) as info:
        action()
    message = str(info.value)
    assert any(m in message for m in mentions), message


@pytest.mark.parametrize("form", list(FORMS))
def test_bad_inputs_are_explained(form):
    a, b, h0 = recurrence(4)
    run = FORMS[form]
    raises(ValueError, lambda: run(a, b[:3], h0), "shape of a")
    raises(ValueError, lambda: run(a, b, h0[:2]), "h0 should have the shape")
    raises(ValueError, lambda: run(np.float64(0.5), np.float64(1.0)), "time axis")
    raises(ValueError, lambda: run(a[:0], b[:0]), "seq_len >= 1")
    bad = b.copy()
    bad[1, 0, 0] = np.nan
    raises(ValueError, lambda: run(a, bad, h0), "NaN")
    raises(TypeError, lambda: run("a", b, h0), "array")


def test_cumulative_form_refuses_negative_a():
    a, b, h0 = recurrence(4)
    a[2, 0, 0] = -0.5
    raises(ValueError, lambda: scan.cumulative_scan(a, b, h0), "log(a)", ">= 0")
    np.testing.assert_allclose(scan.parallel_scan(a, b, h0), by_hand(a, b, h0), rtol=1e-12)
    raises(ValueError, lambda: scan.scan_backward(a, a, b, method="cumulative"), ">= 0")


def test_scan_backward_checks_its_arguments():
    a, b, _ = recurrence(4)
    raises(ValueError, lambda: scan.scan_backward(a, a, b, method="fast"), "sequential")
    raises(ValueError, lambda: scan.scan_backward(a, a[:2], b), "h_prev")
    raises(ValueError, lambda: scan.scan_backward(a, a, b[:2]), "dh should have the shape")

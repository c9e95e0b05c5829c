"""The JavaScript twin of lib's step functions (lib/course/js/cells.js) equals lib.

cells.js is loaded as an ES module into a blank page of headless Chromium and every step
function is evaluated on random inputs, sizes, weights and states (float64, as JavaScript
numbers are); each result must equal ``lib.functional``'s to 1e-9. The state backward
functions (dL/dh_{t-1} from dL/dh_t) are compared with the exact Jacobian of
``lib.functional``'s step, taken by complex-step differentiation (f(s + i e) / e, exact to
rounding, no finite-difference error) and transposed onto the same upstream gradient.
"""

import numpy as np
import pytest

from lib import functional
from lib.course import explorables

pytestmark = [pytest.mark.browser]

CASES = 20
TOLERANCE = 1e-9
COMPLEX_STEP = 1e-30
GRU_VARIANTS = [
    {"resetAfterProduct": True, "zKeepsOld": True},
    {"resetAfterProduct": False, "zKeepsOld": True},
    {"resetAfterProduct": True, "zKeepsOld": False},
    {"resetAfterProduct": False, "zKeepsOld": False},
]

LOAD = """async (source) => {
    const url = URL.createObjectURL(new Blob([source], {type: 'text/javascript'}));
    window.cells = await import(url);
    return Object.keys(window.cells).sort();
}"""


@pytest.fixture(scope="module")
def cells(browser):
    """A blank page with cells.js imported as window.cells."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><title>cells.js</title>")
    exported = page.evaluate(LOAD, explorables.module_source("cells.js"))
    for name in ("rnnStep", "lstmStep", "gruStep", "gruStepBackward", "lstmStepBackward"):
        assert name in exported, f"cells.js does not export {name}: {exported}"
    yield page
    context.close()


def call(page, name, *args):
    """window.cells[name](...args) in the page; arrays travel as nested lists."""
    return page.evaluate("([name, args]) => window.cells[name](...args)", [name, list(args)])


def random_case(rng, gates):
    size, inputs = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    scale = rng.uniform(0.3, 3.0)
    case = {
        "x": rng.normal(size=inputs),
        "h": rng.uniform(-1, 1, size=size),
        "c": rng.normal(size=size),
        "weight_ih": scale * rng.normal(size=(gates * size, inputs)),
        "weight_hh": scale * rng.normal(size=(gates * size, size)),
        "bias_ih": rng.normal(size=gates * size),
        "bias_hh": rng.normal(size=gates * size),
        "peephole": rng.normal(size=(3, size)),
        "upstream": rng.normal(size=size),
        "upstream_c": rng.normal(size=size),
    }
    return case


def js_params(case):
    return {
        "weightIh": case["weight_ih"].tolist(),
        "weightHh": case["weight_hh"].tolist(),
        "biasIh": case["bias_ih"].tolist(),
        "biasHh": case["bias_hh"].tolist(),
    }


def lib_params(case, dtype=float):
    return {k: case[k].astype(dtype) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}


def assert_close(js, expected, what):
    js, expected = np.asarray(js, dtype=float), np.asarray(expected, dtype=float)
    assert js.shape == expected.shape, f"{what}: shape {js.shape}, lib {expected.shape}"
    error = np.max(np.abs(js - expected)) if js.size else 0.0
    assert error < TOLERANCE, f"{what}: cells.js differs from lib by {error:.2e}"


def jacobian_transpose_product(step, state, upstream):
    """J^T upstream for J = d step(state) / d state, by complex steps along each unit."""
    columns = []
    for k in range(state.size):
        probe = state.astype(complex)
        probe[k] += 1j * COMPLEX_STEP
        columns.append(np.imag(step(probe)) / COMPLEX_STEP)
    return np.stack(columns, axis=1).T @ upstream


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_step_equals_lib(cells, nonlinearity):
    rng = np.random.default_rng(1)
    for case_number in range(CASES):
        case = random_case(rng, 1)
        params = lib_params(case)
        expected = functional.rnn_step(
            case["x"][None], case["h"][None], **params, nonlinearity=nonlinearity
        )
        js = call(
            cells, "rnnStep", case["x"].tolist(), case["h"].tolist(), js_params(case), nonlinearity
        )
        assert_close(js["h"], expected.h[0], f"rnnStep {nonlinearity} case {case_number}")

        def step(h, case=case):
            x = case["x"][None].astype(complex)
            return functional.rnn_step(
                x, h[None], **lib_params(case, complex), nonlinearity=nonlinearity
            ).h[0]

        back = call(
            cells, "rnnStepBackward", js, case["upstream"].tolist(), js_params(case), nonlinearity
        )
        expected_dh = jacobian_transpose_product(step, case["h"], case["upstream"])
        assert_close(back["dh"], expected_dh, f"rnnStepBackward {nonlinearity} {case_number}")


@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_step_equals_lib(cells, peephole):
    rng = np.random.default_rng(2)
    for case_number in range(CASES):
        case = random_case(rng, 4)
        peep = case["peephole"] if peephole else None
        expected = functional.lstm_step(
            case["x"][None], case["h"][None], case["c"][None], **lib_params(case), peephole=peep
        )
        js = call(
            cells,
            "lstmStep",
            case["x"].tolist(),
            case["h"].tolist(),
            case["c"].tolist(),
            js_params(case),
            None if peep is None else peep.tolist(),
        )
        for name in ("i", "f", "g", "o", "c", "h"):
            assert_close(
                js[name],
                getattr(expected, name)[0],
                f"lstmStep {name} (peephole={peephole}) case {case_number}",
            )

        size = case["h"].size

        def step(state, case=case, size=size, peep=peep):
            out = functional.lstm_step(
                case["x"][None].astype(complex),
                state[None, :size],
                state[None, size:],
                **lib_params(case, complex),
                peephole=peep,
            )
            return np.concatenate([out.h[0], out.c[0]])

        back = call(
            cells,
            "lstmStepBackward",
            js,
            case["c"].tolist(),
            case["upstream"].tolist(),
            case["upstream_c"].tolist(),
            js_params(case),
            None if peep is None else peep.tolist(),
        )
        expected_back = jacobian_transpose_product(
            step,
            np.concatenate([case["h"], case["c"]]),
            np.concatenate([case["upstream"], case["upstream_c"]]),
        )
        assert_close(back["dh"], expected_back[:size], f"lstmStepBackward dh {case_number}")
        assert_close(back["dc"], expected_back[size:], f"lstmStepBackward dc {case_number}")


def lib_gru_step(case, h, switches, dtype=float):
    """lib.functional.gru_step in the variant that the twin's two switches name."""
    reset = "after" if switches["resetAfterProduct"] else "before"
    keep = "z" if switches["zKeepsOld"] else "1-z"
    x = case["x"][None].astype(dtype)
    return functional.gru_step(x, h[None], **lib_params(case, dtype), reset=reset, keep=keep)


@pytest.mark.parametrize(
    "switches", GRU_VARIANTS, ids=lambda s: "-".join(f"{k}={v}" for k, v in s.items())
)
def test_gru_step_equals_lib(cells, switches):
    rng = np.random.default_rng(3)
    for case_number in range(CASES):
        case = random_case(rng, 3)
        expected = lib_gru_step(case, case["h"], switches)
        js = call(
            cells, "gruStep", case["x"].tolist(), case["h"].tolist(), js_params(case), switches
        )
        for name in ("r", "z", "n", "h"):
            assert_close(
                js[name],
                getattr(expected, name)[0],
                f"gruStep {name} {switches} case {case_number}",
            )

        def step(h, case=case):
            return lib_gru_step(case, h, switches, complex).h[0]

        back = call(
            cells,
            "gruStepBackward",
            js,
            case["h"].tolist(),
            case["upstream"].tolist(),
            js_params(case),
            switches,
        )
        expected_dh = jacobian_transpose_product(step, case["h"], case["upstream"])
        assert_close(back["dh"], expected_dh, f"gruStepBackward {switches} case {case_number}")


def test_wrong_sizes_are_refused_with_a_message(cells):
    message = cells.evaluate(
        """() => { try { window.cells.rnnStep([1, 2], [0], {weightIh: [[1]], weightHh: [[1]]});
                   return null; } catch (e) { return e.message; } }"""
    )
    assert message and "expected weightIh 1 x 2" in message

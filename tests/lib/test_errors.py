"""Bad inputs get clear errors: the right exception type and a message that says what was
expected, never a bare NumPy broadcasting error from deep inside a matrix product."""

import functools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lib import GRU, LSTM, RNN, GRUCell, LSTMCell, MinGRU, MinLSTM, RNNCell

T, B, D, H = 5, 3, 7, 9  # distinctive sizes, so that messages naming them are recognisable
MODELS = {"RNN": RNN, "LSTM": LSTM, "GRU": GRU, "MinGRU": MinGRU, "MinLSTM": MinLSTM}
CELLS = {"RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell}
EXPLAINS = ("expected", "should", "must")
NON_FINITE = ("nan", "inf")
SETTINGS = settings(deadline=None, max_examples=30)


def raises(exception, action, *mentions):
    """Run ``action``; it must raise ``exception`` with a message containing one of ``mentions``."""
    with pytest.raises(exception) as info:
        action()
    message = str(info.value)
    assert any(m.lower() in message.lower() for m in mentions), (
        f"{type(info.value).__name__} message {message!r} should mention one of {mentions}"
    )
    return message


def state(kind, shape, fill=0.0):
    """An initial state of ``shape`` in ``kind``'s convention (a pair for LSTMs)."""
    h = np.full(shape, fill)
    return (h, h.copy()) if kind.startswith("LSTM") else h


@functools.cache
def model(kind, batch_first=False, num_layers=1):
    return MODELS[kind](D, H, num_layers=num_layers, batch_first=batch_first, dtype="float64")


@functools.cache
def cell(kind):
    return CELLS[kind](D, H, dtype="float64")


def fresh(kind, **kwargs):
    """A new module (for tests that depend on whether forward has run)."""
    return {**MODELS, **CELLS}[kind](D, H, dtype="float64", **kwargs)


model_kinds = pytest.mark.parametrize("kind", list(MODELS))
cell_kinds = pytest.mark.parametrize("kind", list(CELLS))
all_kinds = pytest.mark.parametrize("kind", [*MODELS, *CELLS])


# ---- sequence models: forward ---------------------------------------------------------------


@model_kinds
@pytest.mark.parametrize("shape", [(T, B, D, 1), (D,), ()])
def test_wrong_rank(kind, shape):
    raises(ValueError, lambda: model(kind)(np.zeros(shape)), "dimensions", "seq_len")


@model_kinds
@pytest.mark.parametrize("batch_first", [False, True])
def test_wrong_feature_size(kind, batch_first):
    x = np.zeros((T, B, D + 4))
    raises(ValueError, lambda: model(kind, batch_first)(x), "input_size", f"size {D}")


@model_kinds
@pytest.mark.parametrize(
    "shape, mention",
    [((1, B + 1, H), str((1, B, H))), ((1, B, H + 1), str((1, B, H))), ((2, B, H), str((1, B, H)))]
    + [((1, H), "3 dimensions")],
    ids=["batch", "hidden", "layers", "rank"],
)
def test_wrong_initial_state_shape(kind, shape, mention):
    x = np.zeros((T, B, D))
    raises(ValueError, lambda: model(kind)(x, state(kind, shape)), mention)


@model_kinds
def test_batch_first_state_is_still_layers_first(kind):
    """With batch_first the state keeps torch's (layers, batch, hidden) layout."""
    x = np.zeros((B, T, D))
    raises(ValueError, lambda: model(kind, True)(x, state(kind, (B, 1, H))), str((1, B, H)))


@model_kinds
def test_unbatched_input_needs_unbatched_state(kind):
    raises(
        ValueError,
        lambda: model(kind)(np.zeros((T, D)), state(kind, (1, 1, H))),
        "dimensions",
        "(1, 9)",
    )
    raises(
        ValueError,
        lambda: model(kind)(np.zeros((T, B, D)), state(kind, (1, H))),
        "dimensions",
        "(1, 3, 9)",
    )


@pytest.mark.parametrize("hx", ["single", "one-tuple", "triple"])
def test_lstm_state_must_be_a_pair(hx):
    h = np.zeros((1, B, H))
    value = {"single": h, "one-tuple": (h,), "triple": (h, h, h)}[hx]
    raises(
        (TypeError, ValueError),
        lambda: model("LSTM")(np.zeros((T, B, D)), value),
        "pair",
        "(h, c)",
        "(h0, c0)",
    )


@pytest.mark.parametrize("kind", ["RNN", "GRU"])
def test_rnn_gru_state_is_one_array(kind):
    h = np.zeros((1, B, H))
    raises(
        (TypeError, ValueError),
        lambda: model(kind)(np.zeros((T, B, D)), (h, h)),
        "one array",
        "array",
    )


@model_kinds
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("where", ["x", "hx"])
def test_non_finite_values(kind, bad, where):
    x, hx = np.zeros((T, B, D)), state(kind, (1, B, H))
    if where == "x":
        x[2, 1, 3] = bad
    else:
        (hx[-1] if isinstance(hx, tuple) else hx)[0, 1, 2] = bad
    message = raises(ValueError, lambda: model(kind)(x, hx), *NON_FINITE)
    assert where in message, f"the message should say which input is bad: {message!r}"


@model_kinds
def test_strings_and_none(kind):
    raises(TypeError, lambda: model(kind)("not an array"), *EXPLAINS)
    raises(TypeError, lambda: model(kind)(None), "x", *EXPLAINS)


# ---- sequence models: backward --------------------------------------------------------------


@all_kinds
def test_backward_before_forward(kind):
    module = fresh(kind)
    raises(RuntimeError, lambda: module.backward(np.zeros((T, B, H))), "forward")


@model_kinds
@pytest.mark.parametrize("batch_first", [False, True])
def test_backward_dout_wrong_shape(kind, batch_first):
    module = fresh(kind, batch_first=batch_first)
    module(np.zeros((B, T, D) if batch_first else (T, B, D)))
    expected = (B, T, H) if batch_first else (T, B, H)
    wrong = (T, B, H + 1) if not batch_first else (T, B, H)
    raises(ValueError, lambda: module.backward(np.zeros(wrong)), str(expected))


@model_kinds
def test_backward_dh_n_wrong_shape(kind):
    module = fresh(kind)
    module(np.zeros((T, B, D)))
    raises(ValueError, lambda: module.backward(None, state(kind, (1, B + 1, H))), str((1, B, H)))


def test_backward_lstm_dh_n_not_a_pair():
    module = fresh("LSTM")
    module(np.zeros((T, B, D)))
    raises(
        (TypeError, ValueError),
        lambda: module.backward(None, np.zeros((1, B, H))),
        "pair",
        "(dh, dc)",
    )


# ---- state dicts ----------------------------------------------------------------------------


@all_kinds
def test_load_state_dict_missing_and_unexpected_keys(kind):
    module = fresh(kind)
    state_dict = module.state_dict()
    key = sorted(state_dict)[0]
    missing = {k: v for k, v in state_dict.items() if k != key}
    raises(KeyError, lambda: module.load_state_dict(missing), key)
    raises(
        KeyError,
        lambda: module.load_state_dict({**state_dict, "weight_xx": np.zeros(3)}),
        "weight_xx",
    )
    raises(TypeError, lambda: module.load_state_dict([1, 2]), "dict")


@all_kinds
def test_load_state_dict_wrong_shape(kind):
    module = fresh(kind)
    state_dict = module.state_dict()
    key = sorted(k for k in state_dict if k.startswith("weight_ih"))[0]
    expected = state_dict[key].shape
    bad = {**state_dict, key: np.zeros(expected[::-1])}
    message = raises(ValueError, lambda: module.load_state_dict(bad), str(tuple(expected)))
    assert key in message


@model_kinds
def test_load_state_dict_from_other_configuration(kind):
    """A bidirectional model's weights do not fit a one-directional one."""
    other = MODELS[kind](D, H, bidirectional=True, dtype="float64")
    raises(KeyError, lambda: fresh(kind).load_state_dict(other.state_dict()), "_reverse")


# ---- constructors ---------------------------------------------------------------------------

BAD_ARGS = [
    ({"hidden_size": 0}, ValueError, "hidden_size"),
    ({"hidden_size": -3}, ValueError, "hidden_size"),
    ({"input_size": 0}, ValueError, "input_size"),
    ({"hidden_size": 2.5}, TypeError, "hidden_size"),
    ({"hidden_size": True}, TypeError, "hidden_size"),
    ({"dtype": "int32"}, TypeError, "float32"),
    ({"dtype": "float16"}, TypeError, "float32"),
]


@all_kinds
@pytest.mark.parametrize("kwargs, exception, mention", BAD_ARGS)
def test_bad_constructor_arguments(kind, kwargs, exception, mention):
    args = {"input_size": D, "hidden_size": H, **kwargs}
    raises(exception, lambda: {**MODELS, **CELLS}[kind](**args), mention)


@model_kinds
@pytest.mark.parametrize(
    "kwargs, exception, mention",
    [
        ({"num_layers": -1}, ValueError, "num_layers"),
        ({"num_layers": 0}, ValueError, "num_layers"),
        ({"dropout": 1.0}, ValueError, "dropout"),
        ({"dropout": -0.5}, ValueError, "dropout"),
    ],
)
def test_bad_model_arguments(kind, kwargs, exception, mention):
    raises(exception, lambda: MODELS[kind](D, H, **kwargs), mention)


@pytest.mark.parametrize("constructor", [RNN, RNNCell])
def test_bad_nonlinearity(constructor):
    raises(ValueError, lambda: constructor(D, H, nonlinearity="sigmoid"), "tanh")


# ---- cells ----------------------------------------------------------------------------------


@cell_kinds
@pytest.mark.parametrize("shape", [(T, B, D), (), (B, D + 1), (D + 1,)])
def test_cell_wrong_input_shape(kind, shape):
    raises(ValueError, lambda: cell(kind)(np.zeros(shape)), "input_size")


@cell_kinds
@pytest.mark.parametrize("shape", [(B + 1, H), (B, H + 1), (1, B, H), (H,)])
def test_cell_wrong_state_shape(kind, shape):
    raises(ValueError, lambda: cell(kind)(np.zeros((B, D)), state(kind, shape)), str((B, H)))


def test_lstm_cell_state_must_be_a_pair():
    raises(
        (TypeError, ValueError),
        lambda: cell("LSTMCell")(np.zeros((B, D)), np.zeros((B, H))),
        "pair",
        "(h, c)",
    )


@cell_kinds
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_cell_non_finite_values(kind, bad):
    x = np.zeros((B, D))
    x[1, 2] = bad
    raises(ValueError, lambda: cell(kind)(x), *NON_FINITE)


@cell_kinds
def test_cell_backward_wrong_shape(kind):
    module = fresh(kind)
    module(np.zeros((B, D)))
    raises(ValueError, lambda: module.backward(state(kind, (B, H + 1))), str((B, H)))


# ---- property-based: random wrong shapes, dtypes and values ----------------------------------

shapes = st.lists(st.integers(0, 9), max_size=4).map(tuple)
BAD_DTYPES = [
    "complex64",
    "complex128",
    "bool",
    "object",
    "U3",
    "S3",
    "datetime64[s]",
    "timedelta64[s]",
]
bad_dtypes = st.sampled_from(BAD_DTYPES)
non_arrays = st.sampled_from(["abc", b"xyz", ["a", "b"], {"x": 1}, {1.0, 2.0}])
non_finite = st.sampled_from([np.nan, np.inf, -np.inf])


def assert_explained(action, mentions=EXPLAINS):
    with pytest.raises((ValueError, TypeError)) as info:
        action()
    message = str(info.value).lower()
    assert any(m in message for m in mentions), f"unclear message: {info.value!r}"


def is_valid_input(shape, ranks):
    """Shapes a module accepts (empty dimensions are left out: torch's rules there differ)."""
    return len(shape) in ranks and (shape[-1] == D or 0 in shape)


@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), batch_first=st.booleans(), shape=shapes)
def test_models_reject_random_input_shapes(kind, batch_first, shape):
    assume(not is_valid_input(shape, (2, 3)))
    assert_explained(lambda: model(kind, batch_first)(np.zeros(shape)))


@SETTINGS
@given(
    kind=st.sampled_from(list(MODELS)),
    layers=st.integers(1, 2),
    shape=shapes,
    which=st.integers(0, 1),
)
def test_models_reject_random_state_shapes(kind, layers, shape, which):
    assume(shape != (layers, B, H))
    hx = np.zeros(shape)
    if kind == "LSTM":
        hx = (hx, np.zeros((layers, B, H))) if which == 0 else (np.zeros((layers, B, H)), hx)
    assert_explained(lambda: model(kind, num_layers=layers)(np.zeros((T, B, D)), hx))


@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), dtype=bad_dtypes, where=st.sampled_from(["x", "hx"]))
def test_models_reject_bad_dtypes(kind, dtype, where):
    x, hx = np.zeros((T, B, D)), state(kind, (1, B, H))
    if where == "x":
        x = x.astype(dtype)
    else:
        hx = tuple(h.astype(dtype) for h in hx) if kind == "LSTM" else hx.astype(dtype)
    assert_explained(lambda: model(kind)(x, hx))


@SETTINGS
@given(kind=st.sampled_from(list(MODELS)), value=non_arrays)
def test_models_reject_non_arrays(kind, value):
    assert_explained(lambda: model(kind)(value))


@SETTINGS
@given(
    kind=st.sampled_from(list(MODELS)),
    bad=non_finite,
    where=st.sampled_from(["x", "hx"]),
    index=st.integers(0, 10_000),
)
def test_models_reject_non_finite(kind, bad, where, index):
    x, hx = np.zeros((T, B, D)), state(kind, (1, B, H))
    target = x if where == "x" else (hx[index % 2] if kind == "LSTM" else hx)
    target.reshape(-1)[index % target.size] = bad
    assert_explained(lambda: model(kind)(x, hx), NON_FINITE)


@SETTINGS
@given(kind=st.sampled_from(list(CELLS)), shape=shapes)
def test_cells_reject_random_input_shapes(kind, shape):
    assume(not is_valid_input(shape, (1, 2)))
    assert_explained(lambda: cell(kind)(np.zeros(shape)))


@SETTINGS
@given(kind=st.sampled_from(list(CELLS)), shape=shapes, which=st.integers(0, 1))
def test_cells_reject_random_state_shapes(kind, shape, which):
    assume(shape != (B, H))
    hx = np.zeros(shape)
    if kind == "LSTMCell":
        hx = (hx, np.zeros((B, H))) if which == 0 else (np.zeros((B, H)), hx)
    assert_explained(lambda: cell(kind)(np.zeros((B, D)), hx))


@SETTINGS
@given(
    kind=st.sampled_from(list(CELLS)), dtype=bad_dtypes, value=non_arrays, use_value=st.booleans()
)
def test_cells_reject_bad_dtypes_and_non_arrays(kind, dtype, value, use_value):
    x = value if use_value else np.zeros((B, D)).astype(dtype)
    assert_explained(lambda: cell(kind)(x))


@SETTINGS
@given(
    kind=st.sampled_from(list(CELLS)),
    bad=non_finite,
    index=st.integers(0, 10_000),
    in_state=st.booleans(),
)
def test_cells_reject_non_finite(kind, bad, index, in_state):
    x, hx = np.zeros((B, D)), state(kind, (B, H))
    target = (hx[index % 2] if kind == "LSTMCell" else hx) if in_state else x
    target.reshape(-1)[index % target.size] = bad
    assert_explained(lambda: cell(kind)(x, hx), NON_FINITE)

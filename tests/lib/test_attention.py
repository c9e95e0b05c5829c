"""lib.attention against torch.nn.functional.scaled_dot_product_attention (values and
autograd gradients, float64 1e-10), and its errors."""

import math

import numpy as np
import pytest
import torch

from lib import backend
from lib.attention import attention_backward, causal_mask, scaled_dot_product_attention

CLOSE = {"rtol": 1e-10, "atol": 1e-10}


def inputs(batch=2, query_len=5, key_len=6, d=4, value_size=3, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.standard_normal((batch, query_len, d)),
        rng.standard_normal((batch, key_len, d)),
        rng.standard_normal((batch, key_len, value_size)),
    )


def torch_allowed(query_len, key_len, causal, key_mask):
    """torch's boolean attn_mask (True: take part) for the same masking as lib."""
    allowed = torch.ones(query_len, key_len, dtype=torch.bool)
    if causal:
        allowed = allowed.tril()
    allowed = allowed[None]
    if key_mask is not None:
        allowed = allowed & torch.tensor(key_mask)[:, None, :]
    return allowed


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("query_len, key_len", [(5, 6), (6, 6), (1, 4)])
def test_matches_torch(to_lib, causal, masked, query_len, key_len):
    q, k, v = inputs(query_len=query_len, key_len=key_len)
    key_mask = None
    if masked:
        key_mask = np.random.default_rng(1).random((2, key_len)) > 0.4
        key_mask[:, 0] = True  # every query keeps a key
    dout = np.random.default_rng(2).standard_normal((2, query_len, 3))

    qt, kt, vt = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    mask = torch_allowed(query_len, key_len, causal, key_mask)
    out_t = torch.nn.functional.scaled_dot_product_attention(qt, kt, vt, attn_mask=mask)
    (out_t * torch.tensor(dout)).sum().backward()
    scores = (qt @ kt.transpose(1, 2) / math.sqrt(4)).masked_fill(~mask, -math.inf)
    weights_t = torch.softmax(scores, dim=-1)

    out, weights = scaled_dot_product_attention(
        *to_lib((q, k, v)), causal=causal, key_mask=to_lib(key_mask)
    )
    dq, dk, dv = attention_backward(*to_lib((dout, q, k, v)), weights)
    for got, expected in [
        (out, out_t),
        (weights, weights_t),
        (dq, qt.grad),
        (dk, kt.grad),
        (dv, vt.grad),
    ]:
        np.testing.assert_allclose(backend.to_numpy(got), expected.detach().numpy(), **CLOSE)


def test_causal_flag_matches_torch_is_causal():
    q, k, v = inputs(query_len=6, key_len=6)
    expected = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v)), is_causal=True
    )
    out, weights = scaled_dot_product_attention(q, k, v, causal=True)
    np.testing.assert_allclose(out, expected.numpy(), **CLOSE)
    assert (weights[:, np.triu_indices(6, 1)[0], np.triu_indices(6, 1)[1]] == 0).all()


def test_weights_are_a_distribution_over_allowed_keys():
    q, k, v = inputs()
    key_mask = np.array([[True, True, False, True, False, True]] * 2)
    _, weights = scaled_dot_product_attention(q, k, v, key_mask=key_mask)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-12)
    assert (weights[:, :, ~key_mask[0]] == 0).all() and (weights[:, :, key_mask[0]] > 0).all()


def test_float32_in_float32_out():
    q, k, v = (a.astype(np.float32) for a in inputs())
    out, weights = scaled_dot_product_attention(q, k, v)
    assert out.dtype == weights.dtype == np.float32
    expected = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v))
    )
    np.testing.assert_allclose(out, expected.numpy(), rtol=1e-5, atol=1e-6)


def test_causal_mask():
    assert causal_mask(3).tolist() == [
        [True, False, False],
        [True, True, False],
        [True, True, True],
    ]
    assert causal_mask(2, 4).shape == (2, 4)


# ---- errors ---------------------------------------------------------------------------------


def raises(exception, action, *mentions):
    with pytest.raises(exception) as info:
        action()
    message = str(info.value)
    assert any(m in message for m in mentions), message


def test_wrong_shapes_are_explained():
    q, k, v = inputs()
    raises(ValueError, lambda: scaled_dot_product_attention(q[0], k, v), "3 dimensions")
    raises(ValueError, lambda: scaled_dot_product_attention(q, k[..., :3], v), "(2, key_len, 4)")
    raises(ValueError, lambda: scaled_dot_product_attention(q, k[:1], v), "(2, key_len, 4)")
    raises(ValueError, lambda: scaled_dot_product_attention(q, k, v[:, :5]), "like key")
    raises(ValueError, lambda: scaled_dot_product_attention(q[:, :0], k, v), "non-empty")


def test_bad_masks_are_explained():
    q, k, v = inputs()
    raises(
        ValueError, lambda: scaled_dot_product_attention(q, k, v, key_mask=np.ones((2, 6))), "bool"
    )
    raises(
        ValueError,
        lambda: scaled_dot_product_attention(q, k, v, key_mask=np.ones((2, 5), bool)),
        "(2, 6)",
    )
    hides_first = np.ones((2, 6), bool)
    hides_first[:, 0] = False
    raises(
        ValueError,
        lambda: scaled_dot_product_attention(q, k, v, causal=True, key_mask=hides_first),
        "no key left",
    )


def test_non_finite_inputs_are_explained():
    q, k, v = inputs()
    q[0, 1, 2] = np.nan
    raises(ValueError, lambda: scaled_dot_product_attention(q, k, v), "query contains NaN")


def test_backward_checks_its_arguments():
    q, k, v = inputs()
    out, weights = scaled_dot_product_attention(q, k, v)
    raises(
        ValueError,
        lambda: attention_backward(out[:, :4], q, k, v, weights),
        "dout should have shape",
    )
    raises(
        ValueError,
        lambda: attention_backward(out, q, k, v, weights[:, :, :5]),
        "weights should have shape",
    )

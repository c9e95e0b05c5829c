"""Scaled dot-product attention (Vaswani et al. 2017), one head, forward and backward.

Each query reads a weighted mean of the values; the weights say how well the query
matches each key:

    scores = q k^T / sqrt(d)                  (batch, query_len, key_len)
    weights = softmax(scores) over the keys   each row sums to 1
    out = weights v                           (batch, query_len, value_size)

    out, weights = scaled_dot_product_attention(q, k, v, causal=True)
    dq, dk, dv = attention_backward(dout, q, k, v, weights)

The same numbers as ``torch.nn.functional.scaled_dot_product_attention`` (which returns
``out`` only; ``weights`` is what the book draws).
"""

import math

from . import backend, checks
from .functional import softmax


def scaled_dot_product_attention(query, key, value, causal=False, key_mask=None):
    """out, weights: every query's weighted mean of the values.

    query: (batch, query_len, d); key: (batch, key_len, d); value: (batch, key_len, value_size).
    causal: query i sees keys 0..i only (torch's ``is_causal``: the mask's top-left
    corner is query 0 and key 0). key_mask: optional (batch, key_len) bool, True where a
    key may be read, False for padding. Masked keys get weight exactly 0; every query
    must keep at least one key.
    Returns out: (batch, query_len, value_size), weights: (batch, query_len, key_len).
    """
    query, key, value = _checked_inputs(query, key, value)
    xp = backend.xp()
    scores = query @ key.swapaxes(1, 2) / math.sqrt(query.shape[-1])
    allowed = _allowed(scores.shape, causal, key_mask)
    if allowed is not None:
        scores = xp.where(allowed, scores, -xp.inf)
    weights = softmax(scores, axis=-1)
    return weights @ value, weights


def attention_backward(dout, query, key, value, weights):
    """dq, dk, dv of L, given dout = dL/dout and the weights of the forward pass.

        dv = weights^T dout
        dweights = dout v^T
        dscores = weights * (dweights - sum_keys(dweights * weights))   (softmax's Jacobian)
        dq = dscores k / sqrt(d),   dk = dscores^T q / sqrt(d)

    Masked keys have weight 0, so their dscores are 0 and no gradient reaches them.
    Shapes as in ``scaled_dot_product_attention``; dout: like out.
    """
    query, key, value = _checked_inputs(query, key, value)
    batch, query_len, key_len = query.shape[0], query.shape[1], key.shape[1]
    dtype = query.dtype.name
    weights = _checked_like("weights", weights, dtype, (batch, query_len, key_len))
    dout = _checked_like("dout", dout, dtype, (batch, query_len, value.shape[-1]))
    dvalue = weights.swapaxes(1, 2) @ dout
    dweights = dout @ value.swapaxes(1, 2)
    dscores = weights * (dweights - (dweights * weights).sum(axis=-1, keepdims=True))
    scale = 1.0 / math.sqrt(query.shape[-1])
    return dscores @ key * scale, dscores.swapaxes(1, 2) @ query * scale, dvalue


def causal_mask(query_len, key_len=None):
    """(query_len, key_len) bool, True where query i may read key j, i.e. j <= i."""
    query_len = checks.positive_int("query_len", query_len)
    key_len = query_len if key_len is None else checks.positive_int("key_len", key_len)
    xp = backend.xp()
    return xp.arange(key_len)[None, :] <= xp.arange(query_len)[:, None]


def _allowed(shape, causal, key_mask):
    """(batch, query_len, key_len) bool of the keys each query may read, or None for all."""
    batch, query_len, key_len = shape
    allowed = causal_mask(query_len, key_len)[None] if causal else None
    if key_mask is not None:
        keys = _key_mask(key_mask, batch, key_len)[:, None, :]
        allowed = keys if allowed is None else allowed & keys
    if allowed is not None and not bool(allowed.any(axis=-1).all()):
        raise ValueError(
            "a query has no key left to read (key_mask hides every key it may see); "
            "keep at least one key per query, for example the first one"
        )
    return allowed


def _key_mask(key_mask, batch, key_len):
    mask = backend.asarray(key_mask)
    if mask.dtype.kind != "b" or tuple(mask.shape) != (batch, key_len):
        raise ValueError(
            f"key_mask should be a bool array (batch, key_len) = {(batch, key_len)}, "
            f"True where a key may be read; got dtype {mask.dtype}, shape {tuple(mask.shape)}"
        )
    return mask


def _checked_inputs(query, key, value):
    """query, key, value as arrays of one float dtype whose sizes fit together."""
    dtype = checks.common_float_dtype(query, key, value)
    query = checks.array("query", query, dtype, ndim=3, layout="(batch, query_len, d)")
    key = checks.array("key", key, dtype, ndim=3, layout="(batch, key_len, d)")
    value = checks.array("value", value, dtype, ndim=3, layout="(batch, key_len, value_size)")
    if 0 in query.shape or 0 in key.shape or 0 in value.shape:
        raise ValueError(
            f"attention needs non-empty arrays, got shapes {tuple(query.shape)}, "
            f"{tuple(key.shape)}, {tuple(value.shape)}"
        )
    if key.shape[0] != query.shape[0] or key.shape[2] != query.shape[2]:
        raise ValueError(
            f"key should be (batch, key_len, d) = ({query.shape[0]}, key_len, {query.shape[2]}) "
            f"to match query {tuple(query.shape)}, got {tuple(key.shape)}"
        )
    if value.shape[:2] != key.shape[:2]:
        raise ValueError(
            f"value should be (batch, key_len, value_size) with (batch, key_len) = "
            f"{tuple(key.shape[:2])} like key, got {tuple(value.shape)}"
        )
    return query, key, value


def _checked_like(name, value, dtype, shape):
    array = checks.array(name, value, dtype, ndim=3)
    if tuple(array.shape) != shape:
        raise ValueError(f"{name} should have shape {shape}, got {tuple(array.shape)}")
    return array

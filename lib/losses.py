"""Losses that return their own gradient: ``loss, dpred = loss_fn(pred, target)``.

Each loss is a mean, like torch's default ``reduction="mean"``, so the gradient it
returns is already divided by the number of terms and goes straight into ``backward``.
"""

from . import backend, checks
from .functional import log_softmax


def mse_loss(pred, target):
    """L = mean((pred - target)^2) over every element; dL/dpred = 2 (pred - target) / N.

    pred, target: any shape, the same for both. Returns (loss: float, dpred: like pred).
    """
    pred = _float_array("pred", pred)
    target = checks.array("target", target, pred.dtype.name)
    if target.shape != pred.shape:
        raise ValueError(
            f"target should have the shape of pred {tuple(pred.shape)}, got {tuple(target.shape)}"
        )
    diff = pred - target
    return float((diff * diff).mean()), (2.0 / diff.size) * diff


def cross_entropy(logits, labels, mask=None):
    """L = -mean over positions of log softmax(logits)[label]; dL/dlogits = (p - onehot) / N.

    logits: (..., num_classes) raw scores, for example (batch, C) or (batch, seq_len, C);
    labels: (...) integer class indices in 0..C-1; mask: optional (...) of 0/1 or bool,
    only positions where it is set count (N = their number).
    Returns (loss: float, dlogits: like logits).
    """
    logits, labels, weights = _classification_inputs(logits, labels, mask)
    xp = backend.xp()
    onehot = labels[..., None] == xp.arange(logits.shape[-1])  # (..., C) bool
    log_p = log_softmax(logits, axis=-1)
    scale = weights / weights.sum()  # (...): 1/N where counted, 0 elsewhere
    loss = -((log_p * onehot).sum(axis=-1) * scale).sum()
    dlogits = (xp.exp(log_p) - onehot) * scale[..., None]
    return float(loss), dlogits


def accuracy(logits, labels, mask=None):
    """The fraction of (unmasked) positions where argmax(logits) equals the label.

    logits: (..., num_classes); labels: (...) integers; mask: optional (...). Returns a float.
    """
    logits, labels, weights = _classification_inputs(logits, labels, mask)
    correct = (logits.argmax(axis=-1) == labels) * weights
    return float(correct.sum() / weights.sum())


def _float_array(name, value):
    """``value`` as a float array: float64 stays float64, anything else becomes float32."""
    return checks.array(name, value, checks.common_float_dtype(value))


def _classification_inputs(logits, labels, mask):
    """Checked (logits (..., C), labels (...) int64, weights (...) 0/1 of logits' dtype)."""
    logits = _float_array("logits", logits)
    if logits.ndim == 0:
        raise ValueError("logits should have at least 1 dimension (..., num_classes), got a scalar")
    positions, num_classes = logits.shape[:-1], logits.shape[-1]
    labels = _integer_labels(labels, positions)
    weights = _weights(mask, positions, logits.dtype)
    if not bool(weights.any()):
        raise ValueError("mask selects no position, so there is nothing to average over")
    counted = labels[weights > 0]
    if counted.size and (int(counted.min()) < 0 or int(counted.max()) >= num_classes):
        raise ValueError(
            f"labels must lie in 0..{num_classes - 1} (logits have {num_classes} classes), "
            f"got values from {int(counted.min())} to {int(counted.max())}"
        )
    return logits, labels, weights


def _integer_labels(labels, positions):
    """``labels`` as an int64 array of shape ``positions``."""
    if labels is None:
        raise TypeError(f"labels is None; expected integer class indices of shape {positions}")
    raw = backend.asarray(labels)
    if raw.dtype.kind not in "iu":
        raise TypeError(
            f"labels must be integer class indices, got dtype {raw.dtype}; "
            "convert them with labels.astype('int64')"
        )
    if raw.shape != positions:
        raise ValueError(
            f"labels should have shape {positions} (the logits' shape without the class "
            f"dimension), got {tuple(raw.shape)}"
        )
    return raw.astype("int64", copy=False)


def _weights(mask, positions, dtype):
    """1 where a position counts, 0 where it does not: shape ``positions``, float ``dtype``."""
    xp = backend.xp()
    if mask is None:
        return xp.ones(positions, dtype=dtype)
    mask = backend.asarray(mask)
    if mask.dtype.kind == "b":
        mask = mask.astype(dtype)
    mask = checks.array("mask", mask, dtype)
    if mask.shape != positions:
        raise ValueError(
            f"mask should have shape {positions} (like labels), got {tuple(mask.shape)}"
        )
    if not bool(((mask == 0) | (mask == 1)).all()):
        raise ValueError("mask must hold only 0/1 or True/False values")
    return mask

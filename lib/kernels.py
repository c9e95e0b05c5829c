"""The time loops: one layer, one direction, forward and backpropagation through time.

Each kernel works on ``xw: (seq_len, batch, gates * hidden)``, the input projections
of all time steps computed with one matrix product before the loop (the cuDNN
recipe), already in processing order (a reverse direction passes them flipped).
Inside the loop only ``h_{t-1} @ W_hh.T`` remains, written into a preallocated
``(batch, gates * hidden)`` block; the elementwise gate math of one step is a
separate ``*_step`` function that works in place in preallocated buffers, so the
loop allocates nothing. On the GPU (CuPy) each step's elementwise math runs as one
fused kernel from ``lib.fused`` instead, tested equal to the readable step.

``backward`` returns ``dxw`` (the gradient of the input projections), ``dgh`` (the
gradient of the recurrent projections ``W_hh h_{t-1} + b_hh``), the gradient of the
initial state and any extra parameter gradients; the caller turns ``dxw`` and
``dgh`` into weight gradients with one matrix product over all steps.

Variable lengths: ``padded`` (seq_len, batch, 1) bool, True at the steps that are
padding for a row, in processing order. At such a step the row keeps its previous
state (forward) and passes its state gradient through untouched, with zero gate
gradients (backward), so padding changes neither the states nor the gradients.
``padded=None`` (every row full length) skips this work entirely.

Why this module is long: the three kernels (RNN, LSTM, GRU) are one idea, the same
in-place loop with different gate equations, and they are easiest to read side by side.
"""

import functools

from . import backend, fused
from .functional import sigmoid, tanh


def _hold(where, pairs):
    """For the rows ``where`` is True, undo a step: new[row] = old[row] for each pair."""
    xp = backend.xp()
    for new, old in pairs:
        xp.copyto(new, old, where=where)


def _zero(where, *arrays):
    """For the rows ``where`` is True, set each array's row to zero (no gradient flows)."""
    xp = backend.xp()
    for array in arrays:
        xp.copyto(array, 0, where=where)


def _blocks(a, count):
    """The ``count`` gate blocks of a (batch, count * hidden) array, as views."""
    size = a.shape[-1] // count
    return tuple(a[..., k * size : (k + 1) * size] for k in range(count))


class RNNKernel:
    """h_t = act(xw_t + W_hh h_{t-1}), act = tanh or relu."""

    gates = 1
    reads_previous_state = True  # W_hh h_{t-1} enters the gates
    state_names = ("h",)

    def __init__(self, nonlinearity="tanh"):
        self.nonlinearity = nonlinearity

    def forward(self, xw, state, weight_hh, bias_hh=None, extra=None, padded=None):
        xp = backend.xp()
        (h0,) = state
        steps, batch, size = xw.shape
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        hs[0] = h0
        step = fused.rnn_forward_step if fused.enabled() else rnn_forward_step
        w_t = xp.ascontiguousarray(weight_hh.T)  # BLAS reads a row-major copy faster
        for k in range(steps):
            xp.matmul(hs[k], w_t, out=hs[k + 1])
            step(hs[k + 1], xw[k], self.nonlinearity)
            if padded is not None:
                _hold(padded[k], [(hs[k + 1], hs[k])])
        return hs[1:], (hs[steps],), {"hs": hs}

    def backward(self, dout, dstate, cache, weight_hh, extra=None, padded=None):
        xp = backend.xp()
        hs = cache["hs"]
        dh = dstate[0].copy()
        dxw = xp.empty(dout.shape, dtype=dout.dtype)
        step = fused.rnn_backward_step if fused.enabled() else rnn_backward_step
        for k in range(dout.shape[0] - 1, -1, -1):
            if padded is not None:
                held = dh.copy()
            step(dxw[k], dh, dout[k], hs[k + 1], self.nonlinearity)
            if padded is not None:
                _zero(padded[k], dxw[k])
            xp.matmul(dxw[k], weight_hh, out=dh)
            if padded is not None:
                _hold(padded[k], [(dh, held)])
        return dxw, dxw, (dh,), {}


def rnn_forward_step(pre, xw_t, nonlinearity):
    """In place: pre <- act(pre + xw_t), where pre holds W_hh h_{t-1} on entry."""
    pre += xw_t
    if nonlinearity == "tanh":
        tanh(pre, out=pre)
    else:
        backend.xp().maximum(pre, 0, out=pre)


def rnn_backward_step(da, dh, dout_t, h, nonlinearity):
    """da <- (dh + dout_t) * act'(a), with act' written through the output h."""
    xp = backend.xp()
    dh += dout_t
    if nonlinearity == "tanh":
        xp.multiply(h, h, out=da)
        xp.subtract(1, da, out=da)  # tanh' = 1 - h^2
    else:
        xp.greater(h, 0, out=da)  # relu' = 1 where h > 0
    da *= dh


class LSTMKernel:
    """Gates i, f, g, o; c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t); optional peepholes."""

    gates = 4
    reads_previous_state = True  # W_hh h_{t-1} enters the gates
    state_names = ("h", "c")

    def forward(self, xw, state, weight_hh, bias_hh=None, peephole=None, padded=None):
        xp = backend.xp()
        steps, batch, four_size = xw.shape
        size = four_size // 4
        gates = xp.empty(xw.shape, dtype=xw.dtype)
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        cs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        tanh_cs = xp.empty((steps, batch, size), dtype=xw.dtype)
        scratch = xp.empty((batch, size), dtype=xw.dtype)
        hs[0], cs[0] = state
        if fused.enabled() and peephole is None:
            step = fused.lstm_forward_step
        else:
            scale_shift = None if peephole is not None else _sigmoid_by_tanh(size, xw.dtype.name)
            step = functools.partial(
                lstm_forward_step, scratch=scratch, peephole=peephole, scale_shift=scale_shift
            )
        w_t = xp.ascontiguousarray(weight_hh.T)  # BLAS reads a row-major copy faster
        for k in range(steps):
            xp.matmul(hs[k], w_t, out=gates[k])
            step(gates[k], xw[k], cs[k], cs[k + 1], tanh_cs[k], hs[k + 1])
            if padded is not None:
                _hold(padded[k], [(hs[k + 1], hs[k]), (cs[k + 1], cs[k])])
        cache = {"hs": hs, "cs": cs, "tanh_cs": tanh_cs, "gates": gates}
        return hs[1:], (hs[steps], cs[steps]), cache

    def backward(self, dout, dstate, cache, weight_hh, peephole=None, padded=None):
        xp = backend.xp()
        gates, cs = cache["gates"], cache["cs"]
        dh, dc = (d.copy() for d in dstate)
        dgates = xp.empty(gates.shape, dtype=gates.dtype)
        scratch = xp.empty(dh.shape, dtype=dh.dtype)
        step = self._backward_step(dgates, dh, dc, dout, cache, scratch, peephole)
        for k in range(dout.shape[0] - 1, -1, -1):
            if padded is not None:
                held = (dh.copy(), dc.copy())
            step(k)
            if padded is not None:
                _zero(padded[k], dgates[k])
            xp.matmul(dgates[k], weight_hh, out=dh)
            if padded is not None:
                _hold(padded[k], [(dh, held[0]), (dc, held[1])])
        extra = {}
        if peephole is not None:
            di, df, _, do = _blocks(dgates, 4)
            extra["peephole"] = xp.stack(
                [
                    (di * cs[:-1]).sum(axis=(0, 1)),
                    (df * cs[:-1]).sum(axis=(0, 1)),
                    (do * cs[1:]).sum(axis=(0, 1)),
                ]
            )
        return dgates, dgates, (dh, dc), extra

    @staticmethod
    def _backward_step(dgates, dh, dc, dout, cache, scratch, peephole):
        """step(k): one step back at time k, the fused, peephole or factored way."""
        gates, cs, tanh_cs = cache["gates"], cache["cs"], cache["tanh_cs"]
        if fused.enabled() and peephole is None:
            return lambda k: fused.lstm_backward_step(
                dgates[k], dh, dc, dout[k], gates[k], cs[k], tanh_cs[k]
            )
        if peephole is not None:
            return lambda k: lstm_backward_step(
                dgates[k], dh, dc, dout[k], gates[k], cs[k], tanh_cs[k], scratch, peephole
            )
        forget = _blocks(gates, 4)[1]
        # The factors of a few steps at a time: enough to replace many small array
        # operations by a few larger ones, few enough to stay in the CPU's cache.
        chunk = max(1, FACTOR_CHUNK_ELEMENTS // gates[0].size)
        computed = {}

        def step(k):
            start = k - k % chunk
            if computed.get("start") != start:
                stop = start + chunk
                computed["start"] = start
                computed["factors"] = lstm_backward_factors(
                    gates[start:stop], cs[start : stop + 1], tanh_cs[start:stop]
                )
            factors, through_tanh = computed["factors"]
            lstm_backward_factored_step(
                dgates[k], dh, dc, dout[k], factors[k - start], through_tanh[k - start],
                forget[k], scratch,
            )  # fmt: skip

        return step


def lstm_forward_step(a, xw_t, c_prev, c, tanh_c, h, scratch, peephole=None, scale_shift=None):
    """One step in place. a: (batch, 4H) holds W_hh h_{t-1} on entry, the gates on exit.

    i, f, o = sigma(.), g = tanh(.)      (peepholes: i, f see c_{t-1}; o sees c_t)
    c = f * c_prev + i * g,  h = o * tanh(c)
    scale_shift: ``_sigmoid_by_tanh(hidden, dtype)``, passed in by a loop that calls this
    at every step.
    """
    xp = backend.xp()
    a += xw_t
    i, f, g, o = _blocks(a, 4)
    if peephole is None:
        # sigma(v) = (1 + tanh(v / 2)) / 2, so one tanh call covers all four gates
        scale, shift = scale_shift or _sigmoid_by_tanh(g.shape[1], a.dtype.name)
        a *= scale
        tanh(a, out=a)
        a *= scale
        a += shift
    else:
        i += peephole[0] * c_prev
        f += peephole[1] * c_prev
        sigmoid(a[:, : 2 * g.shape[1]], out=a[:, : 2 * g.shape[1]])  # i and f side by side
        tanh(g, out=g)
    xp.multiply(f, c_prev, out=c)
    xp.multiply(i, g, out=scratch)
    c += scratch
    if peephole is not None:
        o += peephole[2] * c
        sigmoid(o, out=o)
    tanh(c, out=tanh_c)
    xp.multiply(o, tanh_c, out=h)


def _sigmoid_by_tanh(size, dtype):
    """(scale, shift) over the i, f, g, o blocks: 1/2 and 1/2 for the sigmoid gates, 1 and 0
    for the candidate, so that shift + scale * tanh(scale * a) applies each gate's function."""
    return _scale_shift(size, dtype, backend.name())


@functools.cache
def _scale_shift(size, dtype, backend_name):
    xp = backend.xp()
    scale = xp.full(4 * size, 0.5, dtype=dtype)
    scale[2 * size : 3 * size] = 1.0
    shift = xp.full(4 * size, 0.5, dtype=dtype)
    shift[2 * size : 3 * size] = 0.0
    return scale, shift


def lstm_backward_step(da, dh, dc, dout_t, a, c_prev, tanh_c, scratch, peephole=None):
    """One step back. On entry dh, dc are the gradients of h_t, c_t from the future;
    on exit da holds the gate pre-activation gradients and dc the gradient of c_{t-1}.

        dh += dout_t
        do = dh * tanh(c) * o (1 - o)                 (h = o tanh c)
        dc += dh * o * (1 - tanh(c)^2)                (... and through tanh c)
        dg = dc * i * (1 - g^2),  di = dc * g * i (1 - i),  df = dc * c_prev * f (1 - f)
        dc_prev = dc * f                              (c = f c_prev + i g)
    """
    xp = backend.xp()
    i, f, g, o = _blocks(a, 4)
    di, df, dg, do = _blocks(da, 4)
    dh += dout_t
    xp.subtract(1, o, out=do)
    do *= o
    do *= tanh_c
    do *= dh
    xp.multiply(tanh_c, tanh_c, out=scratch)
    xp.subtract(1, scratch, out=scratch)
    scratch *= o
    scratch *= dh
    dc += scratch
    if peephole is not None:
        dc += do * peephole[2]
    xp.multiply(g, g, out=dg)
    xp.subtract(1, dg, out=dg)
    dg *= i
    dg *= dc
    xp.subtract(1, i, out=di)
    di *= i
    di *= g
    di *= dc
    xp.subtract(1, f, out=df)
    df *= f
    df *= c_prev
    df *= dc
    dc *= f
    if peephole is not None:
        dc += di * peephole[0] + df * peephole[1]


FACTOR_CHUNK_ELEMENTS = 1 << 17  # 512 KB of float32


def lstm_backward_factors(gates, cs, tanh_cs):
    """What one step back multiplies the incoming gradients by, for all steps at once.

        factors = [g i (1 - i),  c_prev f (1 - f),  i (1 - g^2),  tanh(c) o (1 - o)]
        through_tanh = o (1 - tanh(c)^2)

    gates: (steps, batch, 4H) the values i, f, g, o; cs: (steps + 1, batch, H) with c_0
    first; tanh_cs: (steps, batch, H). None of this depends on dh or dc, so it is computed
    for several steps at once, outside the step loop, in a few array operations.
    """
    xp = backend.xp()
    i, f, g, o = _blocks(gates, 4)
    factors = xp.multiply(gates, gates)
    xp.subtract(gates, factors, out=factors)  # s (1 - s) = s - s^2 for i, f and o
    factor_i, factor_f, factor_g, factor_o = _blocks(factors, 4)
    xp.subtract(1, g * g, out=factor_g)  # 1 - g^2 for the candidate
    factor_i *= g
    factor_f *= cs[:-1]
    factor_g *= i
    factor_o *= tanh_cs
    through_tanh = xp.multiply(tanh_cs, tanh_cs)
    xp.subtract(1, through_tanh, out=through_tanh)
    through_tanh *= o
    return factors, through_tanh


def lstm_backward_factored_step(da, dh, dc, dout_t, factors, through_tanh, f, scratch):
    """``lstm_backward_step`` with its factors precomputed (``lstm_backward_factors``):

    dh += dout_t
    dc += dh * through_tanh               (c reaches h through tanh)
    di, df, dg = dc * factors[i, f, g]    (c = f c_prev + i g)
    do = dh * factors[o]                  (h = o tanh c)
    dc_prev = dc * f
    """
    xp = backend.xp()
    batch, size = dh.shape
    dh += dout_t
    xp.multiply(dh, through_tanh, out=scratch)
    dc += scratch
    three = slice(0, 3 * size)
    xp.multiply(
        factors[:, three].reshape(batch, 3, size),
        dc[:, None, :],
        out=da[:, three].reshape(batch, 3, size),
    )
    xp.multiply(factors[:, 3 * size :], dh, out=da[:, 3 * size :])
    dc *= f


class GRUKernel:
    """PyTorch's GRU: r, z from x and h; n = tanh(xw_n + r (W_hn h + b_hn)); h' = n + z (h - n)."""

    gates = 3
    reads_previous_state = True  # W_hh h_{t-1} enters the gates
    state_names = ("h",)

    def forward(self, xw, state, weight_hh, bias_hh=None, extra=None, padded=None):
        xp = backend.xp()
        steps, batch, three_size = xw.shape
        size = three_size // 3
        gates = xp.empty(xw.shape, dtype=xw.dtype)
        hidden_n = xp.empty((steps, batch, size), dtype=xw.dtype)
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        gh = xp.empty((batch, three_size), dtype=xw.dtype)
        hs[0] = state[0]
        step = fused.gru_forward_step if fused.enabled() else gru_forward_step
        w_t = xp.ascontiguousarray(weight_hh.T)  # BLAS reads a row-major copy faster
        for k in range(steps):
            xp.matmul(hs[k], w_t, out=gh)
            if bias_hh is not None:
                gh += bias_hh
            step(gates[k], hidden_n[k], hs[k + 1], xw[k], gh, hs[k])
            if padded is not None:
                _hold(padded[k], [(hs[k + 1], hs[k])])
        return hs[1:], (hs[steps],), {"hs": hs, "gates": gates, "hidden_n": hidden_n}

    def backward(self, dout, dstate, cache, weight_hh, extra=None, padded=None):
        xp = backend.xp()
        hs, gates, hidden_n = cache["hs"], cache["gates"], cache["hidden_n"]
        dh = dstate[0].copy()
        dxw = xp.empty(gates.shape, dtype=gates.dtype)
        dgh = xp.empty(gates.shape, dtype=gates.dtype)
        dh_through_w = xp.empty(dh.shape, dtype=dh.dtype)
        step = fused.gru_backward_step if fused.enabled() else gru_backward_step
        for k in range(dout.shape[0] - 1, -1, -1):
            if padded is not None:
                held = dh.copy()
            step(dxw[k], dgh[k], dh, dout[k], gates[k], hidden_n[k], hs[k])
            if padded is not None:
                _zero(padded[k], dxw[k], dgh[k])
            xp.matmul(dgh[k], weight_hh, out=dh_through_w)
            dh += dh_through_w
            if padded is not None:
                _hold(padded[k], [(dh, held)])
        return dxw, dgh, (dh,), {}


def gru_forward_step(a, hidden_n, h, xw_t, gh, h_prev):
    """One step. gh = W_hh h_prev + b_hh; writes the gates r, z, n into a, and h.

    r, z = sigma(xw_r + gh_r), sigma(xw_z + gh_z)
    n = tanh(xw_n + r * gh_n)
    h = (1 - z) * n + z * h_prev  =  n + z * (h_prev - n)
    """
    xp = backend.xp()
    size = h.shape[1]
    r, z, n = _blocks(a, 3)
    rz = a[:, : 2 * size]
    xp.add(xw_t[:, : 2 * size], gh[:, : 2 * size], out=rz)
    sigmoid(rz, out=rz)
    hidden_n[...] = gh[:, 2 * size :]
    xp.multiply(r, hidden_n, out=n)
    n += xw_t[:, 2 * size :]
    tanh(n, out=n)
    xp.subtract(h_prev, n, out=h)
    h *= z
    h += n


def gru_backward_step(dxw, dgh, dh, dout_t, a, hidden_n, h_prev):
    """One step back. On entry dh is the gradient of h_t from the future; on exit it is
    the part of dL/dh_{t-1} that flows directly (z * dh); the caller adds dgh @ W_hh.

        dn = dh (1 - z) (1 - n^2);  dz = dh (h_prev - n) z (1 - z)
        dr = dn * gh_n * r (1 - r); dgh = [dr, dz, dn * r]; dxw = [dr, dz, dn]
    """
    xp = backend.xp()
    size = h_prev.shape[1]
    r, z, n = _blocks(a, 3)
    dr, dz, dn = _blocks(dxw, 3)
    dh += dout_t
    xp.subtract(1, z, out=dn)
    dn *= dh
    xp.multiply(n, n, out=dr)  # dr as scratch for 1 - n^2
    xp.subtract(1, dr, out=dr)
    dn *= dr
    xp.subtract(h_prev, n, out=dz)
    dz *= dh
    xp.subtract(1, z, out=dr)
    dz *= dr
    dz *= z
    xp.subtract(1, r, out=dr)
    dr *= r
    dr *= hidden_n
    dr *= dn
    dgh[:, : 2 * size] = dxw[:, : 2 * size]
    xp.multiply(dn, r, out=dgh[:, 2 * size :])
    dh *= z

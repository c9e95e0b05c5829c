"""The time loops: one layer, one direction, forward and backpropagation through time.

Each kernel works on ``xw: (seq_len, batch, gates * hidden)``, the input projections
of all time steps computed with one matrix product before the loop (the cuDNN
recipe), already in processing order (a reverse direction passes them flipped).
Inside the loop only ``h_{t-1} @ W_hh.T`` remains. Gate blocks live side by side in
one ``(batch, gates * hidden)`` array and the nonlinearities run in place.

``backward`` returns ``dxw`` (the gradient of the input projections), ``dgh`` (the
gradient of the recurrent projections ``W_hh h_{t-1} + b_hh``), the gradient of the
initial state and any extra parameter gradients; the caller turns ``dxw`` and
``dgh`` into weight gradients with one matrix product over all steps.
"""

from . import backend
from .functional import sigmoid, tanh


class RNNKernel:
    """h_t = act(xw_t + W_hh h_{t-1}), act = tanh or relu."""

    gates = 1
    state_names = ("h",)

    def __init__(self, nonlinearity="tanh"):
        self.nonlinearity = nonlinearity

    def forward(self, xw, state, weight_hh, bias_hh=None, extra=None):
        xp = backend.xp()
        (h0,) = state
        steps, batch, size = xw.shape
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        hs[0] = h0
        w_t = weight_hh.T
        for k in range(steps):
            pre = hs[k + 1]
            xp.matmul(hs[k], w_t, out=pre)
            pre += xw[k]
            if self.nonlinearity == "tanh":
                xp.tanh(pre, out=pre)
            else:
                xp.maximum(pre, 0, out=pre)
        return hs[1:], (hs[steps],), {"hs": hs}

    def backward(self, dout, dstate, cache, weight_hh, extra=None):
        xp = backend.xp()
        hs = cache["hs"]
        (dh,) = dstate
        dh = dh.copy()
        dxw = xp.empty(dout.shape, dtype=dout.dtype)
        for k in range(dout.shape[0] - 1, -1, -1):
            dh += dout[k]
            da = dxw[k]
            h = hs[k + 1]
            if self.nonlinearity == "tanh":
                xp.multiply(h, h, out=da)
                xp.subtract(1, da, out=da)
            else:
                xp.greater(h, 0, out=da)
            da *= dh
            dh = da @ weight_hh
        return dxw, dxw, (dh,), {}


class LSTMKernel:
    """Gates i, f, g, o; c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t); optional peepholes."""

    gates = 4
    state_names = ("h", "c")

    def forward(self, xw, state, weight_hh, bias_hh=None, peephole=None):
        xp = backend.xp()
        h0, c0 = state
        steps, batch, four_size = xw.shape
        size = four_size // 4
        gates = xp.empty(xw.shape, dtype=xw.dtype)
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        cs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        tanh_cs = xp.empty((steps, batch, size), dtype=xw.dtype)
        input_times_candidate = xp.empty((batch, size), dtype=xw.dtype)
        hs[0], cs[0] = h0, c0
        w_t = weight_hh.T
        for k in range(steps):
            a = gates[k]
            xp.matmul(hs[k], w_t, out=a)
            a += xw[k]
            i, f, g, o = (
                a[:, :size],
                a[:, size : 2 * size],
                a[:, 2 * size : 3 * size],
                a[:, 3 * size :],
            )
            if peephole is not None:
                i += peephole[0] * cs[k]
                f += peephole[1] * cs[k]
            sigmoid(a[:, : 2 * size], out=a[:, : 2 * size])
            tanh(g, out=g)
            c = cs[k + 1]
            xp.multiply(f, cs[k], out=c)
            xp.multiply(i, g, out=input_times_candidate)
            c += input_times_candidate
            if peephole is not None:
                o += peephole[2] * c
            sigmoid(o, out=o)
            tanh(c, out=tanh_cs[k])
            xp.multiply(o, tanh_cs[k], out=hs[k + 1])
        cache = {"hs": hs, "cs": cs, "tanh_cs": tanh_cs, "gates": gates}
        return hs[1:], (hs[steps], cs[steps]), cache

    def backward(self, dout, dstate, cache, weight_hh, peephole=None):
        xp = backend.xp()
        gates, cs, tanh_cs = cache["gates"], cache["cs"], cache["tanh_cs"]
        size = cs.shape[2]
        dh, dc = (d.copy() for d in dstate)
        dgates = xp.empty(gates.shape, dtype=gates.dtype)
        for k in range(dout.shape[0] - 1, -1, -1):
            dh += dout[k]
            a, da = gates[k], dgates[k]
            i, f, g, o = (
                a[:, :size],
                a[:, size : 2 * size],
                a[:, 2 * size : 3 * size],
                a[:, 3 * size :],
            )
            di, df = da[:, :size], da[:, size : 2 * size]
            dg, do = da[:, 2 * size : 3 * size], da[:, 3 * size :]
            tanh_c = tanh_cs[k]
            # h = o * tanh(c): through o and through c
            xp.multiply(dh, tanh_c, out=do)
            do *= o * (1 - o)
            dc += dh * o * (1 - tanh_c * tanh_c)
            if peephole is not None:
                dc += do * peephole[2]
            # c = f * c_prev + i * g
            xp.multiply(dc, i, out=dg)
            dg *= 1 - g * g
            xp.multiply(dc, g, out=di)
            di *= i * (1 - i)
            xp.multiply(dc, cs[k], out=df)
            df *= f * (1 - f)
            dc *= f
            if peephole is not None:
                dc += di * peephole[0] + df * peephole[1]
            dh = da @ weight_hh
        extra = {}
        if peephole is not None:
            extra["peephole"] = xp.stack(
                [
                    (dgates[:, :, :size] * cs[:-1]).sum(axis=(0, 1)),
                    (dgates[:, :, size : 2 * size] * cs[:-1]).sum(axis=(0, 1)),
                    (dgates[:, :, 3 * size :] * cs[1:]).sum(axis=(0, 1)),
                ]
            )
        return dgates, dgates, (dh, dc), extra


class GRUKernel:
    """PyTorch's GRU: r, z from x and h; n = tanh(xw_n + r (W_hn h + b_hn)); h' = n + z (h - n)."""

    gates = 3
    state_names = ("h",)

    def forward(self, xw, state, weight_hh, bias_hh=None, extra=None):
        xp = backend.xp()
        (h0,) = state
        steps, batch, three_size = xw.shape
        size = three_size // 3
        gates = xp.empty(xw.shape, dtype=xw.dtype)
        hidden_n = xp.empty((steps, batch, size), dtype=xw.dtype)
        hs = xp.empty((steps + 1, batch, size), dtype=xw.dtype)
        gh = xp.empty((batch, three_size), dtype=xw.dtype)
        hs[0] = h0
        w_t = weight_hh.T
        for k in range(steps):
            xp.matmul(hs[k], w_t, out=gh)
            if bias_hh is not None:
                gh += bias_hh
            a = gates[k]
            rz, n = a[:, : 2 * size], a[:, 2 * size :]
            xp.add(xw[k, :, : 2 * size], gh[:, : 2 * size], out=rz)
            sigmoid(rz, out=rz)
            hidden_n[k] = gh[:, 2 * size :]
            xp.multiply(a[:, :size], hidden_n[k], out=n)
            n += xw[k, :, 2 * size :]
            tanh(n, out=n)
            h = hs[k + 1]
            xp.subtract(hs[k], n, out=h)
            h *= a[:, size : 2 * size]
            h += n
        return hs[1:], (hs[steps],), {"hs": hs, "gates": gates, "hidden_n": hidden_n}

    def backward(self, dout, dstate, cache, weight_hh, extra=None):
        xp = backend.xp()
        hs, gates, hidden_n = cache["hs"], cache["gates"], cache["hidden_n"]
        size = hs.shape[2]
        (dh,) = dstate
        dh = dh.copy()
        dxw = xp.empty(gates.shape, dtype=gates.dtype)
        dgh = xp.empty(gates.shape, dtype=gates.dtype)
        for k in range(dout.shape[0] - 1, -1, -1):
            dh += dout[k]
            a = gates[k]
            r, z, n = a[:, :size], a[:, size : 2 * size], a[:, 2 * size :]
            dr, dz, dn = dxw[k, :, :size], dxw[k, :, size : 2 * size], dxw[k, :, 2 * size :]
            # h' = (1 - z) * n + z * h
            xp.multiply(dh, 1 - z, out=dn)
            dn *= 1 - n * n
            xp.subtract(hs[k], n, out=dz)
            dz *= dh
            dz *= z * (1 - z)
            # n = tanh(xw_n + r * hidden_n)
            xp.multiply(dn, hidden_n[k], out=dr)
            dr *= r * (1 - r)
            dgh[k, :, : 2 * size] = dxw[k, :, : 2 * size]
            xp.multiply(dn, r, out=dgh[k, :, 2 * size :])
            dh *= z
            dh += dgh[k] @ weight_hh
        return dxw, dgh, (dh,), {}

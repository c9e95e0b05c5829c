"""Fused GPU kernels: one CUDA kernel per time step for each cell's elementwise math.

On the GPU every array operation is a kernel launch, and the readable step functions
of ``lib.kernels`` launch a dozen per step. Here each step's gate math is one
``cupy.ElementwiseKernel`` that reads the gate block once and writes every result,
computing exactly the equations of the readable steps (tests compare the two). The
matrix products stay with cuBLAS. Only used when the backend is CuPy and
``enabled()`` is true; ``set_enabled(False)`` runs the readable steps on the GPU.
"""

import functools

from . import backend

_switch = {"on": True}


def set_enabled(on):
    """Use the fused kernels on the GPU (True, the default) or the readable steps (False)."""
    _switch["on"] = bool(on)


def enabled():
    """True when the backend is CuPy and fusion is switched on."""
    return _switch["on"] and backend.name() == "cupy"


# Each kernel runs one thread per (batch row, hidden unit); ``H`` is the hidden size and
# gate k of that unit sits at ``row * G * H + k * H + unit`` in a (batch, G * H) block.
_INDEX = "const int row = i / H, unit = i % H;"
_SIGMOID = "__device__ inline T sigm(T x) { return (T)0.5 * (tanh((T)0.5 * x) + (T)1); }"


@functools.cache
def _kernel(name, params, outs, body):
    return backend.xp().ElementwiseKernel(
        params, outs, _INDEX + body, name, preamble="template <typename T>\n" + _SIGMOID
    )


def _launch(name, params, outs, body, *args, size):
    _kernel(name, params, outs, body)(*args, size=size)


def rnn_forward_step(pre, xw_t, nonlinearity):
    """pre <- act(pre + xw_t), one kernel (see lib.kernels.rnn_forward_step)."""
    act = "tanh(v)" if nonlinearity == "tanh" else "(v > (T)0 ? v : (T)0)"
    _launch(
        f"rnn_forward_{nonlinearity}",
        "raw T xw, int32 H",
        "raw T pre",
        f"T v = pre[i] + xw[i]; pre[i] = {act}; (void)row; (void)unit;",
        xw_t,
        pre.shape[1],
        pre,
        size=pre.size,
    )


def rnn_backward_step(da, dh, dout_t, h, nonlinearity):
    """dh += dout_t; da = dh * act'(a), one kernel (see lib.kernels.rnn_backward_step)."""
    slope = "((T)1 - h[i] * h[i])" if nonlinearity == "tanh" else "(h[i] > (T)0 ? (T)1 : (T)0)"
    _launch(
        f"rnn_backward_{nonlinearity}",
        "raw T dout, raw T h, int32 H",
        "raw T dh, raw T da",
        f"T g = dh[i] + dout[i]; dh[i] = g; da[i] = g * {slope}; (void)row; (void)unit;",
        dout_t,
        h,
        h.shape[1],
        dh,
        da,
        size=h.size,
    )


def lstm_forward_step(a, xw_t, c_prev, c, tanh_c, h):
    """The LSTM step of lib.kernels.lstm_forward_step (no peepholes), one kernel."""
    _launch(
        "lstm_forward",
        "raw T xw, raw T c_prev, int32 H",
        "raw T a, raw T c, raw T tanh_c, raw T h",
        """
        const int b = row * 4 * H + unit;
        const T gi = sigm(a[b] + xw[b]), gf = sigm(a[b + H] + xw[b + H]);
        const T gg = tanh(a[b + 2 * H] + xw[b + 2 * H]), go = sigm(a[b + 3 * H] + xw[b + 3 * H]);
        const T cn = gf * c_prev[i] + gi * gg, tc = tanh(cn);
        a[b] = gi; a[b + H] = gf; a[b + 2 * H] = gg; a[b + 3 * H] = go;
        c[i] = cn; tanh_c[i] = tc; h[i] = go * tc;
        """,
        xw_t,
        c_prev,
        h.shape[1],
        a,
        c,
        tanh_c,
        h,
        size=h.size,
    )


def lstm_backward_step(da, dh, dc, dout_t, a, c_prev, tanh_c):
    """The LSTM step of lib.kernels.lstm_backward_step (no peepholes), one kernel."""
    _launch(
        "lstm_backward",
        "raw T dout, raw T a, raw T c_prev, raw T tanh_c, int32 H",
        "raw T dh, raw T dc, raw T da",
        """
        const int b = row * 4 * H + unit;
        const T gi = a[b], gf = a[b + H], gg = a[b + 2 * H], go = a[b + 3 * H];
        const T tc = tanh_c[i], g = dh[i] + dout[i];
        const T dcn = dc[i] + g * go * ((T)1 - tc * tc);
        da[b] = dcn * gg * gi * ((T)1 - gi);
        da[b + H] = dcn * c_prev[i] * gf * ((T)1 - gf);
        da[b + 2 * H] = dcn * gi * ((T)1 - gg * gg);
        da[b + 3 * H] = g * tc * go * ((T)1 - go);
        dh[i] = g; dc[i] = dcn * gf;
        """,
        dout_t,
        a,
        c_prev,
        tanh_c,
        dh.shape[1],
        dh,
        dc,
        da,
        size=dh.size,
    )


def gru_forward_step(a, hidden_n, h, xw_t, gh, h_prev):
    """The GRU step of lib.kernels.gru_forward_step, one kernel."""
    _launch(
        "gru_forward",
        "raw T xw, raw T gh, raw T h_prev, int32 H",
        "raw T a, raw T hidden_n, raw T h",
        """
        const int b = row * 3 * H + unit;
        const T r = sigm(xw[b] + gh[b]), z = sigm(xw[b + H] + gh[b + H]);
        const T hn = gh[b + 2 * H], n = tanh(xw[b + 2 * H] + r * hn);
        a[b] = r; a[b + H] = z; a[b + 2 * H] = n;
        hidden_n[i] = hn; h[i] = n + z * (h_prev[i] - n);
        """,
        xw_t,
        gh,
        h_prev,
        h.shape[1],
        a,
        hidden_n,
        h,
        size=h.size,
    )


def gru_backward_step(dxw, dgh, dh, dout_t, a, hidden_n, h_prev):
    """The GRU step of lib.kernels.gru_backward_step, one kernel."""
    _launch(
        "gru_backward",
        "raw T dout, raw T a, raw T hidden_n, raw T h_prev, int32 H",
        "raw T dh, raw T dxw, raw T dgh",
        """
        const int b = row * 3 * H + unit;
        const T r = a[b], z = a[b + H], n = a[b + 2 * H], g = dh[i] + dout[i];
        const T dn = g * ((T)1 - z) * ((T)1 - n * n);
        const T dz = g * (h_prev[i] - n) * z * ((T)1 - z);
        const T dr = dn * hidden_n[i] * r * ((T)1 - r);
        dxw[b] = dr; dxw[b + H] = dz; dxw[b + 2 * H] = dn;
        dgh[b] = dr; dgh[b + H] = dz; dgh[b + 2 * H] = dn * r;
        dh[i] = g * z;
        """,
        dout_t,
        a,
        hidden_n,
        h_prev,
        dh.shape[1],
        dh,
        dxw,
        dgh,
        size=dh.size,
    )

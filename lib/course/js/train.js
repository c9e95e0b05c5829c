// The JavaScript twin of what lib.fit runs: a one-layer RNN, LSTM or GRU with a linear
// readout of its last state, forward, backpropagation through time, the loss, gradient
// clipping and Adam. It mirrors lib line by line (the Python names are in the comments):
//
//   lib                                       train.js
//   recurrent.direction_forward / _backward   directionForward / directionBackward
//   kernels.RNNKernel, LSTMKernel, GRUKernel  RNNKernel, LSTMKernel, GRUKernel
//   kernels.*_forward_step / *_backward_step  rnnForwardStep, ... (one step, in place)
//   recurrent.RNN / LSTM / GRU (one layer)    Recurrent
//   linear.Linear                             Linear
//   models.SequenceClassifier / Regressor     SequenceModel (readout "last")
//   losses.cross_entropy, mse_loss, accuracy  crossEntropy, mseLoss, accuracy
//   optim.clip_grad_norm, optim.Adam          clipGradNorm, Adam
//   recurrent.set_keep_gate_bias              setKeepGateBias
//
// Arrays are Float64Arrays in row-major order (lib's float64): a (rows, cols) matrix is
// one flat array with element [r, c] at r * cols + c. Parameters use torch's keys and
// shapes (weight_ih_l0: (gates * hidden, input), ...), so a lib state_dict loads as it is.
// tests/browser/test_playground_maths.py checks gradients (1e-9) and 20 Adam steps of
// lib.fit (1e-6) against lib.

// ------------------------------------------------------------------ matrix products
// The only three products the network needs, written so that the innermost loop reads
// both operands along their rows.

// out (n, m) = a (n, k) @ w (m, k)^T, plus bias (m) on every row if given.   (x @ w.T + b)
export function matmulTransB(a, w, n, k, m, out, bias = null) {
  for (let r = 0; r < n; r++) {
    const row = r * k;
    for (let j = 0; j < m; j++) {
      const wRow = j * k;
      let sum = bias ? bias[j] : 0;
      for (let q = 0; q < k; q++) sum += a[row + q] * w[wRow + q];
      out[r * m + j] = sum;
    }
  }
  return out;
}

// out (n, k) = a (n, m) @ w (m, k).                                          (dgates @ w)
export function matmul(a, w, n, m, k, out) {
  out.fill(0, 0, n * k);
  for (let r = 0; r < n; r++) {
    const outRow = r * k;
    for (let j = 0; j < m; j++) {
      const v = a[r * m + j];
      if (v === 0) continue;
      const wRow = j * k;
      for (let q = 0; q < k; q++) out[outRow + q] += v * w[wRow + q];
    }
  }
  return out;
}

// out (m, k) = a (n, m)^T @ b (n, k): a sum over the n rows (all steps and examples).
// Zeros of b are skipped: the inputs of most tasks are one-hot.
export function matmulTransA(a, b, n, m, k, out) {
  out.fill(0);
  for (let r = 0; r < n; r++) {
    for (let q = 0; q < k; q++) {
      const v = b[r * k + q];
      if (v === 0) continue;
      for (let j = 0; j < m; j++) out[j * k + q] += a[r * m + j] * v;
    }
  }
  return out;
}

// The column sums of a (n, m): the gradient of a bias added to every row.
function columnSums(a, n, m) {
  const out = new Float64Array(m);
  for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) out[j] += a[r * m + j];
  return out;
}

// sigma(v) = (1 + tanh(v / 2)) / 2, lib's form (no overflow for any v).
function sigmoid(v) {
  return 0.5 + 0.5 * Math.tanh(0.5 * v);
}

// ------------------------------------------------------------------ one step of each cell
// Each works in place on one time step of a batch: `size` = hidden, rows = batch. The
// gate blocks of a (batch, gates * size) array are its columns k * size .. (k + 1) * size.

// In place: pre <- tanh(pre + xw_t), where pre holds W_hh h_{t-1} on entry.
export function rnnForwardStep(pre, xwT) {
  for (let q = 0; q < pre.length; q++) pre[q] = Math.tanh(pre[q] + xwT[q]);
}

// da <- (dh + dout_t) * (1 - h^2); dh keeps dh + dout_t.
export function rnnBackwardStep(da, dh, doutT, h) {
  for (let q = 0; q < dh.length; q++) {
    dh[q] += doutT[q];
    da[q] = (1 - h[q] * h[q]) * dh[q];
  }
}

// One LSTM step in place. a: (batch, 4H) holds W_hh h_{t-1} on entry, the gates on exit.
//   i, f, o = sigma(.), g = tanh(.);  c = f * c_prev + i * g;  h = o * tanh(c)
export function lstmForwardStep(a, xwT, cPrev, c, tanhC, h, size) {
  const batch = cPrev.length / size;
  for (let b = 0; b < batch; b++) {
    const row = b * 4 * size;
    for (let u = 0; u < size; u++) {
      const [ii, ff, gg, oo] = [row + u, row + size + u, row + 2 * size + u, row + 3 * size + u];
      a[ii] = sigmoid(a[ii] + xwT[ii]);
      a[ff] = sigmoid(a[ff] + xwT[ff]);
      a[gg] = Math.tanh(a[gg] + xwT[gg]);
      a[oo] = sigmoid(a[oo] + xwT[oo]);
      const k = b * size + u;
      c[k] = a[ff] * cPrev[k] + a[ii] * a[gg];
      tanhC[k] = Math.tanh(c[k]);
      h[k] = a[oo] * tanhC[k];
    }
  }
}

// One LSTM step back. On entry dh, dc are the gradients of h_t, c_t from the future; on
// exit da holds the gate pre-activation gradients and dc the gradient of c_{t-1}.
//   dh += dout_t
//   do = dh * tanh(c) * o (1 - o);  dc += dh * o * (1 - tanh(c)^2)
//   dg = dc * i * (1 - g^2);  di = dc * g * i (1 - i);  df = dc * c_prev * f (1 - f)
//   dc_prev = dc * f
export function lstmBackwardStep(da, dh, dc, doutT, a, cPrev, tanhC, size) {
  const batch = cPrev.length / size;
  for (let b = 0; b < batch; b++) {
    const row = b * 4 * size;
    for (let u = 0; u < size; u++) {
      const [ii, ff, gg, oo] = [row + u, row + size + u, row + 2 * size + u, row + 3 * size + u];
      const [i, f, g, o] = [a[ii], a[ff], a[gg], a[oo]];
      const k = b * size + u;
      dh[k] += doutT[k];
      da[oo] = (1 - o) * o * tanhC[k] * dh[k];
      dc[k] += (1 - tanhC[k] * tanhC[k]) * o * dh[k];
      da[gg] = (1 - g * g) * i * dc[k];
      da[ii] = (1 - i) * i * g * dc[k];
      da[ff] = (1 - f) * f * cPrev[k] * dc[k];
      dc[k] *= f;
    }
  }
}

// One GRU step (PyTorch's form). gh = W_hh h_prev + b_hh; writes the gates r, z, n into a.
//   r, z = sigma(xw_r + gh_r), sigma(xw_z + gh_z);  n = tanh(xw_n + r * gh_n)
//   h = (1 - z) * n + z * h_prev  =  n + z * (h_prev - n)
export function gruForwardStep(a, hiddenN, h, xwT, gh, hPrev, size) {
  const batch = hPrev.length / size;
  for (let b = 0; b < batch; b++) {
    const row = b * 3 * size;
    for (let u = 0; u < size; u++) {
      const [rr, zz, nn] = [row + u, row + size + u, row + 2 * size + u];
      const k = b * size + u;
      a[rr] = sigmoid(xwT[rr] + gh[rr]);
      a[zz] = sigmoid(xwT[zz] + gh[zz]);
      hiddenN[k] = gh[nn];
      a[nn] = Math.tanh(a[rr] * hiddenN[k] + xwT[nn]);
      h[k] = (hPrev[k] - a[nn]) * a[zz] + a[nn];
    }
  }
}

// One GRU step back. On entry dh is the gradient of h_t from the future; on exit it is
// the part of dL/dh_{t-1} that flows directly (z * dh); the caller adds dgh @ W_hh.
//   dn = dh (1 - z) (1 - n^2);  dz = dh (h_prev - n) z (1 - z)
//   dr = dn * gh_n * r (1 - r);  dgh = [dr, dz, dn * r];  dxw = [dr, dz, dn]
export function gruBackwardStep(dxw, dgh, dh, doutT, a, hiddenN, hPrev, size) {
  const batch = hPrev.length / size;
  for (let b = 0; b < batch; b++) {
    const row = b * 3 * size;
    for (let u = 0; u < size; u++) {
      const [rr, zz, nn] = [row + u, row + size + u, row + 2 * size + u];
      const [r, z, n] = [a[rr], a[zz], a[nn]];
      const k = b * size + u;
      dh[k] += doutT[k];
      dxw[nn] = (1 - z) * dh[k] * (1 - n * n);
      dxw[zz] = (hPrev[k] - n) * dh[k] * (1 - z) * z;
      dxw[rr] = (1 - r) * r * hiddenN[k] * dxw[nn];
      dgh[rr] = dxw[rr];
      dgh[zz] = dxw[zz];
      dgh[nn] = dxw[nn] * r;
      dh[k] *= z;
    }
  }
}

// ------------------------------------------------------------------ the time loops
// Each kernel works on xw: (steps, batch, gates * size), the input projections of every
// step (lib.kernels). dims = {steps, batch, size}. `record(k, dh)`, if given, sees
// dL/dh_k after each step back (k = steps - 1 .. until): the pictures of the gradient
// against distance (the playground's, chapter 2's explorer) read it; `until` (default 0)
// ends the walk early, for a picture that needs only the last steps.

// A (steps, batch, width) array's step k, as a view.
function stepOf(array, k, width) {
  return array.subarray(k * width, (k + 1) * width);
}

// A kernel allocates the arrays it returns on every call. One made with
// {reuseArrays: true} keeps them and writes over them on its next call, so what it
// returned is valid until then: chapter 2's explorer recomputes 60 steps on every slider
// move, and allocating a megabyte each time costs as much again in the garbage collector.
class Kernel {
  constructor({ reuseArrays = false } = {}) {
    this.reuseArrays = reuseArrays;
    this.arrays = {};
  }

  array(name, length) {
    if (!this.reuseArrays) return new Float64Array(length);
    if (this.arrays[name]?.length !== length) this.arrays[name] = new Float64Array(length);
    return this.arrays[name];
  }
}

export class RNNKernel extends Kernel {
  gates = 1;
  stateNames = ["h"];

  forward(xw, [h0], weightHh, dims) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const hs = this.array("hs", (steps + 1) * width);
    hs.set(h0);
    for (let k = 0; k < steps; k++) {
      const next = stepOf(hs, k + 1, width);
      matmulTransB(stepOf(hs, k, width), weightHh, batch, size, size, next);
      rnnForwardStep(next, stepOf(xw, k, width));
    }
    return { out: hs.subarray(width), final: [stepOf(hs, steps, width)], cache: { hs } };
  }

  backward(dout, [dhFinal], cache, weightHh, dims, record = null, until = 0) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const dh = dhFinal.slice();
    const dxw = this.array("dxw", steps * width);
    for (let k = steps - 1; k >= until; k--) {
      const da = stepOf(dxw, k, width);
      rnnBackwardStep(da, dh, stepOf(dout, k, width), stepOf(cache.hs, k + 1, width));
      matmul(da, weightHh, batch, size, size, dh);
      if (record) record(k, dh);
    }
    return { dxw, dgh: dxw, dstate: [dh] };
  }
}

export class LSTMKernel extends Kernel {
  gates = 4;
  stateNames = ["h", "c"];

  forward(xw, [h0, c0], weightHh, dims) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const gates = this.array("gates", steps * 4 * width);
    const hs = this.array("hs", (steps + 1) * width);
    const cs = this.array("cs", (steps + 1) * width);
    const tanhCs = this.array("tanhCs", steps * width);
    hs.set(h0);
    cs.set(c0);
    for (let k = 0; k < steps; k++) {
      const a = stepOf(gates, k, 4 * width);
      matmulTransB(stepOf(hs, k, width), weightHh, batch, size, 4 * size, a);
      lstmForwardStep(
        a, stepOf(xw, k, 4 * width), stepOf(cs, k, width), stepOf(cs, k + 1, width),
        stepOf(tanhCs, k, width), stepOf(hs, k + 1, width), size,
      );
    }
    const final = [stepOf(hs, steps, width), stepOf(cs, steps, width)];
    return { out: hs.subarray(width), final, cache: { hs, cs, tanhCs, gates } };
  }

  backward(dout, [dhFinal, dcFinal], cache, weightHh, dims, record = null, until = 0) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const dh = dhFinal.slice();
    const dc = dcFinal.slice();
    const dgates = this.array("dgates", steps * 4 * width);
    for (let k = steps - 1; k >= until; k--) {
      const da = stepOf(dgates, k, 4 * width);
      lstmBackwardStep(
        da, dh, dc, stepOf(dout, k, width), stepOf(cache.gates, k, 4 * width),
        stepOf(cache.cs, k, width), stepOf(cache.tanhCs, k, width), size,
      );
      matmul(da, weightHh, batch, 4 * size, size, dh);
      if (record) record(k, dh);
    }
    return { dxw: dgates, dgh: dgates, dstate: [dh, dc] };
  }
}

export class GRUKernel extends Kernel {
  gates = 3;
  stateNames = ["h"];

  forward(xw, [h0], weightHh, dims, biasHh) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const gates = this.array("gates", steps * 3 * width);
    const hiddenN = this.array("hiddenN", steps * width);
    const hs = this.array("hs", (steps + 1) * width);
    const gh = this.array("gh", 3 * width);
    hs.set(h0);
    for (let k = 0; k < steps; k++) {
      matmulTransB(stepOf(hs, k, width), weightHh, batch, size, 3 * size, gh, biasHh);
      gruForwardStep(
        stepOf(gates, k, 3 * width), stepOf(hiddenN, k, width), stepOf(hs, k + 1, width),
        stepOf(xw, k, 3 * width), gh, stepOf(hs, k, width), size,
      );
    }
    return { out: hs.subarray(width), final: [stepOf(hs, steps, width)], cache: { hs, gates, hiddenN } };
  }

  backward(dout, [dhFinal], cache, weightHh, dims, record = null, until = 0) {
    const { steps, batch, size } = dims;
    const width = batch * size;
    const dh = dhFinal.slice();
    const dxw = this.array("dxw", steps * 3 * width);
    const dgh = this.array("dgh", steps * 3 * width);
    const dhThroughW = this.array("dhThroughW", width);
    for (let k = steps - 1; k >= until; k--) {
      const dghK = stepOf(dgh, k, 3 * width);
      gruBackwardStep(
        stepOf(dxw, k, 3 * width), dghK, dh, stepOf(dout, k, width), stepOf(cache.gates, k, 3 * width),
        stepOf(cache.hiddenN, k, width), stepOf(cache.hs, k, width), size,
      );
      matmul(dghK, weightHh, batch, 3 * size, size, dhThroughW);
      for (let q = 0; q < width; q++) dh[q] += dhThroughW[q];
      if (record) record(k, dh);
    }
    return { dxw, dgh, dstate: [dh] };
  }
}

export const KERNELS = { rnn: RNNKernel, lstm: LSTMKernel, gru: GRUKernel };

// The biases as a kernel takes them: `input` goes into the input projections, xw = x W_ih^T
// + b_ih + b_hh (the two simply add), `recurrent` to the kernel itself, which only the
// GRU needs: its b_hn sits inside r * (W_hn h + b_hn), so b_hh cannot join b_ih.
export function kernelBiases(kernel, params) {
  if (kernel instanceof GRUKernel) return { input: params.bias_ih, recurrent: params.bias_hh };
  return { input: params.bias_ih.map((v, j) => v + params.bias_hh[j]), recurrent: null };
}

// lib.recurrent.direction_forward: x (steps, batch, input) -> out, final state, cache.
// All input projections at once, then the kernel's walk through time.
export function directionForward(kernel, x, state, params, dims) {
  const { steps, batch, size, input } = dims;
  const rows = kernel.gates * size;
  const biases = kernelBiases(kernel, params);
  const xw = matmulTransB(x, params.weight_ih, steps * batch, input, rows, new Float64Array(steps * batch * rows), biases.input);
  const { out, final, cache } = kernel.forward(xw, state, params.weight_hh, dims, biases.recurrent);
  cache.x = x;
  return { out, final, cache };
}

// lib.recurrent.direction_backward: dx, dstate0 and the parameter gradients. Weight
// gradients are one product each over all steps: dW_ih = sum_t dxw_t^T x_t and
// dW_hh = sum_t dgh_t^T h_{t-1}.
export function directionBackward(kernel, dout, dfinal, cache, params, dims, record = null) {
  const { steps, batch, size, input } = dims;
  const rows = kernel.gates * size;
  const { dxw, dgh, dstate } = kernel.backward(dout, dfinal, cache, params.weight_hh, dims, record);
  const n = steps * batch;
  const hPrev = cache.hs.subarray(0, n * size); // the state each step read
  const grads = {
    weight_ih: matmulTransA(dxw, cache.x, n, rows, input, new Float64Array(rows * input)),
    weight_hh: matmulTransA(dgh, hPrev, n, rows, size, new Float64Array(rows * size)),
    bias_ih: columnSums(dxw, n, rows),
    bias_hh: columnSums(dgh, n, rows),
  };
  const dx = matmul(dxw, params.weight_ih, n, rows, input, new Float64Array(n * input));
  return { dx, dstate, grads };
}

// ------------------------------------------------------------------ modules

// uniform(-bound, bound) values from rng (lib draws the same distribution with NumPy).
function uniform(rng, count, bound) {
  return Float64Array.from({ length: count }, () => (2 * rng.random() - 1) * bound);
}

// x (rows, cols) -> its transpose (cols, rows): batch-first <-> time-major.
function swapAxes01(x, rows, cols, width) {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.set(x.subarray((r * cols + c) * width, (r * cols + c + 1) * width), (c * rows + r) * width);
  }
  return out;
}

// lib.recurrent.RNN / LSTM / GRU with one layer, one direction, batch_first=True.
// params: weight_ih_l0 (gates * hidden, input), weight_hh_l0 (gates * hidden, hidden),
// bias_ih_l0, bias_hh_l0 (gates * hidden), drawn from uniform(-1/sqrt(H), 1/sqrt(H)).
export class Recurrent {
  constructor(cell, inputSize, hiddenSize, rng) {
    if (!KERNELS[cell]) throw new Error(`cell must be one of ${Object.keys(KERNELS)}, got ${cell}`);
    this.cell = cell;
    this.kernel = new KERNELS[cell]();
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    const rows = this.kernel.gates * hiddenSize;
    const bound = 1 / Math.sqrt(hiddenSize);
    this.shapes = {
      weight_ih_l0: [rows, inputSize],
      weight_hh_l0: [rows, hiddenSize],
      bias_ih_l0: [rows],
      bias_hh_l0: [rows],
    };
    this.params = {};
    for (const [name, shape] of Object.entries(this.shapes)) {
      this.params[name] = uniform(rng, shape.reduce((p, s) => p * s, 1), bound);
    }
    this.grads = {};
    this.cache = null;
  }

  layerParams() {
    return Object.fromEntries(Object.entries(this.params).map(([name, v]) => [name.replace(/_l0$/, ""), v]));
  }

  // out, h_n = rnn(x): x (batch, steps, input) -> out (batch, steps, hidden); zero initial state.
  forward(x, batch, steps) {
    const dims = { steps, batch, size: this.hiddenSize, input: this.inputSize };
    if (x.length !== batch * steps * this.inputSize) {
      throw new Error(`x should hold (batch ${batch}, steps ${steps}, input ${this.inputSize}) numbers, got ${x.length}`);
    }
    const xTime = swapAxes01(x, batch, steps, this.inputSize);
    const state = this.kernel.stateNames.map(() => new Float64Array(batch * this.hiddenSize));
    const { out, final, cache } = directionForward(this.kernel, xTime, state, this.layerParams(), dims);
    this.cache = { cache, dims };
    return { out: swapAxes01(out, steps, batch, this.hiddenSize), final };
  }

  // dx = rnn.backward(dout): dout (batch, steps, hidden); parameter gradients in grads.
  backward(dout, record = null) {
    if (!this.cache) throw new Error("backward() needs a forward() call first");
    const { cache, dims } = this.cache;
    const { steps, batch, size, input } = dims;
    const dfinal = this.kernel.stateNames.map(() => new Float64Array(batch * size));
    const doutTime = swapAxes01(dout, batch, steps, size);
    const { dx, grads } = directionBackward(this.kernel, doutTime, dfinal, cache, this.layerParams(), dims, record);
    this.grads = Object.fromEntries(Object.entries(grads).map(([name, g]) => [`${name}_l0`, g]));
    return swapAxes01(dx, steps, batch, input);
  }
}

// lib.module.Module.load_state_dict: copy parameters in from state, {key: array or
// nested list}, for example a lib or torch state_dict; keys and sizes must match.
export function loadStateDict(module, state) {
  const missing = Object.keys(module.params).filter((key) => !(key in state));
  const unexpected = Object.keys(state).filter((key) => !(key in module.params));
  if (missing.length || unexpected.length) {
    throw new Error(`state_dict keys do not match: missing [${missing}], unexpected [${unexpected}]`);
  }
  for (const [key, value] of Object.entries(state)) {
    const flat = Array.isArray(value) ? value.flat(Infinity) : Array.from(value);
    if (flat.length !== module.params[key].length) {
      throw new Error(`state_dict[${key}] has ${flat.length} values, expected shape [${module.shapes[key]}]`);
    }
    module.params[key].set(flat);
  }
  return module;
}

// lib.recurrent.set_keep_gate_bias: the bias of the gate that keeps the old state (LSTM
// forget gate f, block 1 of i, f, g, o; GRU update gate z, block 1 of r, z, n) becomes
// b_ih = value, b_hh = 0. inputGate (LSTM only): the same for the input gate, block 0.
// A plain RNN has no such gate.
export function setKeepGateBias(rnn, value, inputGate = null) {
  if (rnn.cell === "rnn") throw new Error("only an LSTM or a GRU has a gate that keeps memory");
  if (inputGate !== null && rnn.cell !== "lstm") throw new Error("inputGate applies to an LSTM only (a GRU has no input gate)");
  const size = rnn.hiddenSize;
  const settings = [[size, value]]; // f in i, f, g, o; z in r, z, n
  if (inputGate !== null) settings.push([0, inputGate]);
  for (const [start, total] of settings) {
    rnn.params.bias_ih_l0.fill(total, start, start + size);
    rnn.params.bias_hh_l0.fill(0, start, start + size);
  }
  return rnn;
}

// lib.linear.Linear: y = x W^T + b; weight (out, in) and bias (out) from
// uniform(-1/sqrt(in), 1/sqrt(in)).
export class Linear {
  constructor(inFeatures, outFeatures, rng) {
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const bound = 1 / Math.sqrt(inFeatures);
    this.shapes = { weight: [outFeatures, inFeatures], bias: [outFeatures] };
    this.params = { weight: uniform(rng, outFeatures * inFeatures, bound), bias: uniform(rng, outFeatures, bound) };
    this.grads = {};
    this.x = null;
  }

  // x (rows, in) -> y (rows, out).
  forward(x, rows) {
    this.x = x;
    this.rows = rows;
    return matmulTransB(x, this.params.weight, rows, this.inFeatures, this.outFeatures, new Float64Array(rows * this.outFeatures), this.params.bias);
  }

  // dW = dy^T x, db = sum(dy), dx = dy W.
  backward(dy) {
    if (!this.x) throw new Error("Linear.backward was called before forward");
    const { rows, inFeatures: k, outFeatures: m } = this;
    this.grads = {
      weight: matmulTransA(dy, this.x, rows, m, k, new Float64Array(m * k)),
      bias: columnSums(dy, rows, m),
    };
    return matmul(dy, this.params.weight, rows, m, k, new Float64Array(rows * k));
  }
}

// lib.models.SequenceClassifier / SequenceRegressor with readout "last": the recurrent
// layer, then a Linear readout of its output at the last step.
export class SequenceModel {
  constructor(rnn, outFeatures, rng) {
    this.rnn = rnn;
    this.head = new Linear(rnn.hiddenSize, outFeatures, rng);
    this.out = null;
  }

  get modules() {
    return [this.rnn, this.head];
  }

  // x (batch, steps, input) -> (batch, outFeatures).
  forward(x, batch, steps) {
    this.out = this.rnn.forward(x, batch, steps).out;
    this.batch = batch;
    this.steps = steps;
    return this.head.forward(this.features(this.out), batch);
  }

  // Backpropagate dy through head and rnn; returns dx. record(t, dL/dh_t), if given, sees
  // the gradient of each state, from the last (t = steps, what the readout reads) back to
  // the initial one (t = 0).
  backward(dy, record = null) {
    if (!this.out) throw new Error("backward was called before forward");
    const dfeatures = this.head.backward(dy);
    if (record) record(this.steps, dfeatures);
    return this.rnn.backward(this.featuresGrad(dfeatures), record);
  }

  // out[:, -1, :]: each example's state after its last step.
  features(out) {
    const { batch, steps } = this;
    const size = this.rnn.hiddenSize;
    const features = new Float64Array(batch * size);
    for (let b = 0; b < batch; b++) features.set(out.subarray(((b + 1) * steps - 1) * size, (b + 1) * steps * size), b * size);
    return features;
  }

  // The gradient for all of rnn's output: zeros except at the last step.
  featuresGrad(dfeatures) {
    const { batch, steps } = this;
    const size = this.rnn.hiddenSize;
    const dout = new Float64Array(batch * steps * size);
    for (let b = 0; b < batch; b++) dout.set(dfeatures.subarray(b * size, (b + 1) * size), ((b + 1) * steps - 1) * size);
    return dout;
  }
}

// ------------------------------------------------------------------ losses

// lib.losses.cross_entropy: L = -mean over rows of log softmax(logits)[label];
// dL/dlogits = (softmax - onehot) / N. logits (n, classes), labels (n) integers.
export function crossEntropy(logits, labels, n, classes) {
  const dlogits = new Float64Array(n * classes);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    const label = labels[r];
    if (!(label >= 0 && label < classes)) throw new Error(`labels must lie in 0..${classes - 1}, got ${label}`);
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const max = Math.max(...row);
    let sum = 0;
    for (const v of row) sum += Math.exp(v - max);
    const logSum = Math.log(sum);
    for (let j = 0; j < classes; j++) {
      const logP = row[j] - max - logSum;
      dlogits[r * classes + j] = (Math.exp(logP) - (j === label ? 1 : 0)) / n;
      if (j === label) loss -= logP / n;
    }
  }
  return { loss, dpred: dlogits };
}

// lib.losses.mse_loss: L = mean((pred - target)^2); dL/dpred = 2 (pred - target) / N.
export function mseLoss(pred, target) {
  if (pred.length !== target.length) throw new Error(`pred has ${pred.length} values, target ${target.length}`);
  const n = pred.length;
  const dpred = new Float64Array(n);
  let loss = 0;
  for (let k = 0; k < n; k++) {
    const diff = pred[k] - target[k];
    loss += (diff * diff) / n;
    dpred[k] = (2 / n) * diff;
  }
  return { loss, dpred };
}

export const LOSSES = { cross_entropy: crossEntropy, mse_loss: mseLoss };

// lib.losses.accuracy: the fraction of rows whose largest logit is at the label.
export function accuracy(logits, labels, n, classes) {
  let correct = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[r * classes + j] > logits[r * classes + best]) best = j;
    if (best === labels[r]) correct += 1;
  }
  return correct / n;
}

// ------------------------------------------------------------------ optimisation

// ((module index, key), param, grad) for every parameter, as lib.optim walks them.
function* paramsAndGrads(modules) {
  for (const [index, module] of modules.entries()) {
    for (const [key, param] of Object.entries(module.params)) {
      const grad = module.grads[key];
      if (!grad) throw new Error(`module ${index} parameter ${key} has no gradient: call backward() first`);
      yield [`${index}/${key}`, param, grad];
    }
  }
}

// lib.optim.clip_grad_norm: rescale all gradients together so that their global L2 norm
// is at most maxNorm; factor = maxNorm / (total + 1e-6) when below 1. Returns total.
export function clipGradNorm(modules, maxNorm) {
  const total = globalNorm(modules);
  const factor = maxNorm / (total + 1e-6);
  if (factor < 1) for (const [, , grad] of paramsAndGrads(modules)) for (let k = 0; k < grad.length; k++) grad[k] *= factor;
  return total;
}

// lib.optim.Adam, torch.optim.Adam's exact update (t = number of steps):
//   m = b1 m + (1 - b1) g,   v = b2 v + (1 - b2) g^2
//   p = p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
export class Adam {
  constructor(modules, { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8 } = {}) {
    if (!(lr > 0)) throw new Error(`lr must be a positive number, got ${lr}`);
    this.modules = modules;
    this.lr = lr;
    this.betas = betas;
    this.eps = eps;
    this.steps = 0;
    this.state = new Map(); // "module index/key" -> [m, v]
  }

  step() {
    this.steps += 1;
    const [beta1, beta2] = this.betas;
    const stepSize = this.lr / (1 - beta1 ** this.steps);
    const correction = Math.sqrt(1 - beta2 ** this.steps);
    for (const [slot, param, grad] of paramsAndGrads(this.modules)) {
      if (!this.state.has(slot)) this.state.set(slot, [new Float64Array(param.length), new Float64Array(param.length)]);
      const [m, v] = this.state.get(slot);
      for (let k = 0; k < param.length; k++) {
        m[k] = beta1 * m[k] + (1 - beta1) * grad[k];
        v[k] = beta2 * v[k] + (1 - beta2) * grad[k] * grad[k];
        param[k] -= stepSize * (m[k] / (Math.sqrt(v[k]) / correction + this.eps));
      }
    }
  }
}

// One update, as lib.fit does it for a batch: forward, loss, backward, clip (when
// clip > 0), step. Returns {loss, pred, gradNorm, stateGradNorms}: gradNorm is the global
// gradient norm before clipping; stateGradNorms[d] is the mean over the batch of
// ||dL/dh_{T-d}|| for d = 0 .. T (d = 0: the last state, which the readout reads).
export function trainStep(model, optimizer, lossName, batch, clip) {
  const { x, y, n, steps } = batch;
  const pred = model.forward(x, n, steps);
  const { loss, dpred } = LOSSES[lossName](pred, y, n, model.head.outFeatures);
  const size = model.rnn.hiddenSize;
  const stateGradNorms = new Float64Array(steps + 1);
  model.backward(dpred, (t, dh) => (stateGradNorms[steps - t] = meanRowNorm(dh, n, size)));
  const gradNorm = clip > 0 ? clipGradNorm(model.modules, clip) : globalNorm(model.modules);
  optimizer.step();
  return { loss, pred, gradNorm, stateGradNorms };
}

// The mean over rows of each row's L2 norm, for a (rows, size) array.
export function meanRowNorm(a, rows, size) {
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let q = r * size; q < (r + 1) * size; q++) sum += a[q] * a[q];
    total += Math.sqrt(sum);
  }
  return total / rows;
}

// sqrt(sum of every gradient entry squared), what clipGradNorm measures.
function globalNorm(modules) {
  let squares = 0;
  for (const [, , grad] of paramsAndGrads(modules)) for (const g of grad) squares += g * g;
  return Math.sqrt(squares);
}

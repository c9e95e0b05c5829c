// The JavaScript twin of lib.functional's step functions, for the explorables that
// compute in the page. It mirrors the Python line by line, for one example (no batch):
//
//   lib.functional                          cells.js
//   x: (batch, input), h: (batch, hidden)   x: [input], h: [hidden] (arrays of numbers)
//   weight_ih: (gates * hidden, input)      weightIh: an array of gates * hidden rows
//   rnn_step(x, h, w_ih, w_hh, b_ih, b_hh)  rnnStep(x, h, {weightIh, weightHh, biasIh, biasHh})
//
// Gate order is torch's (LSTM i, f, g, o; GRU r, z, n), so a state_dict of lib (or
// torch) can be used as it is. Biases are optional (null or missing means zero).
// tests/browser/test_cells_js.py checks every function against lib to 1e-9 (float64).
// The backward functions carry the gradient of a loss with respect to the state one
// step back (dL/dh_{t-1} from dL/dh_t): chapter 2's product of Jacobians.

// ------------------------------------------------------------------ activations

// sigma(x) = 1 / (1 + exp(-x)), computed as (1 + tanh(x / 2)) / 2 as lib does: no overflow.
export function sigmoid(x) {
  return (1 + Math.tanh(x / 2)) / 2;
}

// tanh(x) = (e^x - e^-x) / (e^x + e^-x), squashing every value into (-1, 1).
export function tanh(x) {
  return Math.tanh(x);
}

// relu(x) = max(x, 0).
export function relu(x) {
  return Math.max(x, 0);
}

const ACTIVATIONS = { tanh, relu };

// ------------------------------------------------------------------ small linear algebra

// weight @ x + bias, for x: [in], weight: out rows of [in], bias: [out] or null.
export function affine(x, weight, bias = null) {
  const out = [];
  for (let k = 0; k < weight.length; k++) {
    const row = weight[k];
    let sum = bias ? bias[k] : 0;
    for (let j = 0; j < x.length; j++) sum += row[j] * x[j];
    out.push(sum);
  }
  return out;
}

// weight^T @ v: the gradient of v . (weight @ x) with respect to x.
export function affineBack(v, weight) {
  const out = new Array(weight[0].length).fill(0);
  for (let k = 0; k < weight.length; k++) {
    const row = weight[k];
    for (let j = 0; j < out.length; j++) out[j] += row[j] * v[k];
  }
  return out;
}

// Elementwise a + b of equal length.
export function add(a, b) {
  return a.map((v, k) => v + b[k]);
}

// Elementwise a * b.
export function mul(a, b) {
  return a.map((v, k) => v * b[k]);
}

// The count gate blocks of a gates * hidden vector (or of a weight's rows), in order.
export function blocks(a, count) {
  const size = a.length / count;
  return Array.from({ length: count }, (_, k) => a.slice(k * size, (k + 1) * size));
}

// Every row of a weight has the same length (as built from lib's arrays), so the first
// row's length stands for all.
function checkSizes(name, x, h, params, gates) {
  const rows = gates * h.length;
  const ok =
    params.weightIh.length === rows &&
    params.weightHh.length === rows &&
    params.weightIh[0].length === x.length &&
    params.weightHh[0].length === h.length;
  if (!ok) {
    throw new Error(
      `${name}: expected weightIh ${rows} x ${x.length} and weightHh ${rows} x ${h.length} ` +
        `(gates ${gates}, hidden ${h.length}, input ${x.length})`,
    );
  }
}

// ------------------------------------------------------------------ RNN

// h' = act(W_ih x + b_ih + W_hh h + b_hh), act = tanh or relu. Returns {h}.
export function rnnStep(x, h, params, nonlinearity = "tanh") {
  const activation = ACTIVATIONS[nonlinearity];
  if (!activation) throw new Error(`nonlinearity must be "tanh" or "relu", got ${nonlinearity}`);
  checkSizes("rnnStep", x, h, params, 1);
  const pre = add(affine(x, params.weightIh, params.biasIh), affine(h, params.weightHh, params.biasHh));
  return { h: pre.map(activation) };
}

// dL/dh from dL/dh' through one RNN step; step: what rnnStep returned.
export function rnnStepBackward(step, dhNext, params, nonlinearity = "tanh") {
  const slope = nonlinearity === "tanh" ? step.h.map((v) => 1 - v * v) : step.h.map((v) => (v > 0 ? 1 : 0));
  const da = mul(dhNext, slope); // act' written through the output h'
  return { dh: affineBack(da, params.weightHh) };
}

// ------------------------------------------------------------------ LSTM

// One LSTM step, gates in torch's order i, f, g, o.
//   i = sigma(W_ii x + W_hi h + b_i [+ p_i * c])      input gate
//   f = sigma(W_if x + W_hf h + b_f [+ p_f * c])      forget gate
//   g = tanh(W_ig x + W_hg h + b_g)                   candidate
//   c' = f * c + i * g                                new cell state
//   o = sigma(W_io x + W_ho h + b_o [+ p_o * c'])     output gate
//   h' = o * tanh(c')                                 new hidden state
// peephole: null or three rows [p_i, p_f, p_o], each [hidden]. Returns {i, f, g, o, c, h}.
export function lstmStep(x, h, c, params, peephole = null) {
  checkSizes("lstmStep", x, h, params, 4);
  const pre = add(affine(x, params.weightIh, params.biasIh), affine(h, params.weightHh, params.biasHh));
  let [aI, aF, aG, aO] = blocks(pre, 4);
  if (peephole) {
    aI = add(aI, mul(peephole[0], c));
    aF = add(aF, mul(peephole[1], c));
  }
  const [i, f, g] = [aI.map(sigmoid), aF.map(sigmoid), aG.map(tanh)];
  const cNew = add(mul(f, c), mul(i, g));
  if (peephole) aO = add(aO, mul(peephole[2], cNew));
  const o = aO.map(sigmoid);
  return { i, f, g, o, c: cNew, h: mul(o, cNew.map(tanh)) };
}

// dL/dh and dL/dc from dL/dh' and dL/dc' through one LSTM step that started at c.
export function lstmStepBackward(step, c, dhNext, dcNext, params, peephole = null) {
  const { i, f, g, o } = step;
  const tanhC = step.c.map(tanh);
  const dO = mul(dhNext, tanhC);
  const dA_o = dO.map((v, k) => v * o[k] * (1 - o[k]));
  let dcNew = add(dcNext, dhNext.map((v, k) => v * o[k] * (1 - tanhC[k] * tanhC[k])));
  if (peephole) dcNew = add(dcNew, mul(peephole[2], dA_o));
  const dA_i = dcNew.map((v, k) => v * g[k] * i[k] * (1 - i[k]));
  const dA_f = dcNew.map((v, k) => v * c[k] * f[k] * (1 - f[k]));
  const dA_g = dcNew.map((v, k) => v * i[k] * (1 - g[k] * g[k]));
  let dc = mul(dcNew, f);
  if (peephole) dc = add(dc, add(mul(peephole[0], dA_i), mul(peephole[1], dA_f)));
  return { dh: affineBack(dA_i.concat(dA_f, dA_g, dA_o), params.weightHh), dc };
}

// ------------------------------------------------------------------ GRU

// One GRU step, gates in torch's order r, z, n. Two switches pick the variant:
//   resetAfterProduct (default true, PyTorch and cuDNN): the reset gate acts after the
//     recurrent product, n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); false (Cho et
//     al. 2014 eq. 7): before it, n = tanh(W_in x + b_in + W_hn (r * h) + b_hn).
//   zKeepsOld (default true, PyTorch and Cho et al.; lib's keep="z"): h' = z * h + (1 - z) * n;
//   false (Chung et al. 2014, colah's post; keep="1-z"): h' = (1 - z) * h + z * n.
// (lib.functional.gru_step names the same two switches reset="after"/"before" and keep.)
//   r = sigma(W_ir x + b_ir + W_hr h + b_hr)          reset gate
//   z = sigma(W_iz x + b_iz + W_hz h + b_hz)          update gate
// Returns {r, z, n, h}.
export function gruStep(x, h, params, { resetAfterProduct = true, zKeepsOld = true } = {}) {
  checkSizes("gruStep", x, h, params, 3);
  const [giR, giZ, giN] = blocks(affine(x, params.weightIh, params.biasIh), 3);
  const [wHr, wHz, wHn] = blocks(params.weightHh, 3);
  const [bHr, bHz, bHn] = params.biasHh ? blocks(params.biasHh, 3) : [null, null, null];
  const r = add(giR, affine(h, wHr, bHr)).map(sigmoid);
  const z = add(giZ, affine(h, wHz, bHz)).map(sigmoid);
  const n = resetAfterProduct
    ? add(giN, mul(r, affine(h, wHn, bHn))).map(tanh)
    : add(giN, affine(mul(r, h), wHn, bHn)).map(tanh);
  const kept = zKeepsOld ? z : z.map((v) => 1 - v); // the share of the old state kept
  return { r, z, n, h: h.map((v, k) => kept[k] * v + (1 - kept[k]) * n[k]) };
}

// dL/dh from dL/dh' through one GRU step that started at h (same switches as gruStep).
export function gruStepBackward(step, h, dhNext, params, { resetAfterProduct = true, zKeepsOld = true } = {}) {
  const { r, z, n } = step;
  const [wHr, wHz, wHn] = blocks(params.weightHh, 3);
  const [, , bHn] = params.biasHh ? blocks(params.biasHh, 3) : [null, null, null];
  const keep = zKeepsOld ? z : z.map((v) => 1 - v);
  const dKeep = dhNext.map((v, k) => v * (h[k] - n[k]));
  const dZ = zKeepsOld ? dKeep : dKeep.map((v) => -v);
  const dA_z = dZ.map((v, k) => v * z[k] * (1 - z[k]));
  const dA_n = dhNext.map((v, k) => v * (1 - keep[k]) * (1 - n[k] * n[k]));
  let dh = mul(dhNext, keep); // the old state's direct path
  let dR;
  if (resetAfterProduct) {
    dR = mul(dA_n, affine(h, wHn, bHn));
    dh = add(dh, affineBack(mul(dA_n, r), wHn));
  } else {
    const dRh = affineBack(dA_n, wHn); // the gradient of r * h
    dR = mul(dRh, h);
    dh = add(dh, mul(dRh, r));
  }
  const dA_r = dR.map((v, k) => v * r[k] * (1 - r[k]));
  return { dh: add(dh, add(affineBack(dA_r, wHr), affineBack(dA_z, wHz))) };
}

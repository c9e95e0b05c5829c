// Chapter 2: how far back a gradient reaches, as a product of Jacobians computed in the
// page (the twin of lib.course.gradient_flow.gradient_flow). The loss is u . h_T; walking back one
// step at a time, dL/dh_{t-1} = (dh_t/dh_{t-1})^T dL/dh_t, and the curve is the mean over
// the batch of ||dL/dh_{T-k}|| against the distance k.
import {
  gruStep, gruStepBackward, lstmStep, lstmStepBackward, rnnStep, rnnStepBackward,
} from "./cells.js";
import { axes, choice, figure, follow, mount, path, range, scale, slider, tag, timed } from "./ui.js";

const GATES = { rnn: 1, lstm: 4, gru: 3 };
const NAMES = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };

// The model of lib.course.gradient_flow.make_model: every gate block of W_hh is weightScale
// times the orthogonal matrix q of that block; keepBias (LSTM f, GRU z) replaces that
// gate's b_ih and zeroes its b_hh, as lib.set_keep_gate_bias does.
export function flowParams(weights, weightScale, keepBias) {
  const size = weights.orthogonal[0].length;
  const biasIh = weights.bias_ih.slice();
  const biasHh = weights.bias_hh.slice();
  if (keepBias !== null) {
    for (let k = size; k < 2 * size; k++) {
      biasIh[k] = keepBias;
      biasHh[k] = 0;
    }
  }
  return {
    weightIh: weights.weight_ih,
    weightHh: weights.orthogonal.map((row) => row.map((v) => weightScale * v)),
    biasIh,
    biasHh,
  };
}

function norm(v) {
  let sum = 0;
  for (const value of v) sum += value * value;
  return Math.sqrt(sum);
}

// Mean over the batch of ||dL/dh_{T-k}|| for k = 0 .. seqLen (lib.course.gradient_flow's numbers).
export function gradientFlow(kind, weights, xs, direction, weightScale, keepBias, seqLen) {
  const params = flowParams(weights, weightScale, kind === "rnn" ? null : keepBias);
  const steps = xs.length;
  const sums = new Array(steps + 1).fill(0);
  for (let b = 0; b < xs[0].length; b++) {
    const size = direction.length;
    let h = new Array(size).fill(0);
    let c = new Array(size).fill(0);
    const trace = []; // [state before the step, what the step returned]
    for (let t = 0; t < steps; t++) {
      const x = xs[t][b];
      const step =
        kind === "rnn" ? rnnStep(x, h, params) : kind === "lstm" ? lstmStep(x, h, c, params) : gruStep(x, h, params);
      trace.push({ h, c, step });
      h = step.h;
      if (kind === "lstm") c = step.c;
    }
    let dh = direction.slice();
    let dc = new Array(size).fill(0);
    sums[steps] += norm(dh);
    for (let t = steps - 1; t >= 0; t--) {
      const { h: hPrev, c: cPrev, step } = trace[t];
      if (kind === "rnn") ({ dh } = rnnStepBackward(step, dh, params));
      else if (kind === "lstm") ({ dh, dc } = lstmStepBackward(step, cPrev, dh, dc, params));
      else ({ dh } = gruStepBackward(step, hPrev, dh, params));
      sums[t] += norm(dh);
    }
  }
  const norms = sums.map((s) => s / xs[0].length);
  return norms.reverse().slice(0, seqLen + 1);
}

function render({ model, el }) {
  const root = mount(el, "gradient-flow");
  const colors = model.get("colors");
  const data = model.get("data");
  const controls = tag("div", { class: "rnnx-controls" });
  const note = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(controls);
  let norms = [];
  const floor = 1e-16;
  const ceiling = 1e4;

  const chart = figure(root, {
    height: 250,
    describe: () =>
      `Log-scale line chart of the gradient norm against the distance from the loss for a ${NAMES[model.get("kind")]} ` +
      `with weight scale ${model.get("weight_scale").toFixed(2)}: 1 at distance 0, ` +
      `${norms[norms.length - 1].toExponential(1)} at distance ${norms.length - 1}.`,
    draw: (node, width) => {
      const box = { left: 50, right: width - 10, top: 22, bottom: 250 - 40 };
      const x = scale(0, norms.length - 1, box.left, box.right);
      const y = (v) => scale(Math.log10(floor), Math.log10(ceiling), box.bottom, box.top)(Math.log10(Math.max(v, floor)));
      const yTicks = [-16, -12, -8, -4, 0, 4].map((p) => [10 ** p, `1e${p}`]);
      const xTicks = [0, 10, 20, 30, 40].filter((k) => k < norms.length).map((k) => [k, String(k)]);
      axes(node, { ...box, yTicks, y, xTicks, x, xLabel: "distance T \u2212 t from the loss", yLabel: "||dL/dh_t|| (log scale)" });
      const kind = model.get("kind");
      node.append(path(norms.map((v, k) => [x(k), Math.max(box.top, y(Math.min(v, ceiling)))]), {
        stroke: colors[`model_${NAMES[kind]}`], "stroke-width": 2.5,
      }));
      node.dataset.values = JSON.stringify(norms);
    },
  });

  const update = timed(root, () => {
    const kind = model.get("kind");
    norms = gradientFlow(kind, data.weights[kind], data.x, data.direction, model.get("weight_scale"), model.get("keep_bias"), data.seq_len);
    keep.row.hidden = kind === "rnn"; // a plain RNN has no gate that keeps memory
    const last = norms[norms.length - 1];
    note.textContent = `${NAMES[kind]}: after ${norms.length - 1} steps the gradient has ${last.toExponential(2)} of its size at the loss` +
      (last < 1e-3 ? ": the early inputs barely reach the weights." : last > 1e3 ? ": it explodes." : ".");
    chart.redraw();
  });

  const set = (name) => (value) => {
    model.set(name, value);
    model.save_changes();
  };
  const kindChoice = choice(controls, {
    label: "cell", name: "kind", value: model.get("kind"),
    options: [["rnn", "RNN (tanh)"], ["lstm", "LSTM"], ["gru", "GRU"]], onChange: set("kind"),
  });
  const scaleSlider = slider(controls, { label: "weight scale of W_hh", ...range(model, "weight_scale"), step: 0.01, value: model.get("weight_scale"), digits: 2, onInput: set("weight_scale"), name: "weight_scale" });
  const keep = slider(controls, { label: "keep-gate bias (LSTM f, GRU z)", ...range(model, "keep_bias"), step: 0.1, value: model.get("keep_bias"), digits: 1, onInput: set("keep_bias"), name: "keep_bias" });
  keep.row = keep.input.parentElement;
  root.append(note);
  follow(model, "kind", kindChoice, update);
  follow(model, "weight_scale", scaleSlider, update);
  follow(model, "keep_bias", keep, update);
  update();
}

export default { render };

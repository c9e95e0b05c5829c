// Chapter 2: how far back a gradient reaches, as a product of Jacobians computed in the
// page (the twin of lib.course.gradient_flow.gradient_flow). The loss is u . h_T; walking back one
// step at a time, dL/dh_{t-1} = (dh_t/dh_{t-1})^T dL/dh_t, and the curve is the mean over
// the batch of ||dL/dh_{T-k}|| against the distance k. The walk is train.js's (the
// playground's twin of lib.kernels): the whole batch at once in flat arrays, so that a
// slider move is recomputed within a frame.
import { KERNELS, kernelBiases, matmulTransB, meanRowNorm } from "./train.js";
import { axes, choice, figure, follow, mount, path, range, scale, slider, svg, tag, timed } from "./ui.js";

const NAMES = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };
const ARTICLES = { rnn: "an", lstm: "an", gru: "a" };
const REFERENCE_GREY = "#767676"; // 4.5:1 against white

// Chapter 2's walk for one cell. What stays fixed while the sliders move is made once
// here: the inputs' projections x_t W_ih^T, W_hh's orthogonal blocks, the loss
// direction; norms() writes over the same arrays on every call, and returns its last
// result again when asked for the same model (a move of a slider the cell ignores).
// weights: {weight_ih, orthogonal, bias_ih, bias_hh} as lists (lib's state_dict with
// W_hh = q); xs: (steps, batch, input) lists; direction: u, (hidden).
export class GradientWalk {
  constructor(kind, weights, xs, direction) {
    this.kind = kind;
    this.kernel = new KERNELS[kind]({ reuseArrays: true });
    const dims = { steps: xs.length, batch: xs[0].length, size: direction.length, input: xs[0][0].length };
    const rows = this.kernel.gates * dims.size;
    const width = dims.batch * dims.size;
    this.dims = dims;
    this.orthogonal = Float64Array.from(weights.orthogonal.flat());
    this.biasIh = Float64Array.from(weights.bias_ih);
    this.biasHh = Float64Array.from(weights.bias_hh);
    const x = Float64Array.from(xs.flat(2));
    const n = dims.steps * dims.batch;
    this.projections = matmulTransB(x, Float64Array.from(weights.weight_ih.flat()), n, dims.input, rows, new Float64Array(n * rows));
    this.xw = new Float64Array(n * rows); // the projections plus this position's biases
    this.params = { weight_hh: new Float64Array(rows * dims.size), bias_ih: new Float64Array(rows), bias_hh: new Float64Array(rows) };
    this.zeroState = this.kernel.stateNames.map(() => new Float64Array(width));
    // dL/dh_T = u for every sequence, and (LSTM) dL/dc_T = 0: the loss reads h_T only
    this.finalGrads = this.kernel.stateNames.map(() => new Float64Array(width));
    for (let b = 0; b < dims.batch; b++) this.finalGrads[0].set(direction, b * dims.size);
    this.noOutputLoss = new Float64Array(dims.steps * width); // ... and no other output
    this.last = { key: null, norms: null };
  }

  // The model of lib.course.gradient_flow.make_model: every gate block of W_hh is
  // weightScale times the orthogonal matrix q of that block; keepBias (LSTM f, GRU z)
  // replaces that gate's b_ih and zeroes its b_hh, as lib.set_keep_gate_bias does.
  setModel(weightScale, keepBias) {
    const { params, orthogonal } = this;
    const size = this.dims.size;
    for (let q = 0; q < orthogonal.length; q++) params.weight_hh[q] = weightScale * orthogonal[q];
    params.bias_ih.set(this.biasIh);
    params.bias_hh.set(this.biasHh);
    if (this.kind !== "rnn") {
      params.bias_ih.fill(keepBias, size, 2 * size);
      params.bias_hh.fill(0, size, 2 * size);
    }
  }

  // Mean over the batch of ||dL/dh_{T-k}|| for k = 0 .. seqLen (lib.course.gradient_flow's
  // numbers; keepBias is ignored for the RNN, which has no gate that keeps memory).
  norms(weightScale, keepBias, seqLen) {
    const key = [weightScale, this.kind === "rnn" ? null : keepBias, seqLen].join();
    if (key === this.last.key) return this.last.norms;
    this.setModel(weightScale, keepBias);
    const { dims, params, kernel } = this;
    const biases = kernelBiases(kernel, params);
    const rows = params.bias_ih.length;
    for (let r = 0; r < this.xw.length; r += rows) {
      for (let j = 0; j < rows; j++) this.xw[r + j] = this.projections[r + j] + biases.input[j];
    }
    const { cache } = kernel.forward(this.xw, this.zeroState, params.weight_hh, dims, biases.recurrent);
    const meanNorm = (dh) => meanRowNorm(dh, dims.batch, dims.size);
    const norms = new Array(seqLen + 1);
    norms[0] = meanNorm(this.finalGrads[0]);
    const record = (k, dh) => (norms[dims.steps - k] = meanNorm(dh)); // dh = dL/dh_k
    kernel.backward(this.noOutputLoss, this.finalGrads, cache, params.weight_hh, dims, record, dims.steps - seqLen);
    this.last = { key, norms };
    return norms;
  }
}

function render({ model, el }) {
  const root = mount(el, "gradient-flow");
  const colors = model.get("colors");
  const data = model.get("data");
  const controls = tag("div", { class: "rnnx-controls" });
  const note = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(controls);
  let norms = [];
  let reference = null; // the plain RNN's norms when another cell is shown
  const walks = {}; // one GradientWalk per cell, made before the first move
  for (const kind of Object.keys(NAMES)) walks[kind] = new GradientWalk(kind, data.weights[kind], data.x, data.direction);
  const floor = 1e-16;
  const ceiling = 1e4;

  const chart = figure(root, {
    height: 250,
    describe: () =>
      `Log-scale line chart of the gradient norm against the distance from the loss for ${ARTICLES[model.get("kind")]} ${NAMES[model.get("kind")]} ` +
      `with weight scale ${model.get("weight_scale").toFixed(2)}: 1 at distance 0, ` +
      `${norms[norms.length - 1].toExponential(1)} at distance ${norms.length - 1}` +
      (reference ? `; a grey line, the plain RNN at the same scale, ends at ${reference[reference.length - 1].toExponential(1)}.` : "."),
    draw: (node, width) => {
      const box = { left: 50, right: width - 10, top: 22, bottom: 250 - 40 };
      const x = scale(0, norms.length - 1, box.left, box.right);
      const y = (v) => scale(Math.log10(floor), Math.log10(ceiling), box.bottom, box.top)(Math.log10(Math.max(v, floor)));
      const yTicks = [-16, -12, -8, -4, 0, 4].map((p) => [10 ** p, `1e${p}`]);
      const xTicks = [0, 10, 20, 30, 40].filter((k) => k < norms.length).map((k) => [k, String(k)]);
      axes(node, { ...box, yTicks, y, xTicks, x, xLabel: "distance T \u2212 t from the loss", yLabel: "||dL/dh_t|| (log scale)" });
      const kind = model.get("kind");
      const line = (values) => values.map((v, k) => [x(k), Math.max(box.top, y(Math.min(v, ceiling)))]);
      const shown = { stroke: colors[`model_${NAMES[kind]}`], "stroke-width": 2.5 };
      const legend = [[NAMES[kind], shown]];
      if (reference) {
        const grey = { stroke: REFERENCE_GREY, "stroke-width": 1.5, "stroke-dasharray": "5 4" };
        node.append(path(line(reference), grey));
        node.dataset.referenceValues = JSON.stringify(reference);
        legend.push(["plain RNN, same scale", grey]);
      } else {
        delete node.dataset.referenceValues;
      }
      node.append(path(line(norms), shown));
      // Bottom left, where no curve goes (every curve starts at 1): a line sample, then
      // its label in the text colour.
      const left = box.left + 10;
      legend.forEach(([text, style], row) => {
        const middle = box.bottom - 10 - 15 * (legend.length - 1 - row);
        node.append(path([[left, middle], [left + 22, middle]], style));
        node.append(svg("text", { x: left + 28, y: middle + 4, "font-size": 12, fill: "#222" }, text));
      });
      node.dataset.values = JSON.stringify(norms);
    },
  });

  const update = timed(root, () => {
    const kind = model.get("kind");
    const weightScale = model.get("weight_scale");
    norms = walks[kind].norms(weightScale, model.get("keep_bias"), data.seq_len);
    // The plain RNN at the same scale, for comparison (a keep-gate move reuses it).
    reference = kind === "rnn" ? null : walks.rnn.norms(weightScale, null, data.seq_len);
    keep.row.hidden = kind === "rnn"; // a plain RNN has no gate that keeps memory
    const last = norms[norms.length - 1];
    const faded = kind === "lstm" ? ": along h the early inputs barely reach the weights (the cell state may still carry them; see the next figure)." : ": the early inputs barely reach the weights.";
    note.textContent = `${NAMES[kind]}: after ${norms.length - 1} steps the gradient on h has ${last.toExponential(2)} of its size at the loss` +
      (last < 1e-3 ? faded : last > 1e3 ? ": it explodes." : ".");
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

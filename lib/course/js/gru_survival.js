// Chapter 4: how much of the GRU's old state survives. Two runs of the same GRU read the
// same inputs from h_0 = +1 and h_0 = -1; half their gap is the share of h_0 still there.
// The update gate's bias b_z sets z = sigma(b_z) (its weights are 0); the candidate follows
// the input. Computed in the page with cells.js's gruStep, in either convention for z.
import { gruStep, sigmoid } from "./cells.js";
import { axes, choice, figure, fmt, follow, mount, path, range, scale, slider, svg, tag, timed } from "./ui.js";

// The GRU's parameters: W_ih's candidate rows from Python, b_z on the update gate's rows.
export function survivalParams(data, bZ) {
  const size = data.hidden;
  const biasIh = new Array(3 * size).fill(0);
  for (let k = size; k < 2 * size; k++) biasIh[k] = bZ;
  return { weightIh: data.weight_ih, weightHh: new Array(3 * size).fill(0).map(() => new Array(size).fill(0)), biasIh, biasHh: null };
}

// The two runs (unit 1's h_t) and the share of h_0 left at each step, from step 0.
export function survival(data, bZ, zKeepsOld, steps) {
  const params = survivalParams(data, bZ);
  const runs = [1, -1].map((start) => {
    let h = new Array(data.hidden).fill(start);
    const trace = [h];
    for (const x of data.xs.slice(0, steps)) {
      h = gruStep(x, h, params, { zKeepsOld }).h;
      trace.push(h);
    }
    return trace;
  });
  const left = runs[0].map((h, t) => h.reduce((sum, v, k) => sum + (v - runs[1][t][k]) / 2, 0) / h.length);
  return { runs: runs.map((trace) => trace.map((h) => h[0])), left };
}

function render({ model, el }) {
  const root = mount(el, "gru-survival");
  const colors = model.get("colors");
  const data = model.get("data");
  const controls = tag("div", { class: "rnnx-controls" });
  const note = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(controls);
  let result = { runs: [[], []], left: [] };
  const keepShare = () => (model.get("z_keeps_old") ? sigmoid(model.get("b_z")) : 1 - sigmoid(model.get("b_z")));

  const runsChart = figure(root, {
    height: 180,
    describe: () => `Line chart of unit 1's hidden state over ${result.left.length - 1} steps in two runs with the same inputs, from h_0 = +1 (solid) and h_0 = \u22121 (dashed); they end at ${fmt(result.runs[0].at(-1))} and ${fmt(result.runs[1].at(-1))}.`,
    draw: (node, width) => {
      const box = { left: 40, right: width - 10, top: 18, bottom: 180 - 34 };
      const x = scale(0, result.left.length - 1, box.left, box.right);
      const y = scale(-1.1, 1.1, box.bottom, box.top);
      const xTicks = result.left.map((_, t) => [t, String(t)]).filter(([t]) => t % 5 === 0);
      axes(node, { ...box, yTicks: [[-1, "\u22121"], [0, "0"], [1, "1"]], y, xTicks, x, xLabel: "step t", yLabel: "h_t of unit 1, from +1 (solid) and \u22121 (dashed)" });
      result.runs.forEach((run, k) => node.append(path(run.map((v, t) => [x(t), y(v)]), { stroke: colors.h, "stroke-width": 2.2, "stroke-dasharray": k ? "5 3" : "none" })));
    },
  });
  const leftChart = figure(root, {
    height: 180,
    describe: () => `Bar chart of the share of h_0 left at each step, measured, with the curve keep^t for keep = ${fmt(keepShare(), 3)}; after ${result.left.length - 1} steps ${fmt(result.left.at(-1), 3)} is left.`,
    draw: (node, width) => {
      const box = { left: 40, right: width - 10, top: 18, bottom: 180 - 34 };
      const n = result.left.length;
      const x = scale(-0.5, n - 0.5, box.left, box.right);
      const y = scale(0, 1.05, box.bottom, box.top);
      const xTicks = result.left.map((_, t) => [t, String(t)]).filter(([t]) => t % 5 === 0);
      axes(node, { ...box, yTicks: [[0, "0"], [0.5, "0.5"], [1, "1"]], y, xTicks, x, xLabel: "step t", yLabel: "share of h_0 left (bars), keep^t (line)" });
      const w = Math.max(2, ((box.right - box.left) / n) * 0.7);
      result.left.forEach((v, t) => node.append(svg("rect", { x: x(t) - w / 2, width: w, y: y(Math.max(0, v)), height: Math.abs(y(0) - y(Math.max(0, v))), fill: colors.z, opacity: 0.8 })));
      const keep = keepShare();
      node.append(path(result.left.map((_, t) => [x(t), y(keep ** t)]), { stroke: "#000", "stroke-width": 1.5 }));
      node.dataset.values = JSON.stringify(result.left);
    },
  });

  const update = timed(root, () => {
    result = survival(data, model.get("b_z"), model.get("z_keeps_old"), model.get("steps"));
    const z = sigmoid(model.get("b_z"));
    const keeper = model.get("z_keeps_old") ? "z" : "1 \u2212 z";
    note.textContent = `z = \u03c3(b_z) = ${fmt(z, 3)}; ${keeper} = ${fmt(keepShare(), 3)} of the old state is kept each step; ` +
      `after ${result.left.length - 1} steps ${fmt(result.left.at(-1), 3)} of h_0 is left.`;
    runsChart.redraw();
    leftChart.redraw();
  });

  const set = (name) => (value) => {
    model.set(name, value);
    model.save_changes();
  };
  const bias = slider(controls, { label: "update-gate bias b_z", ...range(model, "b_z"), step: 0.05, digits: 2, value: model.get("b_z"), onInput: set("b_z"), name: "b_z" });
  const steps = slider(controls, { label: "steps T", ...range(model, "steps"), step: 1, digits: 0, value: model.get("steps"), onInput: set("steps"), name: "steps" });
  const convention = choice(controls, {
    label: "the old state is kept by", name: "z_keeps_old", value: model.get("z_keeps_old") ? "z" : "1-z",
    options: [["z", "z (PyTorch, Cho et al.)"], ["1-z", "1 \u2212 z (Chung et al., colah)"]],
    onChange: (v) => set("z_keeps_old")(v === "z"),
  });
  root.append(note);
  follow(model, "b_z", bias, update);
  follow(model, "steps", steps, update);
  follow(model, "z_keeps_old", convention, update, (keeps) => (keeps ? "z" : "1-z"));
  update();
}

export default { render };

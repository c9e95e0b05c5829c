// Chapter 3: a one-unit LSTM reading a short sequence, its gates traced step by step and
// computed in the page with cells.js's lstmStep. Each gate reads the input x_t through a
// weight and has a bias (recurrent weights 0, so each gate's trace follows the input).
import { lstmStep } from "./cells.js";
import { axes, figure, fmt, follow, mount, path, range, scale, slider, svg, tag, timed } from "./ui.js";

const GATES = ["i", "f", "g", "o"]; // torch's order
const TITLES = { i: "input gate i", f: "forget gate f", g: "candidate g", o: "output gate o", c: "cell state c", h: "hidden state h" };

// The one-unit LSTM's parameters in torch's layout from {w_i, b_i, w_f, ...}.
export function traceParams(p) {
  return {
    weightIh: GATES.map((gate) => [p[`w_${gate}`]]),
    weightHh: GATES.map(() => [0]),
    biasIh: GATES.map((gate) => p[`b_${gate}`]),
    biasHh: null,
  };
}

// Every step's {i, f, g, o, c, h} (numbers) over the sequence xs, from h_0 = c_0 = 0.
export function lstmTraces(p, xs) {
  const params = traceParams(p);
  let [h, c] = [[0], [0]];
  return xs.map((x) => {
    const step = lstmStep([x], h, c, params);
    [h, c] = [step.h, step.c];
    return Object.fromEntries(Object.entries(step).map(([k, v]) => [k, v[0]]));
  });
}

function render({ model, el }) {
  const root = mount(el, "lstm-traces");
  const colors = model.get("colors");
  const names = GATES.flatMap((g) => [`w_${g}`, `b_${g}`]);
  const current = () => Object.fromEntries(names.map((n) => [n, model.get(n)]));
  const controls = tag("div", { class: "rnnx-controls" });
  const note = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(controls);
  let traces = [];

  // keys: the traces drawn; bounds(): [lo, hi] of the value axis when drawn
  const panel = (keys, bounds, height) =>
    figure(root, {
      height,
      describe: () =>
        `Line chart over ${traces.length} steps of ${keys.map((k) => TITLES[k]).join(", ")}: ` +
        keys.map((k) => `${k} ends at ${fmt(traces[traces.length - 1][k])}`).join(", ") + ".",
      draw: (node, width) => {
        const [lo, hi] = bounds();
        const xs = model.get("xs");
        const box = { left: 40, right: width - 56, top: 18, bottom: height - 34 };
        const x = scale(1, xs.length, box.left, box.right);
        const y = scale(lo, hi, box.bottom, box.top);
        const xTicks = xs.map((_, t) => [t + 1, String(t + 1)]).filter(([t]) => t % 2 === 1);
        axes(node, { ...box, yTicks: [...new Set([lo, 0, hi])].map((v) => [v, fmt(v, 1)]), y, xTicks, x, xLabel: "step t" });
        xs.forEach((v, t) => v !== 0 && node.append(svg("rect", { x: x(t + 1) - 3, width: 6, y: box.top, height: box.bottom - box.top, fill: "#000", opacity: 0.06 })));
        const clip = (v) => y(Math.max(lo, Math.min(hi, v)));
        keys.forEach((key, k) => {
          node.append(path(traces.map((s, t) => [x(t + 1), clip(s[key])]), { stroke: colors[key], "stroke-width": 2.2, "stroke-dasharray": k % 2 ? "5 3" : "none" }));
        });
        // each line's last value at its end, moved apart where lines end close together
        const ends = keys.map((key) => ({ key, value: traces[traces.length - 1][key] }))
          .map((end) => ({ ...end, at: clip(end.value) + 4 })).sort((a, b) => a.at - b.at);
        ends.forEach((end, k) => {
          if (k > 0) end.at = Math.max(end.at, ends[k - 1].at + 12);
          node.append(svg("text", { x: box.right + 4, y: end.at, class: "rnnx-tick" }, `${end.key} ${fmt(end.value)}`));
        });
        node.dataset.values = JSON.stringify(traces.map((s) => keys.map((k) => s[k])));
      },
    });

  root.append(tag("p", { class: "rnnx-note" }, ["Gates (0 = shut, 1 = open); shaded steps carry an input x_t \u2260 0:"]));
  const gatesChart = panel(["i", "f", "o"], () => [0, 1], 170);
  root.append(tag("p", { class: "rnnx-note" }, ["The cell state c (the belt) and the hidden state h:"]));
  const reach = () => Math.max(2, ...traces.map((s) => Math.ceil(Math.abs(s.c)))); // c is unbounded
  const stateChart = panel(["c", "h"], () => [-reach(), reach()], 170);
  root.append(note);

  const update = timed(root, () => {
    traces = lstmTraces(current(), model.get("xs"));
    const xs = model.get("xs");
    const inputs = xs.flatMap((v, t) => (v !== 0 ? [t + 1] : []));
    const last = traces[traces.length - 1];
    const where = inputs.length === 1 ? `Input at step ${inputs[0]}` : `Inputs at steps ${inputs.join(", ")}`;
    note.textContent = `${where}; at the last step c = ${fmt(last.c, 3)} and h = ${fmt(last.h, 3)}.`;
    gatesChart.redraw();
    stateChart.redraw();
  });

  const sliders = {};
  for (const gate of GATES) {
    for (const [prefix, what] of [["w", "weight on x"], ["b", "bias"]]) {
      const name = `${prefix}_${gate}`;
      sliders[name] = slider(controls, {
        label: `${TITLES[gate]}: ${what}`, ...range(model, name), step: 0.1, digits: 1, value: model.get(name), name,
        onInput: (value) => {
          model.set(name, value);
          model.save_changes();
        },
      });
      follow(model, name, sliders[name], update);
    }
  }
  model.on("change:xs", update);
  update();
}

export default { render };

// Chapter 1: a pulse fading through a one-unit RNN, computed in the page.
// h_t = act(w_ih x_t + w_hh h_{t-1}), h_0 = 0, x_1 = pulse and x_t = 0 afterwards.
import { rnnStep } from "./cells.js";
import { axes, choice, figure, fmt, follow, mount, path, range, scale, short, slider, svg, tag, timed } from "./ui.js";

// The hidden states h_1 .. h_T that one pulse leaves behind (lib.course.memory.pulse_response).
export function pulseResponse(wHh, wIh, pulse, steps, nonlinearity) {
  const params = { weightIh: [[wIh]], weightHh: [[wHh]] };
  let h = [0];
  const hs = [];
  for (let t = 0; t < steps; t++) {
    h = rnnStep([t === 0 ? pulse : 0], h, params, nonlinearity).h;
    hs.push(h[0]);
  }
  return hs;
}

// The readout under the figure: the share of h_1 left after `steps` steps, or how far
// the state grew (relu, or w_hh above 1); no ratio when the pulse never entered the state.
export function keptNote(hs, steps) {
  const first = Math.abs(hs[0]);
  if (first < 1e-12) return "h_1 is 0 (the pulse or the input weight is 0), so there is no memory to keep.";
  const ratio = Math.abs(hs[hs.length - 1]) / first;
  const percent = `${(100 * ratio).toFixed(0)}% of h_1`;
  if (ratio <= 1.005) return `after ${steps} steps h keeps ${percent}.`;
  if (ratio < 10) return `after ${steps} steps h has grown to ${percent}.`;
  const times = ratio < 1000 ? ratio.toFixed(0) : ratio.toExponential(1);
  return `after ${steps} steps h has grown to ${times} times h_1.`;
}

function render({ model, el }) {
  const root = mount(el, "pulse");
  const colors = model.get("colors");
  const controls = tag("div", { class: "rnnx-controls" });
  const note = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(controls);
  let hs = [];
  const current = () => ({
    wHh: model.get("w_hh"),
    wIh: model.get("w_ih"),
    pulse: model.get("pulse"),
    steps: model.get("steps"),
    nonlinearity: model.get("nonlinearity"),
  });

  const chart = figure(root, {
    height: 240,
    describe: () => {
      const p = current();
      return `Line chart of the hidden state h_t over ${p.steps} steps of a one-unit ${p.nonlinearity} RNN ` +
        `with w_hh = ${fmt(p.wHh)}, w_ih = ${fmt(p.wIh)} and a pulse of ${fmt(p.pulse)} at step 1: ` +
        `h_1 = ${short(hs[0])}, h_${p.steps} = ${short(hs[hs.length - 1])}.`;
    },
    draw: (node, width) => {
      const p = current();
      const hi = 1.1 * Math.max(1, p.pulse, ...hs); // relu can grow without bound: follow it
      const lo = Math.min(-0.3, 1.1 * Math.min(...hs));
      const box = { left: 52, right: width - 10, top: 22, bottom: 240 - 40 };
      const x = scale(0.5, p.steps + 0.5, box.left, box.right);
      const y = scale(lo, hi, box.bottom, box.top);
      const clip = (v) => Math.max(box.top, Math.min(box.bottom, y(v)));
      const label = (v) => (hi >= 1000 ? v.toExponential(1) : v.toFixed(1)).replace("-", "\u2212");
      const ticks = [0, hi / 2, hi].concat(lo < -0.15 * hi ? [lo] : []).map((v) => [v, label(v)]);
      const every = Math.ceil(p.steps / Math.max(2, Math.floor((box.right - box.left) / 40)));
      const xTicks = [];
      for (let t = 1; t <= p.steps; t += every) xTicks.push([t, String(t)]);
      axes(node, { ...box, yTicks: ticks, y, xTicks, x, xLabel: "time step t", yLabel: "h_t (line), x_t (bar)" });
      const barWidth = Math.max(2, ((box.right - box.left) / p.steps) * 0.6);
      node.append(svg("rect", {
        x: x(1) - barWidth / 2, width: barWidth, y: Math.min(clip(p.pulse), y(0)),
        height: Math.abs(y(0) - clip(p.pulse)), fill: colors.x, opacity: 0.55,
      }));
      node.append(path(hs.map((v, t) => [x(t + 1), clip(v)]), { stroke: colors.h, "stroke-width": 2.5 }));
      hs.forEach((v, t) => node.append(svg("circle", { cx: x(t + 1), cy: clip(v), r: 3, fill: colors.h })));
      node.dataset.values = JSON.stringify(hs);
    },
  });

  const update = timed(root, () => {
    const p = current();
    hs = pulseResponse(p.wHh, p.wIh, p.pulse, p.steps, p.nonlinearity);
    note.textContent = `h_1 = ${short(hs[0])}, h_${p.steps} = ${short(hs[hs.length - 1])}: ` +
      keptNote(hs, p.steps);
    chart.redraw();
  });

  const set = (name) => (value) => {
    model.set(name, value);
    model.save_changes();
  };
  const sliders = {
    w_hh: slider(controls, { label: "recurrent weight w_hh", ...range(model, "w_hh"), step: 0.01, value: model.get("w_hh"), digits: 2, onInput: set("w_hh"), name: "w_hh" }),
    w_ih: slider(controls, { label: "input weight w_ih", ...range(model, "w_ih"), step: 0.01, value: model.get("w_ih"), digits: 2, onInput: set("w_ih"), name: "w_ih" }),
    pulse: slider(controls, { label: "pulse size x_1", ...range(model, "pulse"), step: 0.05, value: model.get("pulse"), digits: 2, onInput: set("pulse"), name: "pulse" }),
    steps: slider(controls, { label: "steps T", ...range(model, "steps"), step: 1, value: model.get("steps"), digits: 0, onInput: set("steps"), name: "steps" }),
  };
  const act = choice(controls, {
    label: "nonlinearity", name: "nonlinearity", value: model.get("nonlinearity"),
    options: [["tanh", "tanh"], ["relu", "relu"]], onChange: set("nonlinearity"),
  });
  root.append(note);
  for (const [name, control] of Object.entries(sliders)) follow(model, name, control, update);
  follow(model, "nonlinearity", act, update);
  update();
}

export default { render };

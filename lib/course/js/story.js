// Chapter 3: the boss-raise story, every one of its 55 numbers a slider, computed in the
// page with cells.js's lstmStep (the twin of lib.course.story.story_step).
import { lstmStep, tanh } from "./cells.js";
import { button, figure, fmt, mount, svg, slider, tag, timed } from "./ui.js";

const UNITS = ["mood", "budget"];
const CONCAT = ["h mood", "h budget", "x exam", "x review", "x time"];
const GATES = ["f", "i", "g", "o"]; // the order the chapter tells them in
const TORCH_ORDER = ["i", "f", "g", "o"]; // the order of torch's stacked rows
const GATE_TITLES = { f: "forget gate f", i: "input gate i", g: "candidate g", o: "output gate o" };
const ROW_NAMES = { f: "forget gate", i: "input gate", g: "candidate", o: "output gate", c: "cell state", h: "hidden state" };
const STATE_ROWS = [
  ["c", ["mood", "budget"]],
  ["h", ["mood", "budget"]],
  ["x", ["exam passed", "review from your boss", "time left"]],
];

// The story's weights in torch's layout (lib.course.story.torch_weights): each gate's 2 x 5
// matrix acts on [h mood, h budget, x exam, x review, x time]; the bias is all in biasIh.
export function torchWeights(p) {
  const rows = TORCH_ORDER.flatMap((gate) => p[`W_${gate}`]);
  return {
    weightIh: rows.map((row) => row.slice(2)),
    weightHh: rows.map((row) => row.slice(0, 2)),
    biasIh: TORCH_ORDER.flatMap((gate) => p[`b_${gate}`]),
    biasHh: null,
  };
}

// One LSTM step on the story's numbers: {i, f, g, o, c, h}, each [mood, budget].
export function storyStep(p) {
  return lstmStep(p.x, p.h, p.c, torchWeights(p));
}

const pct = (v) => `${(100 * v).toFixed(0)}%`;
const signed = (v) => `${v >= 0 ? "+" : ""}${v.toFixed(2)}`;

// The article's reading of the state as a likelihood: the mean of h, clipped to [0, 1].
export function raiseLikelihood(values) {
  const mean = values.h.reduce((a, b) => a + b, 0) / values.h.length;
  return Math.min(Math.max(mean, 0), 1);
}

// The step told in the story's words (lib.course.story.story_sentence, character for character).
export function storySentence(v) {
  return (
    `You keep ${pct(v.f[0])} of your old mood and ${pct(v.f[1])} of your old budget; ` +
    `you let in ${pct(v.i[0])} and ${pct(v.i[1])} of today's candidate values ` +
    `(${signed(v.g[0])} for mood, ${signed(v.g[1])} for budget); ` +
    `your long-term view becomes mood ${v.c[0].toFixed(2)}, budget ${v.c[1].toFixed(2)}; ` +
    `you reveal ${pct(v.o[0])} and ${pct(v.o[1])} of it, so your short-term view is ` +
    `[${v.h[0].toFixed(2)}, ${v.h[1].toFixed(2)}]. The article would read this as ` +
    `"${pct(raiseLikelihood(v))} likely to give the raise"; but a state in ` +
    "(-1, 1) is not a probability until a trained readout turns it into one."
  );
}

const copy = (p) => JSON.parse(JSON.stringify(p));

// Every slider: [key, path into the parameters, label, range]. 55 in all.
function sliderSpecs(limits) {
  const specs = [];
  for (const [name, labels] of STATE_ROWS) {
    labels.forEach((label, k) => specs.push({ group: name, path: [name, k], label: `${name} ${label}`, range: limits.state }));
  }
  for (const gate of GATES) {
    UNITS.forEach((unit, u) => {
      CONCAT.forEach((input, j) => specs.push({ group: gate, path: [`W_${gate}`, u, j], label: `${gate}: ${unit} \u2190 ${input}`, range: limits.weight }));
      specs.push({ group: gate, path: [`b_${gate}`, u], label: `${gate}: ${unit} bias`, range: limits.bias });
    });
  }
  return specs;
}

function read(p, path) {
  return path.reduce((node, key) => node[key], p);
}

function write(p, path, value) {
  const last = path[path.length - 1];
  path.slice(0, -1).reduce((node, key) => node[key], p)[last] = value;
}

// The cell drawn for each unit: the belt c_{t-1} -> forget valve -> (+) -> c_t, the
// candidate through the input valve into (+), and tanh(c_t) through the output valve to h_t.
// A valve is a box filled to the gate's opening (0 = shut, 1 = wide open).
function drawCell(node, width, p, v, colors) {
  const lane = 96;
  const x = (share) => 10 + share * (width - 20);
  UNITS.forEach((unit, u) => {
    const top = 4 + u * lane;
    const belt = top + 34;
    const ink = "#333";
    node.append(svg("text", { x: x(0), y: top + 12, class: "rnnx-label", "font-weight": "600" }, unit));
    node.append(svg("line", { x1: x(0.13), x2: x(0.93), y1: belt, y2: belt, stroke: colors.c, "stroke-width": 3 }));
    node.append(svg("text", { x: x(0), y: belt - 4, class: "rnnx-tick" }, "c\u209c\u208b\u2081"));
    node.append(svg("text", { x: x(0), y: belt + 14, class: "rnnx-tick" }, fmt(p.c[u])));
    const valve = (gate, share, cy, value) => {
      const size = 26;
      const left = x(share) - size / 2;
      node.append(svg("rect", { x: left, y: cy - size / 2, width: size, height: size, fill: "#fff", stroke: ink }));
      const open = Math.max(0, Math.min(1, value)) * size;
      node.append(svg("rect", { x: left, y: cy + size / 2 - open, width: size, height: open, fill: colors[gate], "data-gate": `${gate}${u}` }));
      node.append(svg("text", { x: left + size + 3, y: cy - 4, class: "rnnx-tick" }, gate));
      node.append(svg("text", { x: left + size + 3, y: cy + 10, class: "rnnx-tick" }, pct(value)));
    };
    valve("f", 0.25, belt, v.f[u]);
    node.append(svg("circle", { cx: x(0.47), cy: belt, r: 8, fill: "#fff", stroke: ink }));
    node.append(svg("text", { x: x(0.47), y: belt + 4, "text-anchor": "middle", class: "rnnx-label" }, "+"));
    node.append(svg("line", { x1: x(0.47), x2: x(0.47), y1: belt + 8, y2: belt + 40, stroke: colors.g, "stroke-width": 2 }));
    valve("i", 0.47, belt + 40, v.i[u]);
    node.append(svg("text", { x: x(0.47) - 18, y: belt + 44, "text-anchor": "end", class: "rnnx-tick" }, `g ${signed(v.g[u])}`));
    node.append(svg("text", { x: x(0.6), y: belt - 4, class: "rnnx-tick" }, "c\u209c"));
    node.append(svg("text", { x: x(0.6), y: belt + 14, class: "rnnx-tick" }, fmt(v.c[u])));
    valve("o", 0.8, belt, v.o[u]);
    node.append(svg("text", { x: x(0.72), y: belt + 30, "text-anchor": "middle", class: "rnnx-tick" }, "tanh"));
    node.append(svg("text", { x: x(1), y: belt - 4, "text-anchor": "end", class: "rnnx-tick" }, "h\u209c"));
    node.append(svg("text", { x: x(1), y: belt + 14, "text-anchor": "end", class: "rnnx-tick", "font-weight": "600" }, fmt(v.h[u])));
  });
}

function render({ model, el }) {
  const root = mount(el, "story");
  const colors = model.get("colors");
  const limits = model.get("limits");
  const presets = model.get("presets");
  const initial = copy(model.get("params"));
  let values = storyStep(initial);

  const buttons = tag("div", { class: "rnnx-buttons", role: "group", "aria-label": "presets" });
  root.append(buttons);
  const apply = (p) => {
    model.set("params", copy(p));
    model.save_changes();
  };
  for (const [name, p] of Object.entries(presets)) button(buttons, name, () => apply(p));
  button(buttons, "reset", () => apply(initial));

  const chart = figure(root, {
    height: 2 * 96 + 4,
    describe: () =>
      UNITS.map((unit, u) =>
        `${unit}: forget gate ${pct(values.f[u])} open, input gate ${pct(values.i[u])}, candidate ${signed(values.g[u])}, ` +
        `new cell state ${fmt(values.c[u])}, output gate ${pct(values.o[u])}, new hidden state ${fmt(values.h[u])}`,
      ).join("; ") + ".",
    draw: (node, width) => drawCell(node, width, model.get("params"), values, colors),
  });
  chart.node.setAttribute("aria-roledescription", "diagram of one LSTM step");

  const table = tag("table", { class: "rnnx-values" });
  const sentence = tag("p", { class: "rnnx-sentence", "aria-live": "polite" });
  const ceiling = tag("p", { class: "rnnx-note" });
  root.append(tag("div", { class: "rnnx-scroll" }, [table]), sentence, ceiling);

  const groups = {};
  const addGroup = (key, title, open) => {
    const body = tag("div", { class: "rnnx-controls" });
    const details = tag("details", open ? { open: "" } : {}, [tag("summary", {}, [title]), body]);
    root.append(details);
    groups[key] = body;
  };
  addGroup("state", "Inputs: c\u209c\u208b\u2081, h\u209c\u208b\u2081 and x\u209c", true);
  for (const gate of GATES) addGroup(gate, `Weights and biases of the ${GATE_TITLES[gate]}`, false);

  const sliders = sliderSpecs(limits).map((spec) => {
    const parent = groups[["c", "h", "x"].includes(spec.group) ? "state" : spec.group];
    const control = slider(parent, {
      label: spec.label, min: spec.range[0], max: spec.range[1], step: 0.1, digits: 1,
      value: read(initial, spec.path), name: spec.path.join("."),
      onInput: (value) => {
        const p = copy(model.get("params"));
        write(p, spec.path, value);
        model.set("params", p);
        model.save_changes();
      },
    });
    return { spec, control };
  });

  const rows = Object.fromEntries(
    ["f", "i", "g", "o", "c", "h"].map((key) => {
      const cells = UNITS.map(() => tag("td"));
      return [key, tag("tr", { "data-key": key }, [tag("th", { scope: "row" }, [`${key} (${ROW_NAMES[key]})`]), ...cells])];
    }),
  );
  table.append(
    tag("thead", {}, [tag("tr", {}, [tag("th", { scope: "col" }, ["step values"]), ...UNITS.map((u) => tag("th", { scope: "col" }, [u]))])]),
    tag("tbody", {}, Object.values(rows)),
  );

  const update = timed(root, () => {
    const p = model.get("params");
    values = storyStep(p);
    for (const [key, row] of Object.entries(rows)) {
      values[key].forEach((value, u) => (row.cells[u + 1].textContent = fmt(value, 3)));
    }
    sentence.textContent = storySentence(values);
    const limit = values.c.map((c) => tanh(Math.abs(c)));
    ceiling.textContent =
      `Ceiling: h_t = o_t \u00d7 tanh(c_t) \u2264 tanh(|c_t|) = [${limit.map((v) => v.toFixed(3)).join(", ")}]. ` +
      `To reach 0.9 a unit needs |c_t| \u2265 artanh(0.9) = 1.472` +
      (values.c.some((c) => Math.abs(c) >= 1.4722) ? "." : ": no unit has it now, so no output gate can give 0.9.");
    chart.redraw();
    for (const { spec, control } of sliders) {
      const value = read(p, spec.path);
      if (Number(control.input.value) !== value) control.set(value); // a preset, reset or Python
    }
  });

  model.on("change:params", update);
  update();
}

export default { render };

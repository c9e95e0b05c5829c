// The playground page: pick a task, a cell and its settings, press Play, and watch a
// recurrent network learn in a Web Worker (playground_worker.js, which trains with
// train.js, the twin of lib). The page draws what the worker posts: the training loss,
// the held-out accuracy, the gradient's norm against distance back in time, and the
// hidden state and gates over one held-out example. In the built book the address holds
// the settings (?task=recall&lag=40&cell=gru...): a link reproduces a run exactly.
import { SETTINGS } from "./playground_settings.js";
import { axes, button, choice, figure, fmt, follow, mount, path, range, scale, slider, svg, tag } from "./ui.js";

const CELL_NAMES = { lstm: "LSTM", gru: "GRU", rnn: "RNN" };
const TASK_OPTIONS = [
  ["recall", "delayed recall"],
  ["adding", "adding problem"],
  ["review", "first-words review"],
];
const CELL_OPTIONS = [
  ["lstm", "LSTM"],
  ["gru", "GRU"],
  ["rnn", "RNN (tanh)"],
];
// The gate panels of each cell, in the order of its stacked rows (torch's).
const GATES = { lstm: ["i", "f", "g", "o"], gru: ["r", "z", "n"], rnn: [] };
const GATE_TITLES = {
  i: "input gate i", f: "forget gate f", g: "candidate g", o: "output gate o",
  r: "reset gate r", z: "update gate z", n: "candidate n",
};
const SIGNED = new Set(["g", "n"]); // tanh values in (-1, 1); the others are sigmoids in (0, 1)
const NEGATIVE = "#0072B2"; // blue for -1 and red for +1 (Okabe and Ito), white for 0
const POSITIVE = "#D55E00";
const SYMBOLS = "ABCD";
// Settings the address can hold, how each is read, and the step its slider moves by.
const NUMBERS = { lag: 1, length: 1, hidden: 1, clip: 0.25, keep_bias: 0.5, input_bias: 0.5, seed: 1 };
const CHOICES = { task: TASK_OPTIONS.map(([v]) => v), cell: CELL_OPTIONS.map(([v]) => v) };

const PLAYGROUND_CSS = `
.rnnx-pg-buttons { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.8rem; margin: 0.4rem 0; }
.rnnx-pg-buttons a { font-size: 13px; }
.rnnx-pg-buttons button:disabled { opacity: 0.5; cursor: default; }
.rnnx-pg-status { font-size: 13px; font-variant-numeric: tabular-nums; margin: 0.3rem 0; min-height: 2.6em; }
.rnnx-pg-charts { display: grid; gap: 0.5rem 1rem; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); }
.rnnx-pg-heatmap { display: block; max-width: 100%; }
.rnnx-pg-seed { display: grid; grid-template-columns: minmax(6rem, 1fr) 6rem; align-items: center; gap: 0.4rem; min-height: 2.2rem; font-size: 13px; }
.rnnx-pg-seed input { font: inherit; min-height: 2rem; width: 100%; }
.rnnx h2.rnnx-pg-heading { font-size: 15px; font-weight: 600; margin: 0.9rem 0 0.2rem; }
`;

// True in the built book, whose page holds the widget state it was rendered from (a
// notebook's page does not): only there do the settings live in the address.
function inBuiltBook() {
  return document.querySelector('script[type="application/vnd.jupyter.widget-state+json"]') !== null;
}

// The settings in the address that the page can apply, snapped to what the controls
// offer, and a note on each one it could not read. model: the widget's settings.
export function readAddress(search, model) {
  const params = new URLSearchParams(search);
  const limits = model.get("limits");
  const rates = model.get("learning_rates");
  const applied = {};
  const notes = [];
  for (const name of SETTINGS) {
    const text = params.get(name);
    if (text === null) continue;
    if (CHOICES[name]) {
      if (CHOICES[name].includes(text)) applied[name] = text;
      else notes.push(`${name}=${text} is not one of ${CHOICES[name].join(", ")}`);
      continue;
    }
    const value = Number(text);
    const [min, max] = name === "lr" ? [rates[0], rates[rates.length - 1]] : limits[name];
    if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
      notes.push(`${name}=${text} is not a number from ${min} to ${max}`);
      continue;
    }
    const snapped = name === "lr" ? nearestRate(rates, value) : min + Math.round((value - min) / NUMBERS[name]) * NUMBERS[name];
    if (Math.abs(snapped - value) > 1e-12) notes.push(`${name}=${text} was read as ${snapped}`);
    applied[name] = snapped;
  }
  return { applied, notes };
}

function nearestRate(rates, value) {
  return rates.reduce((best, r) => (Math.abs(Math.log(r / value)) < Math.abs(Math.log(best / value)) ? r : best));
}

// "?task=recall&lag=40&...": every setting, so that a link keeps meaning the same run.
export function addressOf(settings) {
  return `?${new URLSearchParams(SETTINGS.map((name) => [name, String(settings[name])]))}`;
}

function currentSettings(model) {
  return Object.fromEntries(SETTINGS.map((name) => [name, model.get(name)]));
}

// A colour between white (t = 0) and `color` (t = 1).
function mix(color, t) {
  const amount = Math.min(Math.max(t, 0), 1);
  const channel = (k) => Math.round(255 + (parseInt(color.slice(1 + 2 * k, 3 + 2 * k), 16) - 255) * amount);
  return `rgb(${channel(0)},${channel(1)},${channel(2)})`;
}

// A value in [-1, 1] as blue (-1), white (0) or red (+1).
function diverging(v) {
  return v < 0 ? mix(NEGATIVE, -v) : mix(POSITIVE, v);
}

// What the run has posted so far, gathered for drawing.
function emptyHistory() {
  return { losses: [], smoothed: [], evaluations: [], firstNorms: null, latest: null };
}

const SMOOTHING = 20; // the running average of the loss is over this many updates

function addProgress(history, message) {
  for (const loss of message.losses) {
    history.losses.push(loss);
    const window = history.losses.slice(-SMOOTHING);
    history.smoothed.push(window.reduce((a, b) => a + b, 0) / window.length);
  }
  history.evaluations.push(...message.evaluations);
  if (message.stateGradNorms && !history.firstNorms) history.firstNorms = message.stateGradNorms;
  history.latest = message;
}

// ------------------------------------------------------------------ the figures

function lossChart(parent, history) {
  const height = 200;
  return figure(parent, {
    height,
    describe: () => {
      const { smoothed } = history;
      if (!smoothed.length) return "Line chart of the training loss against updates: no update yet.";
      return `Line chart of the training loss against updates: ${smoothed.length} updates, the smoothed loss went from ` +
        `${fmt(history.losses[0], 3)} to ${fmt(smoothed[smoothed.length - 1], 3)}.`;
    },
    draw: (node, width) => {
      const box = { left: 44, right: width - 18, top: 24, bottom: height - 34 };
      const count = Math.max(50, history.losses.length);
      const top = Math.max(1e-3, ...history.losses.slice(0, 20), ...history.smoothed);
      const x = scale(0, count, box.left, box.right);
      const y = scale(0, top, box.bottom, box.top);
      axes(node, {
        ...box, x, y, xLabel: "update", yLabel: "training loss",
        // no loss axis before the first update: "0.001 / 0.001 / 0.000" would mean nothing
        yTicks: history.losses.length ? [0, top / 2, top].map((v) => [v, fmt(v, top < 0.1 ? 3 : 2)]) : [],
        xTicks: [0, Math.round(count / 2), count].map((v) => [v, String(v)]),
      });
      const points = (values) => values.map((v, k) => [x(k + 1), Math.max(box.top, y(v))]);
      node.append(path(points(history.losses), { stroke: "#bbb", "stroke-width": 1 }));
      node.append(path(points(history.smoothed), { stroke: "#222", "stroke-width": 2 }));
    },
  });
}

function accuracyChart(parent, history, constants) {
  const height = 200;
  return figure(parent, {
    height,
    describe: () => {
      const last = history.evaluations[history.evaluations.length - 1];
      return `Line chart of the accuracy on ${constants().heldOut} held-out examples against updates: ` +
        `${last ? fmt(last.accuracy) : "not measured yet"} now; chance is ${fmt(constants().chance)}, ` +
        `${fmt(constants().learned)} counts as learned.`;
    },
    draw: (node, width) => {
      // a wider right margin holds the "chance" label, off the trace of a run that fails
      const box = { left: 44, right: width - 50, top: 24, bottom: height - 34 };
      const count = Math.max(50, history.losses.length);
      const x = scale(0, count, box.left, box.right);
      const y = scale(0, 1, box.bottom, box.top);
      axes(node, {
        ...box, x, y, xLabel: "update", yLabel: "held-out accuracy",
        yTicks: [0, 0.25, 0.5, 0.75, 1].map((v) => [v, fmt(v)]),
        xTicks: [0, Math.round(count / 2), count].map((v) => [v, String(v)]),
      });
      const { chance, learned } = constants();
      node.append(svg("line", { x1: box.left, x2: box.right, y1: y(chance), y2: y(chance), stroke: "#777", "stroke-dasharray": "5 4" }));
      node.append(svg("text", { x: box.right + 4, y: y(chance) + 4, "text-anchor": "start", class: "rnnx-tick" }, "chance"));
      node.append(svg("line", { x1: box.left, x2: box.right, y1: y(learned), y2: y(learned), stroke: "#777", "stroke-dasharray": "1 3" }));
      const points = history.evaluations.map((e) => [x(e.update), y(e.accuracy)]);
      node.append(path(points, { stroke: "#0072B2", "stroke-width": 2 }));
      node.dataset.values = JSON.stringify(history.evaluations.map((e) => [e.update, e.accuracy]));
    },
  });
}

// ||dL/dh_{T-d}|| / ||dL/dh_T|| against the distance d, now and after the first update.
function gradientChart(parent, history, cellColor) {
  const height = 220;
  const floor = 1e-12;
  const ratios = (norms) => norms.map((v) => Math.max(v / norms[0], floor));
  return figure(parent, {
    height,
    describe: () => {
      const norms = history.latest && history.latest.stateGradNorms;
      if (!norms) return "Log-scale chart of the gradient against distance back in time: no update yet.";
      const far = ratios(norms)[norms.length - 1];
      return `Log-scale line chart of the gradient norm of the hidden state against the distance back from the last step, ` +
        `relative to the last step, in the latest update: ${far.toExponential(1)} at the first step, ` +
        `${norms.length - 1} steps back (dashed: after the first update).`;
    },
    draw: (node, width) => {
      const box = { left: 50, right: width - 18, top: 24, bottom: height - 40 };
      const norms = history.latest && history.latest.stateGradNorms;
      const steps = norms ? norms.length - 1 : 1;
      const x = scale(0, steps, box.left, box.right);
      const y = (v) => scale(Math.log10(floor), 1, box.bottom, box.top)(Math.log10(Math.min(Math.max(v, floor), 10)));
      axes(node, {
        ...box, x, y, xLabel: "steps back from the last step", yLabel: "||dL/dh|| relative to the last step (log)",
        yTicks: [-12, -9, -6, -3, 0].map((p) => [10 ** p, p === 0 ? "1" : `1e${p}`]),
        xTicks: [...new Set([0, Math.round(steps / 2), steps])].map((v) => [v, String(v)]),
      });
      if (!norms) {
        const middle = { x: (box.left + box.right) / 2, y: (box.top + box.bottom) / 2, "text-anchor": "middle" };
        node.append(svg("text", { ...middle, "font-size": 13, fill: "#555" }, "drawn after the first update"));
        return;
      }
      const line = (values) => ratios(values).map((v, d) => [x(d), y(v)]);
      if (history.firstNorms) node.append(path(line(history.firstNorms), { stroke: "#888", "stroke-width": 1.5, "stroke-dasharray": "5 4" }));
      node.append(path(line(norms), { stroke: cellColor(), "stroke-width": 2.5 }));
      node.dataset.values = JSON.stringify(ratios(norms));
    },
  });
}

const INPUT_LEGENDS = {
  recall: "the symbol to recall (black, with its letter), then the distractors (grey)",
  adding: "the two marked steps in black, the other values in shades of grey (darker is larger)",
  review: "positive words red, negative words blue, neutral words grey",
};

// The held-out example's steps as a strip: the recalled symbol, the marked numbers, or
// the sentiment of each word.
function inputColors(example, task, words) {
  const { x, steps, features } = example;
  const colors = [];
  const labels = [];
  for (let t = 0; t < steps; t++) {
    const row = x.subarray(t * features, (t + 1) * features);
    const hot = row.indexOf(1);
    if (task === "recall") {
      colors.push(hot < SYMBOLS.length ? "#222" : "#ddd");
      labels.push(hot < SYMBOLS.length ? SYMBOLS[hot] : "");
    } else if (task === "adding") {
      colors.push(row[1] === 1 ? "#222" : mix("#777777", row[0]));
      labels.push("");
    } else {
      const kind = hot < words.positive.length ? "positive" : hot < words.positive.length + words.negative.length ? "negative" : "neutral";
      colors.push({ positive: POSITIVE, negative: NEGATIVE, neutral: "#ddd" }[kind]);
      labels.push("");
    }
  }
  return { colors, labels };
}

function drawHeatmaps(canvas, width, example, task, words, cell, colors) {
  const size = example.hs.length / example.steps;
  const gates = GATES[cell];
  const rowHeight = size <= 16 ? 6 : size <= 32 ? 4 : 3;
  const panels = [["x", "input"], ["h", "hidden state h"], ...gates.map((g) => [g, GATE_TITLES[g]])];
  const left = Math.min(104, Math.floor(width * 0.28));
  const cellWidth = (width - left - 6) / example.steps;
  const panelHeight = (key) => (key === "x" ? 14 : size * rowHeight);
  const gap = 8;
  const height = panels.reduce((sum, [key]) => sum + panelHeight(key) + gap, 18);
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(height * ratio);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "middle";
  let top = 0;
  for (const [key, title] of panels) {
    const panel = panelHeight(key);
    ctx.fillStyle = "#222";
    ctx.fillText(title, 0, top + Math.min(panel, 14) / 2);
    if (key === "x") {
      const strip = inputColors(example, task, words);
      strip.colors.forEach((color, t) => {
        ctx.fillStyle = color;
        ctx.fillRect(left + t * cellWidth, top, Math.max(cellWidth - 0.5, 0.5), panel);
        if (strip.labels[t] && cellWidth >= 9) {
          ctx.fillStyle = "#fff";
          ctx.fillText(strip.labels[t], left + t * cellWidth + cellWidth / 2 - 3, top + panel / 2);
        } else if (strip.labels[t]) {
          // too narrow for the letter inside (a phone): write it after the cell, on the pale steps
          ctx.fillStyle = "#222";
          ctx.fillText(strip.labels[t], left + (t + 1) * cellWidth + 2, top + panel / 2);
        }
      });
    } else {
      const block = key === "h" ? 0 : gates.indexOf(key);
      const stride = key === "h" ? size : gates.length * size;
      const values = key === "h" ? example.hs : example.gates;
      for (let t = 0; t < example.steps; t++) {
        for (let u = 0; u < size; u++) {
          const v = values[t * stride + block * size + u];
          ctx.fillStyle = key === "h" || SIGNED.has(key) ? diverging(v) : mix(colors[key], v);
          ctx.fillRect(left + t * cellWidth, top + u * rowHeight, cellWidth + 0.3, rowHeight + 0.3);
        }
      }
    }
    top += panel + gap;
  }
  ctx.fillStyle = "#444";
  ctx.fillText(`step 1`, left, top + 6);
  ctx.textAlign = "right";
  ctx.fillText(`step ${example.steps}`, width - 6, top + 6);
  ctx.textAlign = "left";
}

// The held-out example in words: what it holds, and what the network answers.
function describeExample(example, task, words) {
  const { x, steps, features, pred, target } = example;
  if (task === "recall") {
    const probs = softmax(pred);
    const answer = probs.indexOf(Math.max(...probs));
    return `The example: symbol ${SYMBOLS[target]}, then ${steps - 1} distractors. The network answers ` +
      `${SYMBOLS[answer]} (probability ${fmt(probs[answer])}).`;
  }
  if (task === "adding") {
    const marked = [];
    for (let t = 0; t < steps; t++) if (x[t * features + 1] === 1) marked.push(x[t * features]);
    return `The example: the marked numbers ${fmt(marked[0])} and ${fmt(marked[1])} add up to ${fmt(target)}; ` +
      `the network says ${fmt(pred[0])}.`;
  }
  const vocabulary = [...words.positive, ...words.negative, ...words.neutral];
  const opening = [];
  for (let t = 0; t < 3; t++) opening.push(vocabulary[x.subarray(t * features, (t + 1) * features).indexOf(1)]);
  const probs = softmax(pred);
  const label = (k) => (k === 1 ? "positive" : "negative");
  return `The example: a review of ${steps} words that opens "${opening.join(" ")}" (${label(target)}); ` +
    `the network says ${label(probs[1] > probs[0] ? 1 : 0)} (probability ${fmt(Math.max(...probs))}).`;
}

function softmax(values) {
  const max = Math.max(...values);
  const e = Array.from(values, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

// ------------------------------------------------------------------ the page

function render({ model, el }) {
  const root = mount(el, "playground");
  if (!document.getElementById("rnnx-pg-css")) document.head.append(tag("style", { id: "rnnx-pg-css" }, [PLAYGROUND_CSS]));
  const colors = model.get("colors");
  const words = model.get("words");
  const inBook = inBuiltBook();
  const addressNotes = [];
  if (inBook) {
    const { applied, notes } = readAddress(window.location.search, model);
    for (const [name, value] of Object.entries(applied)) model.set(name, value);
    addressNotes.push(...notes);
  }

  const history = emptyHistory();
  let constants = { chance: 0.25, learned: 0.95, heldOut: 0, maxUpdates: 0 };
  const cellColor = () => colors[`model_${CELL_NAMES[model.get("cell")]}`];

  // -------------------------------------------------------------- controls
  const controls = tag("div", { class: "rnnx-controls" });
  root.append(controls);
  const set = (name) => (value) => {
    model.set(name, value);
    model.save_changes();
  };
  const rates = model.get("learning_rates");
  const taskChoice = choice(controls, { label: "task", name: "task", value: model.get("task"), options: TASK_OPTIONS, onChange: set("task") });
  const cellChoice = choice(controls, { label: "cell", name: "cell", value: model.get("cell"), options: CELL_OPTIONS, onChange: set("cell") });
  const numberSlider = (name, label, digits, format = null) =>
    slider(controls, { label, name, ...range(model, name), step: NUMBERS[name], value: model.get(name), digits, format, onInput: set(name) });
  const lag = numberSlider("lag", "lag (distractors before the question)", 0);
  const length = numberSlider("length", "sequence length", 0);
  const hidden = numberSlider("hidden", "hidden units", 0);
  const lr = slider(controls, {
    label: "learning rate (Adam)", name: "lr", min: 0, max: rates.length - 1, step: 1,
    value: rates.indexOf(model.get("lr")), format: (k) => String(rates[k]), onInput: (k) => set("lr")(rates[k]),
  });
  const clip = numberSlider("clip", "gradient clipping (largest norm)", 2, (v) => (v === 0 ? "off" : fmt(v, 2)));
  const keepBias = numberSlider("keep_bias", "keep-gate bias (LSTM f, GRU z)", 1);
  const inputBias = numberSlider("input_bias", "input-gate bias (LSTM i)", 1);
  const seedId = `rnnx-pg-seed-${Math.random().toString(36).slice(2)}`;
  const seeds = range(model, "seed");
  const seedInput = tag("input", { type: "number", id: seedId, min: seeds.min, max: seeds.max, step: 1, "data-name": "seed" });
  seedInput.value = model.get("seed");
  seedInput.addEventListener("change", () => {
    const value = Number(seedInput.value);
    if (Number.isInteger(value) && value >= seeds.min && value <= seeds.max) set("seed")(value);
    else seedInput.value = model.get("seed");
  });
  controls.append(tag("div", { class: "rnnx-pg-seed" }, [tag("label", { for: seedId }, ["random seed"]), seedInput]));
  const seed = { set: (v) => (seedInput.value = v) };

  // -------------------------------------------------------------- buttons and status
  const buttons = tag("div", { class: "rnnx-pg-buttons" });
  root.append(buttons);
  const play = button(buttons, "Play", () => worker.postMessage({ type: state().playing ? "pause" : "play" }));
  play.dataset.action = "play";
  button(buttons, "Step", () => worker.postMessage({ type: "step" })).dataset.action = "step";
  button(buttons, "Reset", () => restart()).dataset.action = "reset";
  const link = tag("a", { "data-action": "link" }, ["Link to these settings"]);
  buttons.append(link);
  const status = tag("p", { class: "rnnx-pg-status" });
  const events = tag("p", { class: "rnnx-note", "aria-live": "polite" });
  root.append(status, events);
  if (addressNotes.length) root.append(tag("p", { class: "rnnx-note" }, [`From the address: ${addressNotes.join("; ")}.`]));

  // -------------------------------------------------------------- figures
  const charts = tag("div", { class: "rnnx-pg-charts" });
  const lossCell = tag("div");
  const accuracyCell = tag("div");
  charts.append(lossCell, accuracyCell);
  root.append(tag("h2", { class: "rnnx-pg-heading" }, ["Learning"]), charts);
  const loss = lossChart(lossCell, history);
  const accuracy = accuracyChart(accuracyCell, history, () => constants);
  root.append(tag("h2", { class: "rnnx-pg-heading" }, ["How far back the gradient reaches"]));
  const gradientCell = tag("div");
  root.append(gradientCell);
  const gradient = gradientChart(gradientCell, history, cellColor);
  root.append(tag("h2", { class: "rnnx-pg-heading" }, ["Inside the network, over one held-out example"]));
  const exampleNote = tag("p", { class: "rnnx-note" });
  const heatmapCell = tag("div");
  const canvas = tag("canvas", { class: "rnnx-pg-heatmap", role: "img" });
  heatmapCell.append(canvas);
  const legend = tag("p", { class: "rnnx-note" });
  root.append(exampleNote, heatmapCell, legend);

  const drawExample = () => {
    const latest = history.latest;
    if (!latest) return;
    const task = model.get("task");
    const width = Math.max(260, Math.floor(heatmapCell.clientWidth || 600));
    drawHeatmaps(canvas, width, latest.example, task, words, model.get("cell"), colors);
    const text = describeExample(latest.example, task, words);
    exampleNote.textContent = text;
    legend.textContent = `Input: ${INPUT_LEGENDS[task]}. Below it one row per hidden unit, one column per step. ` +
      "Hidden state and candidate: blue \u22121, white 0, red +1. Gates: white shut (0) to the gate's full colour open (1).";
    canvas.setAttribute("aria-label", `Heatmaps of the input, the hidden state${GATES[model.get("cell")].length ? " and the gates" : ""} ` +
      `of the ${CELL_NAMES[model.get("cell")]} over the ${latest.example.steps} steps of one held-out example. ${text}`);
  };
  if (typeof ResizeObserver === "function") new ResizeObserver(() => drawExample()).observe(heatmapCell);

  // -------------------------------------------------------------- state and drawing
  const state = () => history.latest || { playing: false };
  let frame = 0;
  const redraw = () => {
    frame = 0;
    const latest = history.latest;
    if (!latest) return;
    play.textContent = latest.playing ? "Pause" : "Play";
    play.disabled = latest.finished;
    const last = history.evaluations[history.evaluations.length - 1];
    const seconds = (latest.elapsedMs / 1000).toFixed(1);
    status.textContent = `${CELL_NAMES[model.get("cell")]}, update ${latest.updates} of ${constants.maxUpdates}, ` +
      `${seconds} s` + (latest.rate ? `, ${latest.rate.toFixed(0)} updates/s` : "") +
      `. Held-out accuracy ${last ? fmt(last.accuracy) : "\u2013"} (chance ${fmt(constants.chance)})` +
      (latest.learnedAt !== null ? `; learned at update ${latest.learnedAt}.` : ".");
    Object.assign(root.dataset, {
      updates: latest.updates,
      elapsedMs: latest.elapsedMs.toFixed(0),
      rate: latest.rate ? latest.rate.toFixed(2) : "",
      accuracy: last ? last.accuracy : "",
      learnedAt: latest.learnedAt ?? "",
      learnedMs: latest.learnedAfterMs === null ? "" : latest.learnedAfterMs.toFixed(0),
      playing: latest.playing,
      finished: latest.finished,
    });
    loss.redraw();
    accuracy.redraw();
    gradient.redraw();
    drawExample();
  };

  const blob = URL.createObjectURL(new Blob([model.get("worker")], { type: "text/javascript" }));
  // A classic worker: its source has every import inlined, and a module worker from a
  // blob: URL does not start on a page opened from a file (file://, origin null).
  const worker = new Worker(blob);
  let runId = 0;
  worker.onmessage = ({ data }) => {
    if (data.type !== "progress" || data.runId !== runId) return; // a replaced run's
    constants = data.constants;
    const before = history.latest;
    addProgress(history, data);
    if (data.learnedAt !== null && (!before || before.learnedAt === null)) {
      events.textContent = `Learned: held-out accuracy reached ${fmt(constants.learned)} at update ${data.learnedAt}, after ${(data.learnedAfterMs / 1000).toFixed(1)} s.`;
    } else if (data.finished && before && !before.finished) {
      const last = history.evaluations[history.evaluations.length - 1];
      events.textContent = `Finished after ${data.updates} updates: held-out accuracy ${fmt(last.accuracy)}.`;
    } else if (before && before.playing !== data.playing) {
      events.textContent = data.playing ? "Training." : `Paused at update ${data.updates}.`;
    }
    if (!frame) frame = requestAnimationFrame(redraw);
  };
  worker.onerror = (event) => {
    events.textContent = `The training worker stopped: ${event.message}`;
  };

  // A new run with the current settings; it keeps playing if the old one was.
  const restart = () => {
    const wasPlaying = state().playing;
    runId += 1;
    Object.assign(history, emptyHistory());
    events.textContent = "";
    const settings = currentSettings(model);
    const address = addressOf(settings);
    link.setAttribute("href", address + window.location.hash);
    if (inBook) window.history.replaceState(null, "", address + window.location.hash);
    worker.postMessage({ type: "reset", runId, settings, words: { positive: words.positive.length, negative: words.negative.length, neutral: words.neutral.length } });
    if (wasPlaying) worker.postMessage({ type: "play" });
  };
  const showRelevant = () => {
    const task = model.get("task");
    lag.input.parentElement.hidden = task !== "recall";
    length.input.parentElement.hidden = task === "recall";
    keepBias.input.parentElement.hidden = model.get("cell") === "rnn"; // a plain RNN has no keep gate
    inputBias.input.parentElement.hidden = model.get("cell") !== "lstm";
  };
  const changed = () => {
    showRelevant();
    restart();
  };
  follow(model, "task", taskChoice, changed);
  follow(model, "cell", cellChoice, changed);
  follow(model, "lag", lag, changed);
  follow(model, "length", length, changed);
  follow(model, "hidden", hidden, changed);
  follow(model, "lr", lr, changed, (v) => rates.indexOf(v));
  follow(model, "clip", clip, changed);
  follow(model, "keep_bias", keepBias, changed);
  follow(model, "input_bias", inputBias, changed);
  follow(model, "seed", seed, changed);
  showRelevant();
  restart();
  return () => {
    worker.terminate();
    URL.revokeObjectURL(blob);
  };
}

export default { render };

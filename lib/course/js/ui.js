// What every explorable shares: labelled controls, SVG drawing at the element's own width
// (so text keeps its size in pixels on a phone and lines stay sharp at any pixel ratio),
// and a log of how long each update took (read by the browser tests and `make bench`).

const SVG_NS = "http://www.w3.org/2000/svg";
// Each explorable's module carries its own copy of this file, so a module-level counter
// would start again at 1 in every explorable on a page and repeat its element ids; the
// counter lives on the page's global object instead, shared by all of them.
const ID_COUNTER = Symbol.for("rnnx-id-counter");

// A fresh element id, unique on the page: rnnx-1, rnnx-2, ...
export function uniqueId() {
  globalThis[ID_COUNTER] = (globalThis[ID_COUNTER] || 0) + 1;
  return `rnnx-${globalThis[ID_COUNTER]}`;
}

// An HTML element: tag("div", {class: "x"}, [child, "text"]).
export function tag(name, attrs = {}, children = []) {
  const node = document.createElement(name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

// An SVG element with attributes.
export function svg(tag, attrs = {}, text = null) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== null) node.textContent = text;
  return node;
}

// A number as the page shows it: fixed digits, a real minus sign.
export function fmt(value, digits = 2) {
  return value.toFixed(digits).replace("-", "\u2212");
}

// A number of any size in a few characters: 3 decimals, or 3 significant digits with an
// exponent once it is large (a relu state that explodes).
export function short(value) {
  return (Math.abs(value) >= 1000 ? value.toExponential(2) : value.toFixed(3)).replace("-", "\u2212");
}

// {min, max} of a numeric trait, as the Python class declared it (the limits trait).
export function range(model, name) {
  const [min, max] = model.get("limits")[name];
  return { min, max };
}

// A labelled range input with its value beside it. onInput(value) on every move;
// format(value) is the text shown (default: the number with `digits` decimals).
export function slider(parent, { label, min, max, step, value, digits = 1, onInput, name = "", format = null }) {
  const id = uniqueId();
  const text = format || ((v) => fmt(v, digits));
  const input = tag("input", { type: "range", id, min, max, step, value, "data-name": name });
  const output = tag("output", { for: id, "aria-hidden": "true" }, [text(Number(value))]);
  const row = tag("div", { class: "rnnx-slider" }, [tag("label", { for: id }, [label]), input, output]);
  parent.append(row);
  const show = (v) => {
    output.textContent = text(v);
    input.setAttribute("aria-valuetext", text(v));
  };
  show(Number(value));
  input.addEventListener("input", () => {
    show(Number(input.value));
    onInput(Number(input.value));
  });
  return {
    input,
    set(v) {
      input.value = v;
      show(Number(input.value));
    },
  };
}

// Keep a control in step with trait `name` (changed by the page, Python or a preset), and
// redraw: the one path from any change to the figure.
export function follow(model, name, control, update, toControl = (v) => v) {
  model.on(`change:${name}`, () => {
    control.set(toControl(model.get(name)));
    update();
  });
}

// A group of radio buttons: options [[value, text], ...]. onChange(value).
export function choice(parent, { label, options, value, onChange, name = "" }) {
  const group = uniqueId();
  const fieldset = tag("fieldset", { class: "rnnx-choice", "data-name": name }, [tag("legend", {}, [label])]);
  const inputs = options.map(([optionValue, text]) => {
    const input = tag("input", { type: "radio", name: group, value: optionValue });
    input.checked = optionValue === value;
    input.addEventListener("change", () => input.checked && onChange(optionValue));
    fieldset.append(tag("label", {}, [input, ` ${text}`]));
    return input;
  });
  parent.append(fieldset);
  return {
    set(v) {
      inputs.forEach((input) => (input.checked = input.value === String(v)));
    },
  };
}

// A button that runs onClick.
export function button(parent, text, onClick) {
  const node = tag("button", { type: "button", class: "rnnx-button" }, [text]);
  node.addEventListener("click", onClick);
  parent.append(node);
  return node;
}

// An <svg> that is redrawn at the width of its container: draw(svgNode, width) fills it.
// role=img with an aria-label that describe() returns (the figure's alt text).
export function figure(parent, { height, draw, describe }) {
  const node = svg("svg", { role: "img", class: "rnnx-figure", height });
  parent.append(node);
  let width = 0;
  const redraw = () => {
    width = Math.max(260, Math.floor(parent.clientWidth || 600));
    node.setAttribute("width", width);
    node.setAttribute("viewBox", `0 0 ${width} ${height}`);
    node.replaceChildren();
    draw(node, width);
    node.setAttribute("aria-label", describe());
  };
  if (typeof ResizeObserver === "function") {
    let last = -1;
    new ResizeObserver(() => {
      if (parent.clientWidth !== last) {
        last = parent.clientWidth;
        redraw();
      }
    }).observe(parent);
  }
  return { node, redraw };
}

// A linear map from [d0, d1] onto [r0, r1].
export function scale(d0, d1, r0, r1) {
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

// Axis ticks and labels along the left (values) and bottom (labels) of a plot area.
export function axes(node, { left, right, top, bottom, yTicks, y, xTicks, x, xLabel, yLabel }) {
  const ink = "#444";
  node.append(svg("line", { x1: left, x2: right, y1: bottom, y2: bottom, stroke: ink }));
  node.append(svg("line", { x1: left, x2: left, y1: top, y2: bottom, stroke: ink }));
  for (const [value, text] of yTicks) {
    const at = y(value);
    node.append(svg("line", { x1: left, x2: right, y1: at, y2: at, stroke: "#e4e4e4" }));
    node.append(svg("text", { x: left - 4, y: at + 4, "text-anchor": "end", class: "rnnx-tick" }, text));
  }
  for (const [value, text] of xTicks) {
    node.append(svg("text", { x: x(value), y: bottom + 14, "text-anchor": "middle", class: "rnnx-tick" }, text));
  }
  if (xLabel) node.append(svg("text", { x: (left + right) / 2, y: bottom + 30, "text-anchor": "middle", class: "rnnx-label" }, xLabel));
  if (yLabel) node.append(svg("text", { x: 4, y: top - 8, class: "rnnx-label" }, yLabel));
}

// A polyline through points [[x, y], ...].
export function path(points, attrs) {
  const d = points.map(([px, py], k) => `${k ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join("");
  return svg("path", { d, fill: "none", ...attrs });
}

// Run update() now and record how long it took, layout included, in el.dataset.updateMs.
export function timed(root, update) {
  return (...args) => {
    const start = performance.now();
    update(...args);
    void root.offsetHeight; // finish style and layout inside the measurement
    root.dataset.updateMs = (performance.now() - start).toFixed(3);
  };
}

// The CSS every explorable shares, added to the page once.
export const CSS = `
.rnnx { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
  background: #fff; padding: 0.25rem 0.5rem; border-radius: 4px;
  max-width: 100%; box-sizing: border-box; margin: 0.5rem 0 1rem; }
.rnnx * { box-sizing: border-box; }
.rnnx-controls { display: grid; gap: 0.25rem 1rem;
  grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); margin-bottom: 0.5rem; }
.rnnx-slider { display: grid; grid-template-columns: minmax(6rem, 1fr) minmax(6rem, 9rem) 3.6rem;
  align-items: center; gap: 0.4rem; min-height: 2.2rem; }
.rnnx-slider label { font-size: 13px; }
.rnnx-slider input[type=range] { width: 100%; height: 2rem; margin: 0; accent-color: #0072B2; }
.rnnx-slider output { font-variant-numeric: tabular-nums; text-align: right; font-size: 13px; }
.rnnx-choice { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem;
  align-items: center; min-height: 2.2rem; }
.rnnx-choice legend { float: left; margin-right: 0.6rem; font-size: 13px; padding: 0; }
.rnnx-choice label { display: inline-flex; align-items: center; gap: 0.3rem; min-height: 2rem; font-size: 13px; }
.rnnx-choice input { width: 1.1rem; height: 1.1rem; margin: 0; }
.rnnx-button { font: inherit; font-size: 13px; padding: 0.35rem 0.7rem; min-height: 2.2rem;
  border: 1px solid #767676; border-radius: 4px; background: #f6f6f6; color: #222; cursor: pointer; }
.rnnx-button:hover { background: #eaeaea; }
.rnnx-buttons { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.4rem 0; }
.rnnx-figure { display: block; max-width: 100%; }
.rnnx-tick { font-size: 11px; fill: #444; }
.rnnx-label { font-size: 12px; fill: #222; }
.rnnx-note { font-size: 13px; margin: 0.3rem 0; }
.rnnx-sentence { font-size: 14px; margin: 0.5rem 0; max-width: 42rem; }
.rnnx details { border-top: 1px solid #ddd; padding: 0.2rem 0; }
.rnnx summary { cursor: pointer; font-size: 13px; font-weight: 600; min-height: 2rem; display: list-item; padding-top: 0.3rem; }
.rnnx table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
.rnnx th, .rnnx td { padding: 2px 8px; text-align: right; }
.rnnx th:first-child, .rnnx td:first-child { text-align: left; }
.rnnx-scroll { max-width: 100%; overflow-x: auto; }
.rnnx-view-image { display: block; max-width: 100%; height: auto; }
.rnnx-view-html { max-width: 100%; overflow-x: auto; }
`;

// Prepare the view's root element: the shared CSS (once per page), the class, and the
// explorable's name in data-explorable (the browser tests find it by that name).
export function mount(root, name) {
  if (!document.getElementById("rnnx-css")) {
    document.head.append(tag("style", { id: "rnnx-css" }, [CSS]));
  }
  root.classList.add("rnnx");
  root.dataset.explorable = name;
  return root;
}

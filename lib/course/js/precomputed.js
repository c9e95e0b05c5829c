// Views that only Python can draw (trained models' outputs, matplotlib figures), all made
// at build time: a slider per axis picks one, and Play steps the first axis. The same
// widget runs in a notebook and in the static page (lib.course.precomputed).
import { button, mount, slider, tag, timed } from "./ui.js";

// The position of a view in the flat list: the last axis varies fastest.
export function flatIndex(index, axes) {
  return axes.reduce((flat, axis, k) => flat * axis.labels.length + index[k], 0);
}

function showView(area, parts, alt) {
  area.replaceChildren(
    ...parts.map((part) => {
      if (part.png) return tag("img", { src: `data:image/png;base64,${part.png}`, alt, class: "rnnx-view-image" });
      const box = tag("div", { class: "rnnx-view-html" });
      box.innerHTML = part.html; // drawn by the course's own Python code at build time
      return box;
    }),
  );
}

function render({ model, el }) {
  const root = mount(el, "precomputed");
  const axes = model.get("axes");
  const controls = tag("div", { class: "rnnx-controls" });
  const area = tag("div", { class: "rnnx-view", "aria-live": "polite" });
  root.append(controls, area);

  const caption = (index) =>
    `${model.get("description")}: ` + axes.map((axis, k) => `${axis.name} = ${axis.labels[index[k]]}`).join(", ");
  const update = timed(root, () => {
    const index = model.get("index");
    showView(area, model.get("views")[flatIndex(index, axes)], caption(index));
    sliders.forEach((s, k) => s.set(index[k]));
  });

  const sliders = axes.map((axis, k) =>
    slider(controls, {
      label: axis.name, min: 0, max: axis.labels.length - 1, step: 1, value: model.get("index")[k], name: axis.name,
      format: (i) => String(axis.labels[i]),
      onInput: (i) => {
        const index = model.get("index").slice();
        index[k] = i;
        model.set("index", index);
        model.save_changes();
      },
    }),
  );

  if (model.get("play")) {
    let timer = null;
    const play = button(root, "Play", () => {
      if (timer) {
        clearInterval(timer);
        timer = null;
      } else {
        timer = setInterval(() => {
          const index = model.get("index").slice();
          index[0] = (index[0] + 1) % axes[0].labels.length;
          model.set("index", index);
          model.save_changes();
        }, model.get("interval"));
      }
      play.textContent = timer ? "Pause" : "Play";
      play.setAttribute("aria-pressed", String(Boolean(timer)));
    });
    play.setAttribute("aria-pressed", "false");
    controls.prepend(play);
  }
  model.on("change:index", update);
  update();
}

export default { render };

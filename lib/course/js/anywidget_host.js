/*
 * A small host for anywidget views in the static book, used instead of the ipywidgets
 * HTML manager (embed-amd.js, 3.5 MB) on pages whose widgets are all anywidgets
 * (book/_ext/offline_assets.py decides, page by page).
 *
 * It reads what myst-nb saved in the page, the same as the manager does: the widget
 * state (<script type="application/vnd.jupyter.widget-state+json">) and one
 * <script type="application/vnd.jupyter.widget-view+json"> per output. For each view it
 * imports the widget's ES module (its `_esm` trait, from the state, through a blob: URL as
 * anywidget itself does) and calls its `initialize({model})` once per model and
 * `render({model, el})` per view, with the model API of anywidget's front-end modules:
 * get, set, on, off, save_changes, send. There is no kernel, so save_changes and send do
 * nothing; `set` notifies the listeners, so every control keeps computing in the page.
 */
(function () {
  "use strict";
  var STATE = 'script[type="application/vnd.jupyter.widget-state+json"]';
  var VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]';

  function Model(state) {
    this.state = Object.assign({}, state);
    this.listeners = {};
  }
  Model.prototype.get = function (name) {
    return this.state[name];
  };
  Model.prototype.set = function (name, value) {
    var old = this.state[name];
    this.state[name] = value;
    if (old !== value) {
      this.emit("change:" + name, value);
      this.emit("change", value);
    }
  };
  Model.prototype.on = function (event, callback) {
    (this.listeners[event] = this.listeners[event] || []).push(callback);
  };
  Model.prototype.off = function (event, callback) {
    if (!event) {
      this.listeners = {};
    } else if (!callback) {
      delete this.listeners[event];
    } else {
      this.listeners[event] = (this.listeners[event] || []).filter(function (c) {
        return c !== callback;
      });
    }
  };
  Model.prototype.emit = function (event, value) {
    (this.listeners[event] || []).slice().forEach(function (callback) {
      callback(value);
    });
  };
  Model.prototype.save_changes = function () {};
  Model.prototype.send = function () {};

  var modules = {}; // one import per distinct ES module source

  function loadWidget(source) {
    if (!modules[source]) {
      var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      modules[source] = import(url).then(function (mod) {
        URL.revokeObjectURL(url);
        var widget = mod.default;
        return typeof widget === "function" ? widget() : widget;
      });
    }
    return modules[source];
  }

  function addCss(css, id) {
    if (!css || document.getElementById("anywidget-css-" + id)) {
      return;
    }
    var style = document.createElement("style");
    style.id = "anywidget-css-" + id;
    style.textContent = css;
    document.head.appendChild(style);
  }

  function renderAll() {
    var models = {};
    var initialized = {};
    document.querySelectorAll(STATE).forEach(function (script) {
      var saved = JSON.parse(script.textContent).state || {};
      Object.keys(saved).forEach(function (id) {
        if (saved[id].model_module === "anywidget") {
          models[id] = new Model(saved[id].state);
        }
      });
    });
    document.querySelectorAll(VIEW).forEach(function (script) {
      var id = JSON.parse(script.textContent).model_id;
      var model = models[id];
      if (!model) {
        return;
      }
      var area = document.createElement("div");
      area.className = "widget-subarea";
      var el = document.createElement("div");
      el.className = "jupyter-widgets anywidget-view";
      area.appendChild(el);
      script.parentNode.insertBefore(area, script);
      addCss(model.get("_css"), model.get("_anywidget_id") || id);
      loadWidget(model.get("_esm"))
        .then(function (widget) {
          if (!initialized[id]) {
            initialized[id] = Promise.resolve(
              widget.initialize ? widget.initialize({ model: model }) : undefined,
            );
          }
          return initialized[id].then(function () {
            return widget.render({ model: model, el: el });
          });
        })
        .catch(function (error) {
          el.textContent = "This interactive figure could not be drawn: " + error;
          console.error(error);
        });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", renderAll);
  } else {
    renderAll();
  }
})();

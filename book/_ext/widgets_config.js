/*
 * Loaded between require.js and the ipywidgets HTML manager (embed-amd.js), all three
 * served from _static/offline/ (see offline_assets.py).
 *
 * The manager's bundles load their fonts (Font Awesome, for icons such as the Play
 * button's) relative to the URL that require.js gives each AMD module, which by default
 * is the page's own folder (book/@jupyter-widgets/...): they would 404. Map every module
 * that embed-amd.js defines onto the folder that holds embed-amd.js and its fonts.
 */
(function () {
  "use strict";
  var offline = document.currentScript.src.replace(/[^/]*$/, "");
  var assets = offline + "html-manager/";
  window.__jupyter_widgets_assets_path__ = assets;
  var ids = [
    "base",
    "base7",
    "controls",
    "controls7",
    "html-manager",
    "html-manager/dist/libembed-amd",
  ];
  var paths = {};
  ids.forEach(function (id) {
    paths["@jupyter-widgets/" + id] = assets + id.replace(/\//g, "-");
  });
  // anywidget's front end (npm anywidget, dist/index.js), for pages that mix anywidgets
  // with standard widgets; the manager asks require.js for "anywidget" before any CDN.
  paths.anywidget = offline + "anywidget/index";
  window.requirejs.config({ paths: paths });
})();

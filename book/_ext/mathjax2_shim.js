/*
 * MathJax 2 API on top of MathJax 3, for the ipywidgets HTML manager.
 *
 * The widget manager typesets widget labels with MathJax.Hub.Queue(["Typeset",
 * MathJax.Hub, element]), the MathJax 2 API; Sphinx loads MathJax 3, which has no Hub, so
 * every page with widgets would raise "Cannot read properties of undefined (reading
 * 'Queue')". This file is loaded deferred, after MathJax (also deferred), and before the
 * widgets render (on DOMContentLoaded); it maps Hub.Queue onto MathJax 3's
 * typesetPromise. On pages without math (no MathJax) it does nothing, and the widget
 * manager skips typesetting there.
 */
(function () {
  "use strict";
  var mj = window.MathJax;
  if (!mj || mj.Hub) {
    return;
  }
  function typeset(element) {
    var ready = mj.startup && mj.startup.promise ? mj.startup.promise : Promise.resolve();
    return ready
      .then(function () {
        if (typeof window.MathJax.typesetPromise === "function") {
          return window.MathJax.typesetPromise(element ? [element] : undefined);
        }
        return undefined;
      })
      .catch(function (err) {
        console.warn("MathJax could not typeset a widget:", err);
      });
  }
  mj.Hub = {
    Queue: function () {
      for (var i = 0; i < arguments.length; i++) {
        var job = arguments[i];
        if (Array.isArray(job) && job[0] === "Typeset") {
          typeset(job[2]);
        } else if (typeof job === "function") {
          job();
        }
      }
    },
    Typeset: function (element) {
      return typeset(element);
    },
  };
})();

// Loaded on pages with widgets, after RequireJS and before the Jupyter widgets
// HTML manager, so that the widgets render with no network and no errors.

// Without this, RequireJS resolves the manager's own files (its icon fonts)
// against the page's folder instead of _static/html-manager.
require.config({
  paths: {
    '@jupyter-widgets/html-manager/dist':
      new URL('html-manager', document.currentScript.src).href,
  },
});

// The manager typesets widget labels through MathJax 2's API,
// MathJax.Hub.Queue, which MathJax 3 no longer has. MathJax 3 replaces the
// window.MathJax object when its (deferred) script runs, which is before
// DOMContentLoaded, so that is when the old API is added to it.
(function () {
  function addHub() {
    const mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) {
      return;
    }
    mathjax.Hub = {
      Queue: function (job) {
        const element = Array.isArray(job) ? job[2] : undefined;
        if (typeof mathjax.typesetPromise === 'function') {
          return mathjax.typesetPromise(element ? [element] : undefined);
        }
      },
    };
  }
  addHub();
  document.addEventListener('DOMContentLoaded', addHub);
})();

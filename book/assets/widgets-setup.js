// Runs after require.js and before the ipywidgets html-manager (see _config.yml).
(function () {
  // 1. html-manager is an AMD bundle; webpack derives the URL of its fonts from the
  //    module's own path, so tell require.js where the vendored copy lives.
  var here = document.currentScript.src.replace(/widgets-setup\.js.*$/, "");
  if (window.require && window.require.config) {
    window.require.config({
      paths: { "@jupyter-widgets/html-manager/dist": here + "vendor/html-manager" },
    });
  }
  // 2. html-manager 1.x typesets with the MathJax 2 API (MathJax.Hub.Queue); Sphinx
  //    loads MathJax 3. Give MathJax 3 a tiny Hub that forwards to typesetPromise.
  var hub = {
    Queue: function (job) {
      var mathjax = window.MathJax;
      if (mathjax && mathjax.typesetPromise && job && job[2]) {
        mathjax.typesetPromise([job[2]]).catch(function () {});
      }
    },
  };
  function install() {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = hub;
    }
  }
  install();
  document.addEventListener("DOMContentLoaded", install);
  window.addEventListener("load", install);
})();

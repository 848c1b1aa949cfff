// Names for the explorers' sliders on the static pages (WCAG 2: every control has an accessible
// name). The ipywidgets html-manager renders a slider's description as a label beside it; this
// gives the slider handle (the element with role="slider") that name, and the frame label shown
// beside it as the value a screen reader announces. (The frames carry their own alt text.)
// Widgets render after the page loads, so it watches the page.
(function () {
  "use strict";
  function visible(element) {
    return element.checkVisibility ? element.checkVisibility() : element.offsetParent !== null;
  }
  function nameControls() {
    document.querySelectorAll(".vaegan-explorer .noUi-handle").forEach(function (handle) {
      var slider = handle.closest(".widget-slider") || handle.closest(".jupyter-widgets");
      if (!slider) return;
      var label = slider.querySelector(".widget-label");
      var name = (label && label.textContent.trim()) || slider.getAttribute("title") || "slider";
      if (handle.getAttribute("aria-label") !== name) handle.setAttribute("aria-label", name);
      // the value: the caption beside the slider (explorers with frame labels), else its readout
      var row = slider.parentElement;
      var captions = row ? Array.prototype.filter.call(row.querySelectorAll(".widget-html code"), visible) : [];
      var readout = slider.querySelector(".widget-readout");
      var value = captions.length ? captions[0].textContent : readout ? readout.textContent : "";
      if (value && handle.getAttribute("aria-valuetext") !== value.trim()) handle.setAttribute("aria-valuetext", value.trim());
    });
  }
  var pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; nameControls(); });
  }
  function start() {
    nameControls();
    // only changes this script does not make itself: new widgets, a moved slider, a switched frame
    new MutationObserver(schedule).observe(document.body, {
      subtree: true, childList: true, attributes: true, attributeFilter: ["aria-valuenow", "class", "style"],
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

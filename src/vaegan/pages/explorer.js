// The book's frame explorers: sliders over precomputed frames, and buttons between panels.
// Written by vaegan.pages.explorers into each explorer's output; idempotent, so every explorer may
// carry it. The frames' addresses (files in the site, or data URLs in a notebook) sit in the
// explorer's data-explorer attribute; an image is fetched only when the reader moves to it, and a
// panel's other frames are fetched ahead once the reader starts to use that panel.
(function () {
  "use strict";
  if (window.vaeganExplorers) { window.vaeganExplorers.scan(); return; }

  function setUp(root) {
    if (root.dataset.explorerReady) return;
    root.dataset.explorerReady = "1";
    const config = JSON.parse(root.dataset.explorer);
    const panels = Array.from(root.children).filter((e) => e.classList.contains("vaegan-explorer-panel"));
    const shows = panels.map((panel, p) => {
      const spec = config[p];
      const sliders = Array.from(panel.querySelectorAll("input[type=range]"));
      const readouts = Array.from(panel.querySelectorAll("output"));
      const image = panel.querySelector("img.vaegan-frame");
      let fetched = false;
      const fetchAhead = () => {
        if (fetched) return;
        fetched = true;
        spec.frames.forEach((frame) => { new Image().src = frame[0]; });
      };
      const show = () => {
        let index = 0;
        sliders.forEach((slider, d) => {
          const position = Number(slider.value);
          index = index * spec.shape[d] + position;
          const label = spec.labels[d][position];
          slider.setAttribute("aria-valuetext", label);
          if (readouts[d]) readouts[d].textContent = label;
        });
        const [source, alt, width, height] = spec.frames[index];
        if (image.getAttribute("src") !== source) image.src = source;
        image.alt = alt;
        image.width = width;
        image.height = height;
      };
      sliders.forEach((slider) => slider.addEventListener("input", () => { fetchAhead(); show(); }));
      panel.addEventListener("pointerdown", fetchAhead);
      panel.addEventListener("focusin", fetchAhead);
      return show;
    });
    const buttons = Array.from(root.querySelectorAll(":scope > .vaegan-explorer-choices button"));
    buttons.forEach((button, b) => button.addEventListener("click", () => {
      buttons.forEach((other, o) => other.setAttribute("aria-pressed", String(o === b)));
      panels.forEach((panel, p) => { panel.hidden = p !== b; });
      shows[b]();
    }));
  }

  window.vaeganExplorers = { scan: () => document.querySelectorAll(".vaegan-explorer[data-explorer]").forEach(setUp) };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.vaeganExplorers.scan);
  else window.vaeganExplorers.scan();
})();

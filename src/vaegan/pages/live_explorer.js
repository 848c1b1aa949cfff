// The book's live explorers: a trained network runs in the reader's browser (onnxruntime-web,
// WebAssembly, one thread), fetched only when the reader scrolls to an explorer, once per visit.
// Where the runtime or the model cannot load (a notebook outside the website, no WebAssembly),
// the explorer answers from precomputed frames instead. Written by vaegan.pages.live; this
// script is idempotent, so every explorer output may carry it.
(function () {
  "use strict";
  if (window.vaeganLive) { window.vaeganLive.scan(); return; }
  const runtimes = {};

  function loadRuntime(url) {
    if (!runtimes[url]) {
      runtimes[url] = new Promise((resolve, reject) => {
        if (typeof WebAssembly !== "object") { reject(new Error("no WebAssembly")); return; }
        if (window.ort) { resolve(window.ort); return; }
        const script = document.createElement("script");
        script.src = url;
        script.onload = () => (window.ort ? resolve(window.ort) : reject(new Error("no ort in " + url)));
        script.onerror = () => reject(new Error("could not load " + url));
        document.head.appendChild(script);
      }).then((ort) => {
        ort.env.wasm.numThreads = 1; // no SharedArrayBuffer: any static host serves it
        ort.env.wasm.wasmPaths = url.replace(/[^/]*$/, "");
        return ort;
      });
    }
    return runtimes[url];
  }

  function drawPixels(canvas, pixels, size) {
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const grey = Math.max(0, Math.min(255, Math.round(pixels[i] * 255)));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  function setUp(root) {
    if (root.dataset.liveReady) return;
    root.dataset.liveReady = "1";
    const config = JSON.parse(root.dataset.config);
    const plane = root.querySelector(".vaegan-live-plane");
    const marker = root.querySelector(".vaegan-live-marker");
    const output = root.querySelector("canvas.vaegan-live-output");
    const status = root.querySelector(".vaegan-live-status");
    const sprite = new Image();
    sprite.src = config.frames.sprite;
    let session = null, busy = false, pending = null;
    let point = [0, 0]; // in units of the directions, each in [-extent, extent]

    function code(u, v) {
      return config.origin.map((o, i) => o + u * config.directions[0][i] + v * config.directions[1][i]);
    }
    function fromFrames(u, v) {
      const steps = config.frames.steps, e = config.extent, s = config.size;
      const column = Math.round(((u + e) / (2 * e)) * (steps - 1));
      const row = Math.round(((e - v) / (2 * e)) * (steps - 1));
      const context = output.getContext("2d", { willReadFrequently: true });
      if (sprite.complete && sprite.naturalWidth) context.drawImage(sprite, column * s, row * s, s, s, 0, 0, s, s);
      else sprite.onload = () => fromFrames(u, v);
    }
    async function decode(codes) {
      const tensor = new window.ort.Tensor("float32", Float32Array.from(codes.flat()), [codes.length, codes[0].length]);
      const result = await session.run({ [config.input]: tensor });
      return result[config.output].data;
    }
    async function show(u, v) {
      point = [u, v];
      marker.style.left = `${((u + config.extent) / (2 * config.extent)) * 100}%`;
      marker.style.top = `${((config.extent - v) / (2 * config.extent)) * 100}%`;
      root.dataset.point = `${u.toFixed(3)},${v.toFixed(3)}`;
      if (!session) { fromFrames(u, v); return; }
      if (busy) { pending = [u, v]; return; } // the newest position wins; none queue up
      busy = true;
      try {
        drawPixels(output, await decode([code(u, v)]), config.size);
        root.dataset.decodes = String(Number(root.dataset.decodes || 0) + 1);
      } finally {
        busy = false;
        if (pending) { const [pu, pv] = pending; pending = null; show(pu, pv); }
      }
    }
    function fromPointer(event) {
      const box = plane.getBoundingClientRect();
      const x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      const y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      show((2 * x - 1) * config.extent, (1 - 2 * y) * config.extent);
    }
    plane.addEventListener("pointerdown", (event) => { plane.setPointerCapture(event.pointerId); fromPointer(event); });
    plane.addEventListener("pointermove", (event) => { if (event.buttons || event.pointerType === "mouse") fromPointer(event); });
    plane.addEventListener("keydown", (event) => {
      const step = config.extent / 10, moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
      if (!moves[event.key]) return;
      event.preventDefault();
      const clamp = (t) => Math.max(-config.extent, Math.min(config.extent, t));
      show(clamp(point[0] + moves[event.key][0]), clamp(point[1] + moves[event.key][1]));
    });
    show(0, 0);

    // The benchmark and the browser test use these: decode the stored codes and compare with PyTorch's
    // pixels; time `count` single decodes.
    root.vaeganSelfCheck = async () => {
      const pixels = await decode(config.checks.codes);
      let largest = 0;
      config.checks.pixels.flat().forEach((value, i) => { largest = Math.max(largest, Math.abs(value - pixels[i])); });
      return largest;
    };
    root.vaeganBenchmark = async (count) => {
      const times = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await decode([code(Math.sin(i) * config.extent, Math.cos(i) * config.extent)]);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    };

    const start = () => {
      status.textContent = "loading the network…";
      loadRuntime(new URL(root.dataset.runtime, document.baseURI).href)
        .then((ort) => ort.InferenceSession.create(new URL(root.dataset.model, document.baseURI).href,
                                                    { executionProviders: ["wasm"] }))
        .then(async (created) => {
          session = created;
          root.dataset.maxDifference = String(await root.vaeganSelfCheck());
          root.dataset.liveStatus = "live";
          status.textContent = config.liveText;
          show(point[0], point[1]);
        })
        .catch((error) => {
          root.dataset.liveStatus = "frames";
          root.dataset.liveError = String(error && error.message || error);
          status.textContent = config.framesText;
        });
    };
    if (!root.dataset.model) { root.dataset.liveStatus = "frames"; status.textContent = config.framesText; return; }
    if ("IntersectionObserver" in window) {
      const watcher = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) { watcher.disconnect(); start(); }
      }, { rootMargin: "200px" });
      watcher.observe(root);
    } else {
      start();
    }
  }

  window.vaeganLive = { scan: () => document.querySelectorAll(".vaegan-live").forEach(setUp) };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.vaeganLive.scan);
  else window.vaeganLive.scan();
})();

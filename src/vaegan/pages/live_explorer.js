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

  // a float32 tensor for a session's `run`: onnxruntime's own on the website; in a notebook, where the
  // kernel runs the network (vaegan.pages.live_widget), the plain data and dims it needs
  function tensor(data, dims) {
    return window.ort ? new window.ort.Tensor("float32", data, dims) : { type: "float32", data, dims };
  }

  function drawPixels(canvas, pixels, size, offset = 0) {
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.createImageData(size, size);
    for (let i = 0; i < size * size; i++) {
      const grey = Math.max(0, Math.min(255, Math.round(pixels[offset + i] * 255)));
      image.data[4 * i] = image.data[4 * i + 1] = image.data[4 * i + 2] = grey;
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  // Start the network once the reader comes near the explorer (nothing loads before), then call
  // `ready(session)`; where it cannot load, the explorer stays on its precomputed frames.
  function whenReached(root, config, status, ready) {
    const start = () => {
      status.textContent = "loading the network…";
      // in a notebook the widget hands over a session that runs the network in the kernel
      const created = root.vaeganSession ? Promise.resolve(root.vaeganSession)
        : loadRuntime(new URL(root.dataset.runtime, document.baseURI).href)
          .then((ort) => ort.InferenceSession.create(new URL(root.dataset.model, document.baseURI).href,
                                                      { executionProviders: ["wasm"] }));
      created
        .then(async (session) => {
          await ready(session);
          root.dataset.maxDifference = String(await root.vaeganSelfCheck());
          root.dataset.liveStatus = "live";
          status.textContent = config.liveText;
        })
        .catch((error) => {
          root.dataset.liveStatus = "frames";
          root.dataset.liveError = String(error && error.message || error);
          status.textContent = config.framesText;
        });
    };
    if (!root.dataset.model && !root.vaeganSession) { root.dataset.liveStatus = "frames"; status.textContent = config.framesText; return; }
    if ("IntersectionObserver" in window) {
      const watcher = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) { watcher.disconnect(); start(); }
      }, { rootMargin: "200px" });
      watcher.observe(root);
    } else {
      start();
    }
  }

  function largestDifference(expected, actual) {
    let largest = 0;
    expected.flat().forEach((value, i) => { largest = Math.max(largest, Math.abs(value - actual[i])); });
    return largest;
  }

  function timeMedian(count, run) {
    return (async () => {
      const times = [];
      for (let i = 0; i < count; i++) {
        const started = performance.now();
        await run(i);
        times.push(performance.now() - started);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    })();
  }

  // planar (c, h, w) pixels in [0, 1], grey (c = 1) or colour (c = 3), from `offset` on
  function drawPlanes(canvas, pixels, [channels, height, width], offset = 0) {
    const context = canvas.getContext("2d", { willReadFrequently: true });
    const image = context.createImageData(width, height), plane = height * width;
    for (let i = 0; i < plane; i++) {
      for (let c = 0; c < 3; c++) {
        const value = pixels[offset + (channels === 1 ? 0 : c) * plane + i];
        image.data[4 * i + c] = Math.max(0, Math.min(255, Math.round(value * 255)));
      }
      image.data[4 * i + 3] = 255;
    }
    context.putImageData(image, 0, 0);
  }

  // a small seeded generator of uniforms in [0, 1) (mulberry32): the same seed, the same draws
  function mulberry32(seed) {
    let state = seed >>> 0;
    return () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  // the point at fraction t of the great circle from a to b (vaegan.gans.walks.slerp_at)
  function slerpAt(a, b, t) {
    const dot = a.reduce((sum, x, i) => sum + x * b[i], 0);
    const norm = (v) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    const angle = Math.acos(Math.max(-1, Math.min(1, dot / (norm(a) * norm(b)))));
    if (angle < 1e-4) return a.map((x, i) => (1 - t) * x + t * b[i]);
    const s = Math.sin(angle), p = Math.sin((1 - t) * angle) / s, q = Math.sin(t * angle) / s;
    return a.map((x, i) => p * x + q * b[i]);
  }

  function setUp(root) {
    if (root.dataset.liveReady) return;
    root.dataset.liveReady = "1";
    const kinds = { "latent-plane": setUpPlane, "draw-digit": setUpDrawing, "latent-walk": setUpWalk, completion: setUpCompletion };
    kinds[root.dataset.kind](root, JSON.parse(root.dataset.config));
  }

  // --- a plane of a decoder's code space: drag the point, the decoded image follows ---------------
  function setUpPlane(root, config) {
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
      const steps = config.frames.steps, e = config.extent, [, height, width] = config.shape;
      const column = Math.round(((u + e) / (2 * e)) * (steps - 1));
      const row = Math.round(((e - v) / (2 * e)) * (steps - 1));
      const context = output.getContext("2d", { willReadFrequently: true });
      if (sprite.complete && sprite.naturalWidth) {
        context.drawImage(sprite, column * width, row * height, width, height, 0, 0, width, height);
      }
      else sprite.onload = () => fromFrames(u, v);
    }
    async function decode(codes) {
      const input = tensor(Float32Array.from(codes.flat()), [codes.length, codes[0].length]);
      const result = await session.run({ [config.input]: input });
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
        drawPlanes(output, await decode([code(u, v)]), config.shape); // grey or colour
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
    root.vaeganSelfCheck = async () => largestDifference(config.checks.pixels, await decode(config.checks.codes));
    root.vaeganBenchmark = (count) => timeMedian(count, (i) => decode([code(Math.sin(i) * config.extent, Math.cos(i) * config.extent)]));
    whenReached(root, config, status, (created) => { session = created; show(point[0], point[1]); });
  }

  // --- a walk between two codes: slide, and the generator runs at every position -----------------
  function setUpWalk(root, config) {
    const slider = root.querySelector("input[type=range]");
    const readout = root.querySelector("output");
    const output = root.querySelector("canvas.vaegan-live-output");
    const status = root.querySelector(".vaegan-live-status");
    const buttons = Array.from(root.querySelectorAll("button[data-walk]"));
    const [, height, width] = config.size;
    const sprite = new Image();
    sprite.src = config.frames.sprite;
    let session = null, busy = false, pending = false, walk = 0;

    async function decode(codes) {
      const input = tensor(Float32Array.from(codes.flat()), [codes.length, codes[0].length]);
      const result = await session.run({ [config.input]: input });
      return result[config.output].data;
    }
    function fromFrames(t) {
      const step = Math.round(t * (config.frames.steps - 1));
      const context = output.getContext("2d", { willReadFrequently: true });
      if (sprite.complete && sprite.naturalWidth) context.drawImage(sprite, step * width, walk * height, width, height, 0, 0, width, height);
      else sprite.onload = () => fromFrames(t);
    }
    async function show() {
      const t = Number(slider.value) / Number(slider.max);
      const text = `t = ${t.toFixed(2)}`;
      slider.setAttribute("aria-valuetext", text);
      readout.textContent = text;
      if (!session) { fromFrames(t); return; }
      if (busy) { pending = true; return; } // the newest position wins; none queue up
      busy = true;
      try {
        const [a, b] = config.pairs[walk];
        drawPlanes(output, await decode([slerpAt(a, b, t)]), config.size);
        root.dataset.decodes = String(Number(root.dataset.decodes || 0) + 1);
      } finally {
        busy = false;
        if (pending) { pending = false; show(); }
      }
    }
    slider.addEventListener("input", show);
    buttons.forEach((button, index) => button.addEventListener("click", () => {
      walk = index;
      buttons.forEach((other, o) => other.setAttribute("aria-pressed", String(o === index)));
      show();
    }));
    show();
    root.vaeganSelfCheck = async () => largestDifference(config.checks.pixels, await decode(config.checks.codes));
    root.vaeganBenchmark = (count) => timeMedian(count, (i) => decode([slerpAt(...config.pairs[0], (i % 10) / 10)]));
    whenReached(root, config, status, (created) => { session = created; show(); });
  }

  // --- complete a digit: the PixelCNN samples the rows below the given ones, pixel by pixel -------
  function setUpCompletion(root, config) {
    const top = root.querySelector("canvas.vaegan-live-top");
    const shown = Array.from(root.querySelectorAll("canvas.vaegan-live-completion"));
    const status = root.querySelector(".vaegan-live-status");
    const run = root.querySelector("button[data-action=complete]");
    const [height, width] = config.size, plane = height * width, given = config.given, count = config.completions;
    const strips = config.presets.map((preset) => { const image = new Image(); image.src = preset.strip; return image; });
    let session = null, seed = 1, running = false, current = 0;
    const rows = new Float32Array(plane); // the given rows (the rest unused)

    // the given rows in white on black, and the rows still to sample in grey
    function drawTop() {
      const pixels = Float32Array.from({ length: plane }, (_, i) => (i < given * width ? rows[i] : 0.5));
      drawPlanes(top, pixels, [1, height, width]);
    }
    function loadPreset(index) {
      current = index;
      config.presets[index].top.split("").forEach((bit, i) => { rows[i] = Number(bit); });
      drawTop();
      const paint = () => shown.forEach((canvas, k) =>
        canvas.getContext("2d").drawImage(strips[index], k * width, 0, width, height, 0, 0, width, height));
      if (!session) { if (strips[index].complete && strips[index].naturalWidth) paint(); else strips[index].onload = paint; }
      else shown.forEach((canvas) => canvas.getContext("2d").clearRect(0, 0, width, height));
    }
    async function probabilities(images, batch, bandRows = height) {
      const input = tensor(images, [batch, 1, bandRows, width]);
      return (await session.run({ [config.input]: input }))[config.output].data;
    }
    // `count` completions at once: one pass of the network per pixel, raster order, each pixel
    // drawn from its probability given everything before it
    async function complete() {
      if (!session || running) return;
      running = true;
      run.disabled = true;
      const started = performance.now(), uniform = mulberry32(seed++);
      const images = new Float32Array(count * plane);
      for (let k = 0; k < count; k++) images.set(rows.subarray(0, given * width), k * plane);
      try {
        for (let row = given; row < height; row++) {
          // the band of rows the row's pixels can see: `reach` rows above it, and itself
          const first = Math.max(0, row - config.reach), bandRows = row - first + 1, band = bandRows * width;
          const rowsIn = new Float32Array(count * band);
          for (let column = 0; column < width; column++) {
            for (let k = 0; k < count; k++) rowsIn.set(images.subarray(k * plane + first * width, k * plane + (row + 1) * width), k * band);
            const p = await probabilities(rowsIn, count, bandRows), at = (row - first) * width + column;
            for (let k = 0; k < count; k++) images[k * plane + row * width + column] = uniform() < p[k * band + at] ? 1 : 0;
          }
          shown.forEach((canvas, k) => drawPlanes(canvas, images, [1, height, width], k * plane));
          status.textContent = `row ${row + 1} of ${height} (${((performance.now() - started) / 1000).toFixed(1)} s)`;
          await new Promise((resolve) => setTimeout(resolve, 0)); // let the page draw the row
        }
        const seconds = (performance.now() - started) / 1000;
        root.dataset.completeSeconds = seconds.toFixed(2);
        root.dataset.decodes = String(Number(root.dataset.decodes || 0) + 1);
        status.textContent = `${count} completions in ${seconds.toFixed(1)} s, ${(height - given) * width} passes of the network each`;
      } finally {
        running = false;
        run.disabled = false;
      }
    }
    let painting = false;
    function paintAt(event) {
      const box = top.getBoundingClientRect();
      const x = Math.floor(((event.clientX - box.left) / box.width) * width);
      const y = Math.floor(((event.clientY - box.top) / box.height) * height);
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
        if (x + dx < width && y + dy < given && x + dx >= 0 && y + dy >= 0) rows[(y + dy) * width + x + dx] = 1;
      }
      drawTop();
    }
    top.addEventListener("pointerdown", (event) => { if (!session) return; painting = true; top.setPointerCapture(event.pointerId); paintAt(event); });
    top.addEventListener("pointermove", (event) => { if (painting && event.buttons) paintAt(event); });
    top.addEventListener("pointerup", () => { painting = false; });
    root.querySelectorAll("button[data-preset]").forEach((button) =>
      button.addEventListener("click", () => loadPreset(Number(button.dataset.preset))));
    root.querySelector("button[data-action=clear]").addEventListener("click", () => { rows.fill(0); drawTop(); });
    run.addEventListener("click", complete);
    run.disabled = true;
    loadPreset(0);

    root.vaeganSelfCheck = async () => largestDifference(config.checks.probabilities,
                                                         await probabilities(Float32Array.from(config.checks.pixels), 1));
    const bandRows = Math.min(height, config.reach + 1);
    root.vaeganBenchmark = (n) => timeMedian(n, () => probabilities(new Float32Array(count * bandRows * width), count, bandRows));
    root.vaeganComplete = async () => { await complete(); return Number(root.dataset.completeSeconds); };
    whenReached(root, config, status, (created) => { session = created; run.disabled = false; loadPreset(current); });
  }

  // --- draw a digit: a VAE's posterior for it, its reconstruction and posterior samples -----------
  function setUpDrawing(root, config) {
    const pad = root.querySelector("canvas.vaegan-live-draw");
    const input = root.querySelector("canvas.vaegan-live-input");
    const chart = root.querySelector("canvas.vaegan-live-posterior");
    const output = root.querySelector("canvas.vaegan-live-output");
    const sampleCanvases = Array.from(root.querySelectorAll("canvas.vaegan-live-sample"));
    const status = root.querySelector(".vaegan-live-status");
    const size = config.size, latent = config.latent, count = config.samples;
    const ink = pad.getContext("2d", { willReadFrequently: true });
    const strips = config.presets.map((preset) => { const image = new Image(); image.src = preset.strip; return image; });
    let session = null, busy = false, again = false, seed = 1, queue = Promise.resolve();
    let noise = gaussians(seed, count * latent);

    // Box-Muller over the seeded generator: the same drawing gives the same samples
    function gaussians(seedValue, n) {
      const uniform = mulberry32(seedValue);
      return Float32Array.from({ length: n }, () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));
    }
    function clearPad() {
      ink.fillStyle = "#000";
      ink.fillRect(0, 0, pad.width, pad.height);
    }
    // MNIST's digits fill a 20x20 box, centred by their centre of mass in 28x28: do the same
    function readDrawing() {
      const data = ink.getImageData(0, 0, pad.width, pad.height).data;
      let left = pad.width, right = -1, top = pad.height, bottom = -1;
      for (let y = 0; y < pad.height; y++) {
        for (let x = 0; x < pad.width; x++) {
          if (data[4 * (y * pad.width + x)] > 0) {
            left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
          }
        }
      }
      if (right < 0) return null;
      const box = Math.max(right - left + 1, bottom - top + 1), scale = (size * 20) / 28 / box;
      const small = document.createElement("canvas");
      small.width = small.height = size;
      const pen = small.getContext("2d", { willReadFrequently: true });
      pen.imageSmoothingEnabled = true;
      pen.imageSmoothingQuality = "high";
      const w = (right - left + 1) * scale, h = (bottom - top + 1) * scale;
      pen.drawImage(pad, left, top, right - left + 1, bottom - top + 1, (size - w) / 2, (size - h) / 2, w, h);
      let pixels = Array.from(pen.getImageData(0, 0, size, size).data.filter((_, i) => i % 4 === 0), (v) => v / 255);
      let mass = 0, cx = 0, cy = 0;
      pixels.forEach((v, i) => { mass += v; cx += v * (i % size); cy += v * Math.floor(i / size); });
      const dx = Math.round((size - 1) / 2 - cx / mass), dy = Math.round((size - 1) / 2 - cy / mass);
      const shifted = new Float32Array(size * size);
      pixels.forEach((v, i) => {
        const x = (i % size) + dx, y = Math.floor(i / size) + dy;
        if (x >= 0 && x < size && y >= 0 && y < size) shifted[y * size + x] = v;
      });
      return shifted;
    }
    async function run(pixels, noiseValues) {
      const ort = window.ort;
      const feeds = {
        [config.inputs[0]]: tensor(pixels, [1, 1, size, size]),
        [config.inputs[1]]: tensor(noiseValues, [1, count, latent]),
      };
      // one run at a time on the session: the self-check and the reader's drawing take turns
      const job = queue.then(() => session.run(feeds));
      queue = job.catch(() => null);
      const result = await job;
      return config.outputs.map((name) => result[name].data);
    }
    function drawChart(mean, spread) {
      const pen = chart.getContext("2d");
      const w = chart.width, h = chart.height, range = 3, x = (v) => ((v + range) / (2 * range)) * w;
      pen.clearRect(0, 0, w, h);
      pen.fillStyle = "rgba(0, 114, 178, 0.15)"; // the prior's ±1
      pen.fillRect(x(-1), 0, x(1) - x(-1), h);
      pen.strokeStyle = "#777";
      pen.beginPath(); pen.moveTo(x(0), 0); pen.lineTo(x(0), h); pen.stroke();
      const row = h / latent;
      for (let d = 0; d < latent; d++) {
        const y = row * (d + 0.5), low = Math.max(-range, mean[d] - spread[d]), high = Math.min(range, mean[d] + spread[d]);
        pen.strokeStyle = "#d55e00"; pen.lineWidth = 3;
        pen.beginPath(); pen.moveTo(x(low), y); pen.lineTo(x(high), y); pen.stroke();
        pen.fillStyle = "#000";
        pen.beginPath(); pen.arc(x(Math.max(-range, Math.min(range, mean[d]))), y, 4, 0, 2 * Math.PI); pen.fill();
        pen.font = "11px sans-serif"; pen.fillText(`z${d + 1}`, 2, y + 4);
      }
      chart.setAttribute("aria-label", "the posterior: " + Array.from(mean, (m, d) => `z${d + 1} ${m.toFixed(2)} ± ${spread[d].toFixed(2)}`).join(", "));
    }
    function showPreset(index) {
      const preset = config.presets[index], strip = strips[index];
      const paint = () => {
        [input, output, ...sampleCanvases].forEach((canvas, slot) => {
          const pen = canvas.getContext("2d", { willReadFrequently: true });
          pen.drawImage(strip, slot * size, 0, size, size, 0, 0, size, size);
        });
        ink.imageSmoothingEnabled = true;
        clearPad();
        ink.drawImage(strip, 0, 0, size, size, 0, 0, pad.width, pad.height);
        drawChart(preset.mean, preset.spread);
        if (session) update();
      };
      if (strip.complete && strip.naturalWidth) paint(); else strip.onload = paint;
    }
    async function update() {
      if (!session) return;
      if (busy) { again = true; return; } // the newest drawing wins; none queue up
      busy = true;
      try {
        const pixels = readDrawing();
        if (!pixels) return;
        drawPixels(input, pixels, size);
        const [mean, spread, reconstruction, samples] = await run(pixels, noise);
        drawChart(mean, spread);
        drawPixels(output, reconstruction, size);
        sampleCanvases.forEach((canvas, k) => drawPixels(canvas, samples, size, k * size * size));
        root.dataset.decodes = String(Number(root.dataset.decodes || 0) + 1);
      } finally {
        busy = false;
        if (again) { again = false; update(); }
      }
    }
    let last = null;
    function stroke(event) {
      const box = pad.getBoundingClientRect();
      const point = [((event.clientX - box.left) / box.width) * pad.width, ((event.clientY - box.top) / box.height) * pad.height];
      ink.strokeStyle = "#fff"; ink.fillStyle = "#fff";
      ink.lineWidth = pad.width / 12; ink.lineCap = ink.lineJoin = "round";
      ink.beginPath();
      if (last) { ink.moveTo(...last); ink.lineTo(...point); ink.stroke(); }
      else { ink.arc(point[0], point[1], ink.lineWidth / 2, 0, 2 * Math.PI); ink.fill(); }
      last = point;
      update();
    }
    pad.addEventListener("pointerdown", (event) => {
      if (!session) return; // precomputed only: the presets
      pad.setPointerCapture(event.pointerId);
      last = null;
      stroke(event);
    });
    pad.addEventListener("pointermove", (event) => { if (session && event.buttons) stroke(event); });
    pad.addEventListener("pointerup", () => { last = null; });
    root.querySelectorAll("button[data-preset]").forEach((button) =>
      button.addEventListener("click", () => showPreset(Number(button.dataset.preset))));
    root.querySelector("button[data-action=clear]").addEventListener("click", () => {
      clearPad();
      [input, output, ...sampleCanvases].forEach((canvas) => canvas.getContext("2d").clearRect(0, 0, size, size));
      chart.getContext("2d").clearRect(0, 0, chart.width, chart.height);
    });
    root.querySelector("button[data-action=resample]").addEventListener("click", () => {
      seed += 1;
      noise = gaussians(seed, count * latent);
      update();
    });
    clearPad();
    showPreset(0);

    // The browser test and the benchmark: the first preset with the stored noise, compared with
    // PyTorch's outputs for it (every number of all four outputs); time `n` encode-decode passes.
    const presetPixels = () => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = size;
      const pen = canvas.getContext("2d", { willReadFrequently: true });
      pen.drawImage(strips[0], 0, 0, size, size, 0, 0, size, size);
      return Float32Array.from(pen.getImageData(0, 0, size, size).data.filter((_, i) => i % 4 === 0), (v) => v / 255);
    };
    root.vaeganSelfCheck = async () => {
      if (!(strips[0].complete && strips[0].naturalWidth)) await new Promise((resolve) => { strips[0].onload = resolve; });
      const outputs = await run(presetPixels(), Float32Array.from(config.checks.noise.flat()));
      return Math.max(...["mean", "spread", "reconstruction", "samples"].map((key, i) => largestDifference(config.checks[key], outputs[i])));
    };
    root.vaeganBenchmark = (n) => timeMedian(n, () => run(presetPixels(), noise));
    whenReached(root, config, status, (created) => { session = created; pad.style.cursor = "crosshair"; showPreset(0); });
  }

  window.vaeganLive = { scan: () => document.querySelectorAll(".vaegan-live").forEach(setUp), setUp };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.vaeganLive.scan);
  else window.vaeganLive.scan();
})();

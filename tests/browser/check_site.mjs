// Open pages of the built site in headless Chromium and check them as a reader meets them.
//
//   node tests/browser/check_site.mjs BASE_URL PAGE[=EXPLORERS] ...
//
// For every page: no request leaves BASE_URL's host, no request fails or returns an error
// status, no JavaScript error or console error; MathJax typesets; the page shows EXPLORERS
// explorers (elements with class vaegan-explorer); in each, moving the visible slider
// with the keyboard, and choosing another preset button, changes the visible image; every slider
// has an accessible name, is in the Tab order and announces its value; axe-core finds no serious or
// critical WCAG 2 A/AA violation in the light or the dark theme; in both themes every visible piece of
// text the book adds (cell outputs: explorers, self-checks, tables, printed results) has WCAG AA
// contrast against what is behind it; the headings form one outline. Then the page again on a phone
// (390 px wide): the page does not scroll sideways, and no figure is shrunk below its designed width.
// Pages are checked $VAEGAN_BROWSER_WORKERS at a time (default 3), each in browser contexts of its own.
// Prints one JSON report line per page, in the order given, and exits 1 on any failure.
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { exerciseLive } from "./live_checks.mjs";

// axe-core, vendored from npm like the site's other front-end files: injected from disk, never fetched
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_TAGS = ["wcag2a", "wcag2aa"];
const BLOCKING = new Set(["serious", "critical"]);
// The text the book itself puts on its pages. axe's color-contrast rule does look at it, but files a
// ratio it rounds to 1:1 (text the colour of its background: invisible) under "incomplete, needs
// review", never under violations, so the dark theme's invisible explorer readouts passed it.
const BOOK_TEXT = ".cell_output, .vaegan-explorer, .vaegan-quiz";
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const SHRUNK = 0.95; // a figure shown narrower than this share of its designed width is shrunk

const [baseUrl, ...pages] = process.argv.slice(2);
if (!baseUrl || pages.length === 0) {
  console.error("usage: node check_site.mjs BASE_URL PAGE[=EXPLORERS] ...");
  process.exit(2);
}
const base = new URL(baseUrl);
const executablePath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const browser = await chromium.launch({
  executablePath,
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});

async function visibleImageSources(explorer) {
  return explorer.locator("img").evaluateAll((images) =>
    images.filter((img) => img.offsetParent !== null && img.getBoundingClientRect().width > 0).map((img) => img.src),
  );
}

// Runs in the page: every visible text node under `selectors` whose colour has less than WCAG AA
// contrast (4.5:1, 3:1 for large text) against its background: the first opaque background-color up
// its ancestors, with the translucent ones on the way blended over it. Colours are read back through
// a canvas, so any CSS colour syntax (and any CSS variable behind it) counts as the browser drew it.
function lowContrastText(selectors) {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const pen = canvas.getContext("2d", { willReadFrequently: true });
  const parsed = new Map();
  const rgba = (css) => {
    if (!parsed.has(css)) {
      pen.clearRect(0, 0, 1, 1);
      pen.fillStyle = "rgba(0, 0, 0, 0)";
      pen.fillStyle = css;
      pen.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = pen.getImageData(0, 0, 1, 1).data;
      parsed.set(css, [r, g, b, a / 255]);
    }
    return parsed.get(css);
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const luminance = (colour) => {
    const [r, g, b] = colour.slice(0, 3).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundOf = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const colour = rgba(getComputedStyle(e).backgroundColor);
      if (colour[3] > 0) layers.unshift(colour);
      if (colour[3] >= 1) break;
    }
    return layers.reduce((below, layer) => over(layer, below), [255, 255, 255, 1]); // under everything: white
  };
  const describe = (e) => e.tagName.toLowerCase() + [...e.classList]
    .filter((c) => !/^(docutils$|container$)/.test(c)).slice(0, 2).map((c) => `.${c}`).join("");
  const elements = new Set();
  for (const root of document.querySelectorAll(selectors)) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent.trim()) elements.add(node.parentElement);
    }
  }
  const low = [];
  let texts = 0;
  let lowest = Infinity;
  for (const element of elements) {
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const box = element.getBoundingClientRect();
    if (box.width < 2 || box.height < 2) continue; // visually hidden (screen-reader-only) text
    const style = getComputedStyle(element);
    const background = backgroundOf(element);
    const [a, b] = [luminance(over(rgba(style.color), background)), luminance(background)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const needed = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700) ? 3 : 4.5;
    texts += 1;
    lowest = Math.min(lowest, ratio);
    if (ratio < needed) {
      const path = [element, element.parentElement, element.parentElement?.parentElement].filter(Boolean).reverse();
      low.push({
        element: path.map(describe).join(" > "), text: element.textContent.trim().slice(0, 40),
        ratio: Math.round(ratio * 100) / 100, needed, color: style.color,
        background: `rgb(${background.slice(0, 3).map(Math.round).join(", ")})`,
      });
    }
  }
  return { texts, lowest: texts ? Math.round(lowest * 100) / 100 : null, low };
}

// Runs in the page: how wide the page is against the screen's `width` (not innerWidth: a phone widens
// its layout viewport to fit a page that overflows), what sticks out of it, and the output images
// (figures and explorer frames) shown narrower than `shrunk` times their designed width: the width
// attribute where there is one (a retina PNG is twice its CSS size in pixels), else their own pixels.
function figureLayout({ width, shrunk }) {
  const describe = (e) => e.tagName.toLowerCase() + [...e.classList]
    .filter((c) => !/^(docutils$|container$)/.test(c)).slice(0, 2).map((c) => `.${c}`).join("");
  const scrolls = (e) => ["auto", "scroll", "hidden", "clip"].includes(getComputedStyle(e).overflowX);
  const sticking = [];
  for (const element of document.body.querySelectorAll("*")) {
    if (sticking.length >= 3) break;
    const parent = element.parentElement;
    if (element.getBoundingClientRect().right <= width + 1 || !element.checkVisibility()) continue;
    if (getComputedStyle(element).position === "fixed") continue; // as wide as the widened viewport: a symptom
    if (parent !== document.body && parent.getBoundingClientRect().right > width + 1) continue; // the parent is reported
    let inside = false; // inside a box that scrolls (or clips) sideways itself
    for (let e = parent; e && e !== document.body; e = e.parentElement) if (scrolls(e)) { inside = true; break; }
    if (!inside) sticking.push(`${describe(parent)} > ${describe(element)}`);
  }
  // Sphinx writes a retina figure's page size as an inline style (the PNG holds twice the pixels)
  const designed = (img) => parseFloat(img.style.width) || Number(img.getAttribute("width")) || img.naturalWidth;
  const images = [...document.querySelectorAll(".cell_output img, .vaegan-explorer img")]
    .filter((img) => img.checkVisibility() && img.getBoundingClientRect().width > 0 && designed(img) > 0)
    .map((img) => {
      const style = getComputedStyle(img);
      const sides = ["paddingLeft", "paddingRight", "borderLeftWidth", "borderRightWidth"];
      const shown = img.getBoundingClientRect().width - sides.reduce((sum, side) => sum + parseFloat(style[side]), 0);
      const image = (img.alt || img.getAttribute("src")).slice(0, 60);
      return { image, shown: Math.round(shown), designed: designed(img), ratio: shown / designed(img) };
    });
  return {
    scrollWidth: document.documentElement.scrollWidth, width, sticking, images: images.length,
    smallest: images.length ? Math.round(Math.min(...images.map((i) => i.ratio)) * 1000) / 1000 : null,
    shrunk: images.filter((i) => i.ratio < shrunk),
  };
}

// Runs in the page: load every lazily loaded image now and wait for all (at most 30 s), so that
// the layout checks measure every figure, not only those a first visit fetched.
async function loadEveryImage() {
  const images = [...document.images];
  images.forEach((img) => { if (img.loading === "lazy") img.loading = "eager"; });
  await Promise.race([
    Promise.all(images.map((img) => (img.complete ? null : new Promise((done) => { img.onload = img.onerror = done; })))),
    new Promise((resolve) => setTimeout(resolve, 30000)),
  ]);
}

// Every failed request, error status, JavaScript or console error of `page` is a problem; a request
// to another host is one too, and is aborted at once, so nothing waits on a missing network.
// One exception, checked instead of trusted: an image of the site that the browser itself cancelled
// (net::ERR_ABORTED: an explorer's slider moved on before its frame arrived, or the checker closed
// the page). Its URL goes to `aborted`, and `checkAborted` then fetches it again: a file the site
// does not serve is still a problem.
async function guard(page, problems, where = "", aborted = null) {
  page.inflight = new Set(); // the requests not answered yet (see settled)
  page.on("requestfinished", (request) => page.inflight.delete(request));
  page.on("requestfailed", (request) => page.inflight.delete(request));
  page.on("request", (request) => {
    page.inflight.add(request);
    const url = new URL(request.url());
    if (!["data:", "blob:"].includes(url.protocol) && url.host !== base.host) {
      problems.push(`${where}external request: ${request.url()}`);
    }
  });
  page.on("requestfailed", (request) => {
    const error = request.failure()?.errorText;
    const sameSite = new URL(request.url()).host === base.host;
    if (aborted && sameSite && error === "net::ERR_ABORTED" && request.resourceType() === "image") {
      aborted.add(request.url());
    } else {
      problems.push(`${where}failed request: ${request.url()} (${error})`);
    }
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`${where}HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`${where}JavaScript error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`${where}console error: ${message.text()}`);
  });
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    return url.host === base.host ? route.continue() : route.abort();
  });
}

// Runs in the page: switch the colour theme, and wait until the theme's colour transitions (its buttons
// fade over .15 s) have ended, so that neither axe nor the contrast check reads a colour half-way.
async function switchTheme(mode) {
  document.documentElement.dataset.theme = mode;
  document.documentElement.dataset.mode = mode;
  const transitions = document.getAnimations().filter((a) => a instanceof CSSTransition); // flushes styles
  await Promise.race([
    Promise.all(transitions.map((t) => t.finished.catch(() => null))),
    new Promise((resolve) => setTimeout(resolve, 2000)),
  ]);
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}

// Fetch again every image the browser cancelled (see guard): each must be served, or it is a problem.
async function checkAborted(aborted, problems) {
  for (const url of aborted) {
    try {
      const response = await fetch(url);
      if (!response.ok) problems.push(`image request cancelled, and the site answers HTTP ${response.status}: ${url}`);
    } catch (error) {
      problems.push(`image request cancelled, and fetching it again failed: ${url} (${error.message})`);
    }
  }
}

// Wait until `page` has had no request in flight for half a second (MathJax's fonts, lazy figures
// near the top). Counted here from the page's own request events, not with Playwright's "networkidle"
// (Chromium's lifecycle event), which with several pages open at once was sometimes never sent for
// one of them. A generous limit: a page still loading after 90 s on a loaded 2-core machine fails,
// naming what it waits for.
async function settled(page, quietMs = 500, limitMs = 90000) {
  const started = Date.now();
  let quietSince = Date.now();
  while (Date.now() - started < limitMs) {
    if (page.inflight.size > 0) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the page still waits for ${[...page.inflight].map((r) => r.url()).slice(0, 3).join(", ")} after ${limitMs / 1000} s`);
}

// Open `path` in `page` and wait until it has settled and its explorers are drawn.
async function open(page, path, expected) {
  await page.goto(new URL(path, base).href, { waitUntil: "load", timeout: 60000 });
  await settled(page);
  if (expected > 0) {
    await page.locator(".vaegan-explorer").first().waitFor({ state: "visible", timeout: 60000 });
  }
}

// Check one page (desktop, then phone) and return its report, with its problems in it.
async function check(spec) {
  const [path, expectedText] = spec.split("=");
  const expected = Number(expectedText || 0);
  const problems = [];
  const aborted = new Set(); // site images the browser cancelled (see guard)
  const started = Date.now();
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  await guard(page, problems, "", aborted);

  const report = {
    page: path, weight: null, live: [], explorers: 0, moved: 0, math: 0, mathjax: null, questions: 0, answered: 0, axe: {}, contrast: {}, phone: null, seconds: {},
  };
  try {
    await open(page, path, expected);
    // The page's weight on a first visit (an empty cache): the HTML document, and everything it
    // loaded until the network went quiet, in bytes as they came over the wire
    report.weight = await page.evaluate(() => {
      const [document_] = performance.getEntriesByType("navigation");
      const resources = performance.getEntriesByType("resource");
      const size = (entry) => entry.encodedBodySize || entry.transferSize || 0;
      return { html: size(document_), total: size(document_) + resources.reduce((sum, e) => sum + size(e), 0),
               requests: 1 + resources.length };
    });
    // (measured at once: the live explorers' runtime and networks must not be part of it)
    const fetchedEarly = await page.evaluate(() => performance.getEntriesByType("resource")
      .filter((e) => /onnxruntime|\.onnx$|\.wasm$/.test(e.name)).map((e) => e.name));
    if (fetchedEarly.length) problems.push(`live explorers' files loaded before any was reached: ${fetchedEarly.join(", ")}`);
    // MathJax 3 marks typeset maths with mjx-container elements.
    report.math = await page.locator("mjx-container").count();
    const hasMath = (await page.locator(".math").count()) > 0;
    if (hasMath && report.math === 0) problems.push("maths on the page was not typeset (MathJax did not run)");
    // MathJax is a large download: only a page with maths of its own loads it
    report.mathjax = await page.evaluate(() => [...document.scripts].some((s) => /mathjax/i.test(s.src)));
    if (!hasMath && report.mathjax) problems.push("the page loads MathJax but has no maths");

    const explorers = page.locator(".vaegan-explorer");
    report.explorers = await explorers.count();
    if (report.explorers !== expected) {
      problems.push(`expected ${expected} explorer(s), found ${report.explorers}`);
    }
    for (let index = 0; index < report.explorers; index++) {
      const explorer = explorers.nth(index);
      await explorer.scrollIntoViewIfNeeded();
      const before = await visibleImageSources(explorer);
      if (before.length === 0) {
        problems.push(`explorer ${index}: shows no image`);
        continue;
      }
      const sliders = explorer.locator(".vaegan-explorer-panel:not([hidden]) input[type=range]");
      if ((await sliders.count()) === 0) {
        problems.push(`explorer ${index}: no visible slider`);
        continue;
      }
      const visibleHandle = sliders.first();
      // the slider is a named control, in the Tab order, and says its value
      const control = await visibleHandle.evaluate((h) => ({
        name: h.getAttribute("aria-label") || (h.labels[0] && h.labels[0].textContent.trim()),
        value: h.getAttribute("aria-valuetext"), tabbable: h.tabIndex >= 0 && !h.disabled,
      }));
      if (!control.name) problems.push(`explorer ${index}: the slider has no accessible name`);
      if (!control.tabbable) problems.push(`explorer ${index}: the slider cannot be reached with Tab`);
      await visibleHandle.focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await page.waitForTimeout(300);
      const movedValue = await visibleHandle.getAttribute("aria-valuetext");
      if (!movedValue || movedValue === control.value) problems.push(`explorer ${index}: the slider's announced value did not change (${control.value} -> ${movedValue})`);
      const afterSlider = await visibleImageSources(explorer);
      if (JSON.stringify(afterSlider) === JSON.stringify(before)) {
        problems.push(`explorer ${index}: moving the slider did not change the image`);
      } else {
        report.moved += 1;
      }
      const buttons = explorer.locator(".vaegan-explorer-choices button");
      if ((await buttons.count()) > 1) {
        await buttons.nth(1).click();
        await page.waitForTimeout(300);
        const afterButton = await visibleImageSources(explorer);
        if (JSON.stringify(afterButton) === JSON.stringify(afterSlider)) {
          problems.push(`explorer ${index}: choosing another preset did not change the image`);
        }
      }
    }
    // Live explorers: nothing of the runtime or the networks loads before the reader reaches one;
    // then the network runs in the page, decodes the stored codes as PyTorch did (largest pixel
    // difference), follows the pointer, and is timed (median of 50 single decodes, printed).
    report.live = [];
    const lives = page.locator(".vaegan-live");
    for (let index = 0; index < await lives.count(); index++) {
      const live = lives.nth(index);
      const state = await exerciseLive(page, live);
      report.live.push(state);
      if (state.status !== "live") problems.push(`live explorer ${index} fell back to frames: ${state.error}`);
      else if (!(state.difference <= 1e-4)) problems.push(`live explorer ${index}: the browser's pixels differ from PyTorch's by ${state.difference}`);
      if (!state.changed) problems.push(`live explorer ${index} (${state.kind}): the reader's action did not change its image`);
    }
    // Self-check questions: answer the first multiple-choice question wrong, then right, and the first
    // number question right, and read the feedback the reader would see (no kernel, no request).
    const quizzes = page.locator("form.vaegan-selfcheck");
    report.questions = await quizzes.count();
    report.answered = 0;
    const answer = async (form, kind) => {
      const data = JSON.parse(await form.getAttribute("data-check"));
      const feedback = form.locator(".vaegan-selfcheck-feedback");
      const tries = kind === "choice"
        ? [[data.choices.findIndex((c) => !c.correct), "wrong"], [data.choices.findIndex((c) => c.correct), "right"]]
        : [[String(data.answer + 1000), "wrong"], [String(data.answer), "right"]];
      for (const [value, outcome] of tries) {
        if (kind === "choice") await form.locator("input[type=radio]").nth(value).check();
        else await form.locator("input[type=text]").fill(value);
        await form.locator("button[type=submit]").click();
        const result = await form.getAttribute("data-result");
        const text = (await feedback.textContent()) || "";
        const mark = outcome === "right" ? "\u2713 Right." : "\u2717 Not right.";
        if (result !== outcome || !text.startsWith(mark) || text.length < mark.length + 3) {
          problems.push(`self-check (${kind}): answering ${outcome}ly gave '${result}' and feedback '${text}'`);
          return;
        }
      }
      report.answered += 1;
    };
    for (const kind of ["choice", "number"]) {
      const form = page.locator(`form.vaegan-selfcheck[data-check*='"kind": "${kind}"']`).first();
      if ((await form.count()) > 0) {
        await form.scrollIntoViewIfNeeded();
        await answer(form, kind);
      }
    }
    // Accessibility: axe-core's WCAG 2 A and AA rules in both colour themes; serious and critical ones fail.
    for (const theme of ["light", "dark"]) {
      await page.evaluate(switchTheme, theme);
      if (theme === "light") await page.addScriptTag({ path: axePath });
      const results = await page.evaluate(async (tags) => {
        const found = await window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
        return found.violations.map((v) => ({ id: v.id, impact: v.impact, count: v.nodes.length, example: v.nodes[0]?.target?.join(" ") }));
      }, AXE_TAGS);
      for (const violation of results) {
        report.axe[`${theme}:${violation.id}`] = `${violation.impact} x${violation.count}`;
        if (BLOCKING.has(violation.impact)) {
          problems.push(`axe (${theme} theme): ${violation.id} (${violation.impact}) on ${violation.count} element(s), e.g. ${violation.example}`);
        }
      }
      // the book's own text, readable in this theme
      const contrast = await page.evaluate(lowContrastText, BOOK_TEXT);
      report.contrast[theme] = { texts: contrast.texts, lowest: contrast.lowest };
      for (const low of contrast.low) {
        problems.push(`contrast (${theme} theme): ${low.element} '${low.text}' is ${low.ratio}:1, `
          + `needs ${low.needed}:1 (${low.color} on ${low.background})`);
      }
    }
    await page.evaluate(() => { document.documentElement.dataset.theme = "light"; document.documentElement.dataset.mode = "light"; });
    // One outline: a single h1, and no level skipped on the way down (the headings a reader sees; the
    // theme's print-only copy of the title is hidden on screen).
    const levels = await page.locator("main :is(h1, h2, h3, h4, h5, h6)")
      .evaluateAll((headings) => headings.filter((h) => h.checkVisibility()).map((h) => Number(h.tagName[1])));
    const h1s = levels.filter((level) => level === 1).length;
    if (h1s !== 1) problems.push(`headings: ${h1s} h1 elements, expected one`);
    levels.forEach((level, index) => {
      if (index > 0 && level > levels[index - 1] + 1) problems.push(`headings: h${levels[index - 1]} is followed by h${level}, skipping a level`);
    });
    // On a desktop screen every figure fits the text column at its designed size: the package sizes
    // figures in page pixels (digits at twice their 28 pixels), and a figure shrunk to fit would undo that.
    await page.evaluate(loadEveryImage);
    const desktop = await page.evaluate(figureLayout, { width: 1280, shrunk: SHRUNK });
    report.figures = { images: desktop.images, smallest: desktop.smallest };
    for (const image of desktop.shrunk) {
      problems.push(`'${image.image}' is shrunk to ${image.shown} px of its designed ${image.designed} px to fit the column`);
    }
    if (process.env.SCREENSHOT_DIR) {
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${path.replace(/[^a-z0-9]+/gi, "_")}.png`, fullPage: false });
    }
  } catch (error) {
    problems.push(`could not check the page: ${error.message}`);
  }
  await context.close();
  report.seconds.desktop = Math.round((Date.now() - started) / 100) / 10;

  // On a phone: the page fits the screen's width, and figures keep their designed size (in a box
  // that scrolls sideways) instead of shrinking to the column.
  const phone = await browser.newContext(PHONE);
  try {
    const small = await phone.newPage();
    await guard(small, problems, "on a phone: ", aborted);
    await open(small, path, expected);
    await small.evaluate(loadEveryImage);
    // wait until each visible frame has its pixels (a file of the site, or a data: image)
    await small.waitForFunction(() => [...document.querySelectorAll(".vaegan-explorer img")]
      .every((img) => !img.checkVisibility() || (img.complete && img.naturalWidth > 0)), null, { timeout: 30000 });
    const layout = await small.evaluate(figureLayout, { width: PHONE.viewport.width, shrunk: SHRUNK });
    report.phone = { scrollWidth: layout.scrollWidth, images: layout.images, smallest: layout.smallest };
    if (layout.scrollWidth > layout.width + 1) {
      problems.push(`on a phone: the page scrolls sideways (${layout.scrollWidth} px wide on a ${layout.width} px screen; `
        + `sticking out: ${layout.sticking.join(", ") || "?"})`);
    }
    for (const image of layout.shrunk) {
      problems.push(`on a phone: '${image.image}' is shrunk to ${image.shown} px of its designed ${image.designed} px`);
    }
    if (process.env.SCREENSHOT_DIR) {
      await small.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${path.replace(/[^a-z0-9]+/gi, "_")}_phone.png` });
    }
  } catch (error) {
    problems.push(`could not check the page on a phone: ${error.message}`);
  }
  await phone.close();
  report.seconds.phone = Math.round((Date.now() - started) / 100 - report.seconds.desktop * 10) / 10;
  await checkAborted(aborted, problems);
  report.cancelled_images = aborted.size;
  report.problems = problems;
  return report;
}

// Pages are checked WORKERS at a time, each in its own browser contexts: most of a page's time is
// spent waiting (for the requests to end, for transitions, for a pointer's image). Measured on the smoke
// site on a 2-core machine: 74 s with two at once, 68 s with three, 64 s with four; four made one page's
// load wait out Playwright's "networkidle", hence settled() above.
const WORKERS = Math.max(1, Number(process.env.VAEGAN_BROWSER_WORKERS || 3));
const reports = new Array(pages.length);
let next = 0;
await Promise.all(Array.from({ length: Math.min(WORKERS, pages.length) }, async () => {
  while (next < pages.length) {
    const index = next++;
    reports[index] = await check(pages[index]);
  }
}));
await browser.close();
for (const report of reports) console.log(JSON.stringify(report));
process.exit(reports.some((report) => report.problems.length > 0) ? 1 : 0);

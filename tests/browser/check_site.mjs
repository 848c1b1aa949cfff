// Open pages of the built site in headless Chromium and check them as a reader meets them.
//
//   node tests/browser/check_site.mjs BASE_URL PAGE[=EXPLORERS] ...
//
// For every page: no request leaves BASE_URL's host, no request fails or returns an error
// status, no JavaScript error or console error; MathJax typesets; the page shows EXPLORERS
// explorers (elements with class vaegan-explorer); in each, moving the visible slider
// with the keyboard, and choosing another preset button, changes the visible image; every slider
// has an accessible name, is in the Tab order and announces its value; axe-core finds no serious or
// critical WCAG 2 A/AA violation in the light or the dark theme; the headings form one outline.
// Prints one JSON report line per page and exits 1 on any failure.
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

// axe-core, vendored from npm like the site's other front-end files: injected from disk, never fetched
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_TAGS = ["wcag2a", "wcag2aa"];
const BLOCKING = new Set(["serious", "critical"]);

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

let failed = false;
for (const spec of pages) {
  const [path, expectedText] = spec.split("=");
  const expected = Number(expectedText || 0);
  const problems = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (!["data:", "blob:"].includes(url.protocol) && url.host !== base.host) {
      problems.push(`external request: ${request.url()}`);
    }
  });
  page.on("requestfailed", (request) => problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  page.on("pageerror", (error) => problems.push(`JavaScript error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  // Any request to another host is aborted at once, so nothing waits on a missing network.
  await page.route("**/*", (route) => {
    const url = new URL(route.request().url());
    return url.host === base.host ? route.continue() : route.abort();
  });

  const report = { page: path, explorers: 0, moved: 0, math: 0, questions: 0, answered: 0, axe: {} };
  try {
    await page.goto(new URL(path, base).href, { waitUntil: "load", timeout: 60000 });
    // Generous limits: a 2 MB page of inline images and widget state can take well over 30 s to
    // settle on a loaded 2-core machine (seen once in CI); a page that never settles still fails.
    await page.waitForLoadState("networkidle", { timeout: 90000 });
    if (expected > 0) {
      await page.locator(".vaegan-explorer").first().waitFor({ state: "visible", timeout: 60000 });
    }
    // MathJax 3 marks typeset maths with mjx-container elements.
    report.math = await page.locator("mjx-container").count();
    const hasMath = (await page.locator(".math").count()) > 0;
    if (hasMath && report.math === 0) problems.push("maths on the page was not typeset (MathJax did not run)");

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
      const handles = explorer.locator(".noUi-handle");
      const handleCount = await handles.count();
      let visibleHandle = null;
      for (let h = 0; h < handleCount; h++) {
        if (await handles.nth(h).isVisible()) { visibleHandle = handles.nth(h); break; }
      }
      if (!visibleHandle) {
        problems.push(`explorer ${index}: no visible slider`);
        continue;
      }
      // the slider is a named control, in the Tab order, and says its value
      const control = await visibleHandle.evaluate((h) => ({
        name: h.getAttribute("aria-label"), value: h.getAttribute("aria-valuetext"), tabbable: h.tabIndex >= 0,
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
      const buttons = explorer.locator(".widget-toggle-button");
      if ((await buttons.count()) > 1) {
        await buttons.nth(1).click();
        await page.waitForTimeout(300);
        const afterButton = await visibleImageSources(explorer);
        if (JSON.stringify(afterButton) === JSON.stringify(afterSlider)) {
          problems.push(`explorer ${index}: choosing another preset did not change the image`);
        }
      }
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
      await page.evaluate((mode) => { document.documentElement.dataset.theme = mode; document.documentElement.dataset.mode = mode; }, theme);
      await page.waitForTimeout(200);
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
    if (process.env.SCREENSHOT_DIR) {
      await page.screenshot({ path: `${process.env.SCREENSHOT_DIR}/${path.replace(/[^a-z0-9]+/gi, "_")}.png`, fullPage: false });
    }
  } catch (error) {
    problems.push(`could not check the page: ${error.message}`);
  }
  report.problems = problems;
  console.log(JSON.stringify(report));
  if (problems.length > 0) failed = true;
  await context.close();
}
await browser.close();
process.exit(failed ? 1 : 0);

// Open pages of the built site in headless Chromium and check them as a reader meets them.
//
//   node tests/browser/check_site.mjs BASE_URL PAGE[=EXPLORERS] ...
//
// For every page: no request leaves BASE_URL's host, no request fails or returns an error
// status, no JavaScript error or console error; MathJax typesets; the page shows EXPLORERS
// explorers (elements with class vaegan-explorer); in each, moving the visible slider
// with the keyboard, and choosing another preset button, changes the visible image.
// Prints one JSON report line per page and exits 1 on any failure.
import { chromium } from "playwright-core";

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

  const report = { page: path, explorers: 0, moved: 0, math: 0 };
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
      await visibleHandle.focus();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await page.waitForTimeout(300);
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

// The live explorers' notebook widget (vaegan.pages.live_widget) in headless Chromium.
//
//   node tests/browser/check_widget.mjs BASE_URL COUNT
//
// BASE_URL serves a page that renders COUNT widgets with the widget's own script
// (live_widget.js), through a stand-in for the notebook's widget manager: each widget's model
// has anywidget's get, on, off and send, and its messages travel over HTTP to the widget's Python
// handler (tests/test_browser.py), where the network runs in PyTorch as it does in a kernel.
// Every explorer must go live through the kernel session (never onnxruntime-web, never a request to
// another host), match PyTorch's stored pixels, and change its image when a reader acts on it;
// no JavaScript or console error. Prints one JSON line of results, and exits 1 on any failure.
import { chromium } from "playwright-core";
import { exerciseLive } from "./live_checks.mjs";

const [baseUrl, countText] = process.argv.slice(2);
if (!baseUrl || !countText) {
  console.error("usage: node check_widget.mjs BASE_URL COUNT");
  process.exit(2);
}
const base = new URL(baseUrl);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const problems = [];
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
page.on("pageerror", (error) => problems.push(`JavaScript error: ${error.message}`));
page.on("console", (message) => { if (message.type() === "error") problems.push(`console error: ${message.text()}`); });
page.on("request", (request) => {
  if (new URL(request.url()).host !== base.host) problems.push(`a request left the page's host: ${request.url()}`);
  if (/onnxruntime|ort\.wasm|\.onnx/.test(request.url())) problems.push(`the widget fetched the browser runtime: ${request.url()}`);
});
const results = [];
try {
  await page.goto(base.href, { waitUntil: "load" });
  await page.waitForFunction((count) => document.querySelectorAll(".vaegan-live").length === count, Number(countText),
                             { timeout: 60000 });
  const lives = page.locator(".vaegan-live");
  for (let index = 0; index < await lives.count(); index++) {
    const live = lives.nth(index);
    const state = await exerciseLive(page, live);
    state.backend = await live.getAttribute("data-backend");
    results.push(state);
    if (state.backend !== "kernel") problems.push(`widget ${index}: not run through the kernel session`);
    if (state.status !== "live") problems.push(`widget ${index} fell back to frames: ${state.error}`);
    else if (!(state.difference <= 1e-4)) problems.push(`widget ${index}: its pixels differ from PyTorch's by ${state.difference}`);
    if (!state.changed) problems.push(`widget ${index} (${state.kind}): the reader's action did not change its image`);
  }
} catch (error) {
  problems.push(`could not check the widgets: ${error.message}`);
}
await browser.close();
console.log(JSON.stringify({ widgets: results, problems }));
process.exit(problems.length ? 1 : 0);

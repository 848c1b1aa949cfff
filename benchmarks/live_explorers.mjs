// Times every live explorer of the built site in headless Chromium (run by live_explorers.py):
// for each, the median of `count` single passes of its network in the page (the frame the reader
// sees after moving the pointer), and for a completion explorer one whole completion.
// Prints one JSON line per explorer.
import { chromium } from "playwright-core";

const [base, count, ...pages] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
for (const path of pages) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto(new URL(path, base).href, { waitUntil: "load", timeout: 60000 });
  const lives = page.locator(".vaegan-live");
  for (let index = 0; index < await lives.count(); index++) {
    const live = lives.nth(index);
    await live.scrollIntoViewIfNeeded();
    await live.evaluate((e) => new Promise((resolve, reject) => {
      const started = Date.now();
      const wait = () => (e.dataset.liveStatus ? resolve() : Date.now() - started > 60000 ? reject(new Error("timeout")) : setTimeout(wait, 50));
      wait();
    }));
    const result = await live.evaluate(async (e, n) => ({
      kind: e.dataset.kind, status: e.dataset.liveStatus, model: e.dataset.model.split("/").pop(),
      median_ms: e.dataset.liveStatus === "live" ? await e.vaeganBenchmark(n) : null,
      complete_s: e.dataset.liveStatus === "live" && e.vaeganComplete ? await e.vaeganComplete() : null,
    }), Number(count));
    console.log(JSON.stringify({ page: path, ...result }));
  }
  await page.close();
}
await browser.close();

import { chromium } from "playwright-core";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage();
page.on("console", (m) => { if (m.type() === "error") console.log("console", m.text().slice(0, 200)); });
await page.goto(process.argv[2], { waitUntil: "networkidle" });
await page.waitForTimeout(2000);
console.log("images in explorers:", await page.locator(".vaegan-explorer img").count());
await browser.close();

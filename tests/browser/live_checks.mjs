// The live explorers' checks, shared by check_site.mjs (the website, onnxruntime-web) and
// check_widget.mjs (the notebook widget, the network in the kernel): wait for the explorer to be
// live or on its frames, read its self-check (the largest difference from PyTorch's stored pixels),
// act as a reader does on its kind (complete, draw a stroke, slide, move the pointer) and see the
// image change, then time 50 single runs (the median, printed).
export async function exerciseLive(page, live) {
  await live.scrollIntoViewIfNeeded();
  await live.evaluate((e) => new Promise((resolve, reject) => {
    const started = Date.now();
    const wait = () => (e.dataset.liveStatus ? resolve() : Date.now() - started > 60000 ? reject(new Error("timeout")) : setTimeout(wait, 50));
    wait();
  }));
  const state = await live.evaluate((e) => ({ status: e.dataset.liveStatus, error: e.dataset.liveError || null,
                                               difference: Number(e.dataset.maxDifference) }));
  state.kind = await live.getAttribute("data-kind");
  const shown = state.kind === "completion" ? "canvas.vaegan-live-completion" : "canvas.vaegan-live-output";
  const hash = () => live.evaluate((e, selector) => [...e.querySelectorAll(selector)].reduce((sum, canvas) => {
    const data = canvas.getContext("2d", { willReadFrequently: true }).getImageData(0, 0, canvas.width, canvas.height).data;
    return data.reduce((total, value) => (total * 31 + value) % 1000000007, sum);
  }, 7), shown);
  if (state.kind === "completion") {
    // complete the first test digit's top rows: the completions must appear; the time is printed
    const before = await hash();
    state.complete_s = state.status === "live" ? await live.evaluate((e) => e.vaeganComplete()) : null;
    state.changed = before !== (await hash());
  } else if (state.kind === "draw-digit") {
    // clear the pad, then draw a stroke (a "1"): the reconstruction must appear where there was none
    await live.locator("button[data-action=clear]").click();
    const before = await hash();
    const box = await live.locator("canvas.vaegan-live-draw").boundingBox();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * (0.2 + 0.06 * step));
    await page.mouse.up();
    await page.waitForTimeout(500);
    state.changed = before !== (await hash());
  } else if (state.kind === "latent-walk") {
    // slide to the far end of the walk: the generated image must change
    const before = await hash();
    await live.locator("input[type=range]").focus();
    await page.keyboard.press("End");
    await page.waitForTimeout(300);
    state.changed = before !== (await hash());
  } else {
    const before = await hash();
    const box = await live.locator(".vaegan-live-plane").boundingBox();
    await page.mouse.move(box.x + box.width * 0.2, box.y + box.height * 0.3);
    await page.waitForTimeout(300);
    state.changed = before !== (await hash());
  }
  state.median_ms = state.status === "live" ? Math.round((await live.evaluate((e) => e.vaeganBenchmark(50))) * 1000) / 1000 : null;
  return state;
}

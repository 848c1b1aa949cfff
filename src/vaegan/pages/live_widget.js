// A live explorer in a notebook (vaegan.pages.live_widget): the website's explorer, its HTML and
// its script (live_explorer.js), with a session whose `run` asks the kernel to run the network in
// PyTorch instead of onnxruntime-web. Requests carry an id, so that two views of one widget (the
// same output shown twice) each take only their own replies.

function asBuffer(view) {
  return view instanceof ArrayBuffer ? view : view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
}

function kernelSession(model) {
  const prefix = Math.random().toString(36).slice(2), waiting = new Map();
  let next = 0;
  const onReply = (content, buffers) => {
    const job = waiting.get(content && content.id);
    if (!job) return;
    waiting.delete(content.id);
    if (content.error) { job.reject(new Error(content.error)); return; }
    const outputs = {};
    content.names.forEach((name, i) => {
      outputs[name] = { type: "float32", data: new Float32Array(asBuffer(buffers[i])), dims: content.dims[i] };
    });
    job.resolve(outputs);
  };
  model.on("msg:custom", onReply);
  const session = {
    run(feeds) {
      const id = `${prefix}-${++next}`, names = Object.keys(feeds);
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        model.send({ id, names, dims: names.map((name) => Array.from(feeds[name].dims)) }, undefined,
                   names.map((name) => Float32Array.from(feeds[name].data).buffer));
      });
    },
  };
  return { session, close: () => model.off("msg:custom", onReply) };
}

function render({ model, el }) {
  el.innerHTML = model.get("markup");
  const root = el.querySelector(".vaegan-live");
  const { session, close } = kernelSession(model);
  root.vaeganSession = session;
  root.dataset.backend = "kernel";
  // the script defines window.vaeganLive once a page; `el` may not be in the document yet, so the
  // explorer is set up directly rather than found by the script's scan of the document
  if (!window.vaeganLive) new Function(model.get("script"))();
  window.vaeganLive.setUp(root);
  return close;
}

export default { render };

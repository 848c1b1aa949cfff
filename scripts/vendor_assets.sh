#!/usr/bin/env bash
# Copy the site's front-end files from node_modules (pinned by package-lock.json)
# into book/assets/vendor/, which Sphinx publishes as _static/vendor/.
set -euo pipefail
cd "$(dirname "$0")/.."
target=book/assets/vendor
rm -rf "$target"
mkdir -p "$target/mathjax"
# MathJax 3: the combined TeX->CommonHTML component plus what it loads on demand
# (fonts, TeX extensions, the context menu's components).
cp -r node_modules/mathjax/es5/. "$target/mathjax/"
rm -rf "$target/mathjax/sre" "$target/mathjax/node-main.js"
# onnxruntime-web, WebAssembly only: the runtime, its loader and the single binary it loads. The live
# explorers fetch them only when the reader reaches one (pages stay light), single-threaded (no
# SharedArrayBuffer, so a static host needs no special headers).
mkdir -p "$target/onnxruntime"
for file in ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm; do
  cp "node_modules/onnxruntime-web/dist/$file" "$target/onnxruntime/"
done
echo "vendored into $target: $(du -sh "$target" | cut -f1)"

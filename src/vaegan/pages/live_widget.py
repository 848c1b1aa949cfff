"""The live explorers in a notebook: the website's explorer, with its network run by the
kernel.

On the website an explorer's script (``live_explorer.js``) runs its network with
onnxruntime-web. A notebook (Jupyter, Colab, VS Code) has no copy of that runtime, but
it has a kernel holding the model already: there :class:`LiveWidget` (an anywidget)
shows the same HTML, runs the same script, and hands it a session whose ``run`` sends
the inputs to the kernel, where the network runs in PyTorch, and resolves with its
outputs. One message each way, the tensors as float32 buffers:

* front-end to kernel: ``{"id", "names", "dims"}`` and one buffer per input, in
  ``names`` order;
* kernel to front-end: ``{"id", "names", "dims"}`` and one buffer per output, or
  ``{"id", "error"}``.

Where no widget can show (a notebook rendered without a kernel: GitHub, nbviewer), its
output carries the explorer's HTML with the precomputed frames as well, so it degrades
to those.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import anywidget
import numpy as np
import torch
import traitlets
from torch import nn

from vaegan.core.model import mode

__all__ = ["LiveWidget", "KernelNetwork", "STYLES"]

STYLES = Path(__file__).with_name("assets") / "live_explorer.css"


class KernelNetwork:
    """``module`` answering the explorer's ``run`` requests: float32 inputs named
    ``inputs`` (in the order ``module.forward`` takes them) give float32 outputs named
    ``outputs``. The module runs in evaluation mode and gets its own mode back after
    every request, so a model trained further in the notebook is not left in the wrong
    mode. One request at a time: a kernel serves them in turn anyway, and two at once
    would race on that mode (batch norm in training mode)."""

    def __init__(self, module: nn.Module, inputs: list[str], outputs: list[str]) -> None:
        self.module, self.inputs, self.outputs = module, list(inputs), list(outputs)
        self._turn = threading.Lock()

    @torch.no_grad()
    def run(self, names: list[str], dims: list[list[int]], buffers: list) -> tuple[list[list[int]], list[bytes]]:
        if list(names) != self.inputs:
            raise ValueError(f"the network takes the inputs {self.inputs}, got {list(names)}")
        if len(dims) != len(names) or len(buffers) != len(names):
            raise ValueError(f"{len(names)} inputs need as many shapes and buffers, got {len(dims)} and {len(buffers)}")
        tensors = []
        for name, shape, buffer in zip(names, dims, buffers):
            values = np.frombuffer(bytes(buffer), dtype=np.float32)
            if not shape or any(int(size) < 0 for size in shape) or values.size != math.prod(shape):
                raise ValueError(f"input {name!r}: {values.size} numbers do not fill the shape {shape}")
            tensors.append(torch.from_numpy(values.copy()).reshape([int(size) for size in shape]))
        with self._turn, mode(self.module):
            results = self.module(*tensors)
        results = list(results) if isinstance(results, (tuple, list)) else [results]
        if len(results) != len(self.outputs):
            raise ValueError(f"the network gave {len(results)} outputs for the names {self.outputs}")
        return ([list(result.shape) for result in results],
                [result.detach().float().contiguous().numpy().tobytes() for result in results])

    def answer(self, content: dict, buffers: list) -> tuple[dict, list[bytes]]:
        """The reply to one request: the outputs, or the error that stopped them (the
        explorer shows it and falls back to its frames; the kernel keeps running)."""
        request = content.get("id")
        try:
            dims, outputs = self.run(content["names"], content["dims"], buffers)
        except Exception as error:  # noqa: BLE001: any failure goes back to the page, which says so
            return {"id": request, "error": f"{type(error).__name__}: {error}"}, []
        return {"id": request, "names": self.outputs, "dims": dims}, outputs


class LiveWidget(anywidget.AnyWidget):
    """A live explorer in a notebook: ``markup`` (the explorer's HTML, as on the
    website, without its script) decoded by ``network`` in the kernel, with the
    explorers' ``script`` (``vaegan.pages.live.SCRIPT``). ``fallback`` is the HTML a
    renderer without widgets shows instead (the markup with its script, on its frames).
    ``answered`` counts the requests served."""

    _esm = Path(__file__).with_name("live_widget.js")
    _css = STYLES
    markup = traitlets.Unicode("").tag(sync=True)
    script = traitlets.Unicode("").tag(sync=True)

    def __init__(self, markup: str, network: KernelNetwork, script: str, fallback: str) -> None:
        super().__init__(markup=markup, script=script)
        self.network, self.fallback, self.answered = network, fallback, 0
        self.on_msg(self._on_request)

    def _on_request(self, _widget, content, buffers) -> None:
        reply, outputs = self.network.answer(content, buffers)
        self.answered += 1
        self.send(reply, outputs)

    def _repr_mimebundle_(self, **kwargs):
        data, metadata = super()._repr_mimebundle_(**kwargs)
        # a front-end with widgets shows the widget; GitHub, nbviewer and a saved notebook opened
        # without its kernel show this HTML, the explorer on its precomputed frames
        return {**data, "text/html": self.fallback}, metadata

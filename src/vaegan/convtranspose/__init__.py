"""Part 1, chapter 1: transposed convolutions.

* :mod:`~vaegan.convtranspose.operations`: the operation three ways (the minimal loops,
  zero stuffing then a convolution, and the full layer with its own backward pass),
  checked against PyTorch's;
* :mod:`~vaegan.convtranspose.stamping`: the stamping picture, step by step, for the
  chapter's figures.
"""

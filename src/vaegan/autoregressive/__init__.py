"""Part 4, chapter 7: autoregressive models.

* :mod:`~vaegan.autoregressive.models`: the pixel LSTM, masked convolutions and
  PixelCNN, exact log-likelihood;
* :mod:`~vaegan.autoregressive.train`: the run arguments and the trainer (teacher
  forcing, dynamic binarisation);
* :mod:`~vaegan.autoregressive.evaluate`: the exact test NLL, sample sets, image
  completion.
"""

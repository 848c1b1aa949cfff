"""The judge: a small MNIST classifier used as a measuring instrument for every family's
samples.

* :mod:`~vaegan.judge.classifier`: the network and the committed weights;
* :mod:`~vaegan.judge.training`: how it was trained (with non-digits, so it is not
  fooled by noise);
* :mod:`~vaegan.judge.metrics`: confident share, class coverage, effective classes, the
  Frechet distance;
* :mod:`~vaegan.judge.sampling`: one verdict for any generative model's samples, and
  sampling time;
* :mod:`~vaegan.judge.inception_fid`: the standard FID, optional and online only.
"""

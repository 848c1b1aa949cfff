"""Part 3, chapters 5 and 6: GANs, DCGAN, WGAN-GP and spectral normalisation.

* :mod:`~vaegan.gans.models`: the MLP and DCGAN generators and discriminators;
* :mod:`~vaegan.gans.losses`: the discriminator, generator and Wasserstein losses, the
  gradient penalty;
* :mod:`~vaegan.gans.train`: the run arguments and the GAN trainer, with its per-step
  signals;
* :mod:`~vaegan.gans.walks`: great-circle walks through the code space;
* :mod:`~vaegan.gans.spectral`: a weight's largest singular value by power iteration
  (spectral normalisation).
"""

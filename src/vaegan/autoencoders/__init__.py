"""Part 2, chapters 2 to 4: autoencoders, variational autoencoders and the ELBO.

* :mod:`~vaegan.autoencoders.models`: the autoencoder, the VAE (one :class:`Variational`
  base) and the MLP VAE;
* :mod:`~vaegan.autoencoders.losses`: the reconstruction losses, the Gaussian KL, code
  sparsity;
* :mod:`~vaegan.autoencoders.contractive`: the contractive penalty, the encoder's
  squared Jacobian norm;
* :mod:`~vaegan.autoencoders.train`: the run arguments and the trainers;
* :mod:`~vaegan.autoencoders.latent`: encode, decode, latent grids and interpolation;
* :mod:`~vaegan.autoencoders.evaluate`: the numbers the chapters report;
* :mod:`~vaegan.autoencoders.elbo`: the ELBO, the importance-weighted bound, posterior
  usage;
* :mod:`~vaegan.autoencoders.bounds`: the test-set bounds table
  (``python -m vaegan bounds``);
* :mod:`~vaegan.autoencoders.linear_gaussian`: probabilistic PCA, whose likelihood is
  exact;
* :mod:`~vaegan.autoencoders.hierarchical`: a VAE with two stochastic layers and its
  ELBO (chapter 4's bonus);
* :mod:`~vaegan.autoencoders.face_distance`: the committed face VAE's encoder as a
  measure of faces (chapter 6 judges its face GAN with it).
"""

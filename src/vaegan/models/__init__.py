"""The book's models, one module per family.

Every model records the arguments it was built with in ``model.config`` (plain
JSON values), so a checkpoint can rebuild it: see :mod:`vaegan.checkpoints`.
"""

from vaegan.models.autoencoders import VAE, Autoencoder, MLPVAE, conv_decoder, conv_encoder
from vaegan.models.gans import DCGANDiscriminator, DCGANGenerator, MLPDiscriminator, MLPGenerator
from vaegan.models.autoregressive import PixelCNN, PixelLSTM

from vaegan.classifier import MNISTClassifier  # noqa: E402  (the judge is a model too)

#: Every model class a checkpoint may name, by class name.
MODEL_CLASSES = {
    cls.__name__: cls
    for cls in (
        Autoencoder, VAE, MLPVAE, MNISTClassifier, MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator,
        PixelLSTM, PixelCNN,
    )
}

__all__ = [
    "Autoencoder", "VAE", "MLPVAE", "MLPGenerator", "MLPDiscriminator", "DCGANGenerator", "DCGANDiscriminator",
    "PixelLSTM", "PixelCNN", "conv_encoder", "conv_decoder", "MODEL_CLASSES", "build_model",
]


def build_model(class_name: str, **config):
    """Build a model from its class name and the ``config`` it recorded."""
    if class_name not in MODEL_CLASSES:
        raise ValueError(f"unknown model class {class_name!r}; known: {', '.join(sorted(MODEL_CLASSES))}")
    return MODEL_CLASSES[class_name](**config)

"""vaegan.autoencoders.evaluate: the numbers the autoencoder chapters report."""

from vaegan.autoencoders.evaluate import evaluate_autoencoder
from vaegan.autoencoders.train import VAEArgs
from vaegan.registry import trainer_for


def test_evaluation_reports_the_chapter_numbers(small_mnist):
    args = VAEArgs(batch_size=128, epochs=1, log_every=4, progress=False, hidden_size=32, latent_size=3)
    trainer = trainer_for(args, trainset=small_mnist, holdout=small_mnist.images[:10])
    report = evaluate_autoencoder(trainer.train(), samples=200, test_limit=500)
    assert report["test_images"] == 500
    assert 0 < report["reconstruction_mse"] < report["mean_image_mse"] * 1.5
    assert 0 <= report["code_sparsity"] <= 1 and report["kl_per_image"] > 0
    assert 0 <= report["prior_confident_share"] <= 1 and 0 <= report["prior_class_coverage"] <= 10

"""vaegan.autoencoders.face_distance: the face-quality distance puts real faces near each other and changed ones further."""

import pytest
import torch

from vaegan.core import data
from vaegan.core.scales import to_unit
from vaegan.autoencoders.face_distance import face_features, face_frechet_distance


@pytest.fixture(scope="module")
def faces(data_root):
    test = to_unit(data.celeba_tensors("test").images, "symmetric")
    train = to_unit(data.celeba_tensors("train", limit=500).images, "symmetric")
    return test, train


def test_features_are_the_face_vaes_codes(faces):
    test, _ = faces
    codes = face_features(test[:10])
    assert codes.shape == (10, 64) and torch.isfinite(codes).all()
    # the same face gives the same code, whatever else is in the batch
    assert torch.allclose(face_features(test[:3]), codes[:3], atol=1e-5)


def test_real_faces_are_close_and_grey_ones_far(faces):
    test, train = faces
    floor = face_frechet_distance(train, test)
    grey = train.mean(dim=1, keepdim=True).expand(-1, 3, -1, -1)
    noisy = (train + 0.3 * torch.randn(train.shape, generator=torch.Generator().manual_seed(0))).clamp(0, 1)
    assert 3 * floor < face_frechet_distance(grey, test)
    assert floor < face_frechet_distance(noisy, test)
    assert face_frechet_distance(test, test) == pytest.approx(0, abs=1e-6)


def test_face_metrics_refuse_wrong_shapes_scales_and_sizes(faces):
    test, _ = faces
    with pytest.raises(ValueError, match=r"\(n, 3, 64, 64\)"):
        face_features(torch.rand(4, 1, 28, 28))
    with pytest.raises(ValueError, match="to_unit"):
        face_features(test * 2 - 1)
    with pytest.raises(ValueError, match="at least two"):
        face_frechet_distance(test[:1], test)
    with pytest.raises(ValueError, match="diverged"):
        face_features(torch.full((2, 3, 64, 64), float("nan")))

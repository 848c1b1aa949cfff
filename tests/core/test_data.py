"""vaegan.core.data on the real offline data, and its errors."""

import time

import pytest
import torch
from PIL import Image

from vaegan.core import data, scales

TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # from the data README


def test_data_dir_precedence(monkeypatch, tmp_path):
    monkeypatch.setenv("VAEGAN_DATA_DIR", str(tmp_path / "from-env"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert data.data_dir(tmp_path / "argument") == tmp_path / "argument"
    assert data.data_dir() == tmp_path / "from-env"
    monkeypatch.delenv("VAEGAN_DATA_DIR")
    assert data.data_dir() == tmp_path / "cache" / "vaegan"


def test_mnist_is_one_in_memory_tensor_with_the_official_counts(data_root):
    test = data.mnist(train=False)
    assert test.images.shape == (10_000, 1, 28, 28) and test.images.dtype == torch.float32
    assert test.images.is_contiguous()
    assert torch.bincount(test.labels).tolist() == TEST_LABEL_COUNTS
    assert 0.0 <= test.images.min() and test.images.max() <= 1.0
    train = data.mnist(train=True, limit=10)
    assert train.labels.tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_tensor_loader_covers_the_data_once_and_is_deterministic(data_root):
    subset = data.mnist(train=False, limit=1000)
    first = [labels for _, labels in data.TensorLoader(subset, batch_size=64, seed=3)]
    again = [labels for _, labels in data.TensorLoader(subset, batch_size=64, seed=3)]
    assert len(first) == 16 and all(torch.equal(a, b) for a, b in zip(first, again))
    assert sorted(torch.cat(first).tolist()) == sorted(subset.labels.tolist())
    assert len(list(data.TensorLoader(subset, batch_size=64, drop_last=True))) == 15
    with pytest.raises(ValueError, match="batch_size"):
        data.TensorLoader(subset, batch_size=0)


def test_holdout_has_one_of_each_digit(data_root):
    images, labels = data.holdout_digits()
    assert images.shape == (10, 1, 28, 28) and labels.tolist() == list(range(10))
    test = data.mnist(train=False)
    for digit in range(10):
        first = int(torch.nonzero(test.labels == digit)[0])
        assert torch.equal(images[digit], test.images[first])


def offline_error(monkeypatch, load) -> str:
    """Call ``load`` with no network; it must fail with DataNotFoundError within 5 s. Returns the message."""
    monkeypatch.setenv("VAEGAN_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(data.DataNotFoundError) as error:
        load()
    assert time.perf_counter() - start < 5
    return str(error.value)


def test_missing_mnist_offline_fails_fast_and_says_how_to_fix(monkeypatch, tmp_path):
    message = offline_error(monkeypatch, lambda: data.mnist(root=tmp_path))
    assert str(tmp_path / "MNIST" / "raw") in message and "VAEGAN_DATA_DIR" in message and "network" in message


def test_missing_mnist_without_download_names_the_folder(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="MNIST/raw"):
        data.mnist(root=tmp_path, download=False)


def test_truncated_mnist_file_is_reported_as_corrupt(data_root, tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:
        source = data_root / "MNIST" / "raw" / name
        if name == "t10k-images-idx3-ubyte":
            (raw / name).write_bytes(source.read_bytes()[:1000])
        else:
            (raw / name).symlink_to(source)
    with pytest.raises(data.DataCorruptError, match="t10k-images-idx3-ubyte.*truncated"):
        data.mnist(train=False, root=tmp_path)


def test_celeba_from_the_offline_folder(data_root):
    faces = data.celeba()
    jpegs = list((data_root / "celeba" / "img_align_celeba").glob("*.jpg"))
    assert len(faces) == len(jpegs) >= 1000
    image, label = faces[0]
    assert image.shape == (3, 64, 64) and label == 0
    assert image.min() >= -1.0 and image.max() <= 1.0 and image.min() < -0.5
    small = data.celeba(image_size=32)
    assert small[0][0].shape == (3, 32, 32)
    with pytest.raises(ValueError, match="image_size"):
        data.celeba(image_size=0)


def test_missing_celeba_offline_fails_fast(monkeypatch, tmp_path):
    message = offline_error(monkeypatch, lambda: data.celeba(root=tmp_path))
    assert "celeba/img_align_celeba" in message and "Hugging Face" in message


def test_exported_images_load_as_the_celeba_layout(tmp_path):
    """The download path saves Hugging Face rows as JPEGs; the loader must read what it saves."""
    rows = [{"image": Image.new("RGB", (178, 218), (40 * i, 100, 200))} for i in range(5)]
    count = data.export_images(rows, tmp_path / "celeba" / "img_align_celeba", limit=3)
    assert count == 3
    assert sorted(p.name for p in (tmp_path / "celeba" / "img_align_celeba").iterdir()) == [
        "000001.jpg", "000002.jpg", "000003.jpg"
    ]
    faces = data.celeba(root=tmp_path, download=False)
    assert len(faces) == 3 and faces[2][0].shape == (3, 64, 64)


def test_celeba_tensors_pool_both_folders_into_disjoint_splits(data_root):
    test = data.celeba_tensors("test", root=data_root)
    train = data.celeba_tensors("train", root=data_root, limit=64)
    assert test.images.shape == (500, 3, 64, 64) and train.images.shape == (64, 3, 64, 64)
    assert test.images.min() >= -1 and test.images.max() <= 1 and test.scale == "symmetric"
    files = data._face_files(data_root, data.CELEBA_FOLDERS)
    assert len({f.name for f in files}) == len(files) > 15_000  # one file per CelebA id across both folders
    assert not set(f.name for f in files[:-500]) & set(f.name for f in files[-500:])
    small = data.celeba_tensors("test", root=data_root, image_size=32, limit=4)
    assert small.images.shape == (4, 3, 32, 32)
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.celeba_tensors("validation", root=data_root)


def test_celeba_tensors_without_faces_names_the_folders(tmp_path):
    with pytest.raises(data.DataNotFoundError, match="celeba/img_align_celeba"):
        data.celeba_tensors("test", root=tmp_path)


def test_static_binarisation_is_fixed_and_binary(data_root):
    first, again = data.binarized_mnist(limit=50), data.binarized_mnist(limit=50)
    assert torch.equal(first.images, again.images)
    assert set(first.images.unique().tolist()) <= {0.0, 1.0}
    other = data.binarized_mnist(limit=50, seed=1)
    assert not torch.equal(first.images, other.images)
    with pytest.raises(ValueError, match=r"pixels in \[0, 1\]"):
        scales.binarize(torch.full((1, 1, 2, 2), 2.0), torch.Generator())


def _mnist_copy(data_root, tmp_path, corrupt=None):
    """MNIST/raw in ``tmp_path`` with the data folder's checksum lines; ``corrupt`` gets one payload byte flipped."""
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in data.MNIST_FILES:
        source = data_root / "MNIST" / "raw" / name
        if name == corrupt:
            payload = bytearray(source.read_bytes())
            payload[5000] ^= 0xFF  # past the header: the file keeps its size and its magic number
            (raw / name).write_bytes(bytes(payload))
        else:
            (raw / name).symlink_to(source)
    lines = [line for line in (data_root / "checksums.sha256").read_text().splitlines() if "MNIST/raw/" in line]
    (tmp_path / "checksums.sha256").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_a_corrupted_mnist_payload_fails_its_checksum_naming_the_file(data_root, tmp_path):
    root = _mnist_copy(data_root, tmp_path, corrupt="t10k-images-idx3-ubyte")
    with pytest.raises(data.DataCorruptError, match=r"t10k-images-idx3-ubyte does not match its checksum.*sha256sum -c"):
        data.mnist(train=False, root=root)


def test_intact_files_pass_their_checksums_and_are_hashed_once_per_process(data_root, tmp_path):
    root = _mnist_copy(data_root, tmp_path)
    data._verified.cache_clear()
    data.mnist(train=False, root=root, limit=10)
    hashed = data._verified.cache_info().misses
    data.mnist(train=False, root=root, limit=10)
    assert hashed == 4 and data._verified.cache_info().misses == hashed


@pytest.mark.parametrize("damage", ["truncated", "not an image", "oversized"])
def test_a_damaged_face_is_reported_with_its_file_name(data_root, tmp_path, damage, monkeypatch):
    folder = tmp_path / "celeba" / "img_align_celeba"
    folder.mkdir(parents=True)
    sources = sorted((data_root / "celeba" / "img_align_celeba").glob("*.jpg"))[:12]
    for source in sources:
        (folder / source.name).symlink_to(source)
    broken = folder / sources[3].name
    broken.unlink()
    if damage == "truncated":
        broken.write_bytes(sources[3].read_bytes()[:400])
    elif damage == "not an image":
        broken.write_text("<html>404</html>")
    else:
        Image.new("RGB", (1000, 1000)).save(broken, format="JPEG")
        monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100_000)  # a face has 38,804 pixels; this one counts as a decompression bomb
    with pytest.raises(data.DataCorruptError, match=rf"{broken.name}.*Delete or replace the file"):
        data.celeba_tensors("train", root=tmp_path, test_size=2, folders=("celeba",))

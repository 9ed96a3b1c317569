"""tools/dvc/verify_cache.py: which cached objects of dvc.lock stages it finds corrupted."""

import hashlib
import importlib.util
import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("verify_cache", REPO / "tools/dvc/verify_cache.py")
verify_cache = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verify_cache)

ABC_MD5 = "900150983cd24fb0d6963f7d28e17f72"  # MD5 of b"abc" (RFC 1321 test suite)


def store(root: Path, md5: str, data: bytes) -> Path:
    path = verify_cache.object_path(root, md5)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o444)
    return path


def test_file_md5_known_answer(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    assert verify_cache.file_md5(tmp_path / "f") == ABC_MD5


def test_intact_object_is_kept_corrupted_one_removed(tmp_path: Path) -> None:
    kept = store(tmp_path, ABC_MD5, b"abc")
    assert not verify_cache.remove_if_corrupt(tmp_path, ABC_MD5)
    assert kept.exists()
    kept.chmod(0o644)
    kept.write_bytes(b"abd")
    assert verify_cache.remove_if_corrupt(tmp_path, ABC_MD5)
    assert not kept.exists()
    assert not verify_cache.remove_if_corrupt(tmp_path, ABC_MD5), "absent is not corrupt"


def test_verify_checks_directory_listings_and_their_files(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "cache"
    listing = json.dumps([{"md5": ABC_MD5, "relpath": "a.txt"}]).encode()
    dir_md5 = hashlib.md5(listing).hexdigest() + ".dir"
    store(root, dir_md5, listing)
    store(root, ABC_MD5, b"not abc")
    lock = tmp_path / "dvc.lock"
    lock.write_text(
        f"schema: '2.0'\nstages:\n  train:\n    outs:\n    - path: results/train\n"
        f"      md5: {dir_md5}\n"
    )
    monkeypatch.setattr(verify_cache, "cache_root", lambda: root)
    assert verify_cache.verify(["train"], lock) == [ABC_MD5]
    assert verify_cache.object_path(root, dir_md5).exists()
    with pytest.raises(SystemExit, match="no stage"):
        verify_cache.verify(["spectra"], lock)

"""Find and remove corrupted objects in the local DVC cache before a pull.

DVC trusts its cache: an object whose bytes changed on disk after it was stored is checked
out as is and reported up to date. This script re-hashes (MD5 of the raw bytes, DVC 3's
`hash: md5`) every cached object that the outputs of the given `dvc.lock` stages refer to,
directory listings (`.dir` objects, JSON lists of {"md5", "relpath"}) and their files alike,
and deletes each object whose hash does not match its name, so that the next `dvc pull`
fetches it again from the remote.

Usage: python tools/dvc/verify_cache.py STAGE...  (run in the repository root)
Prints one line per removed object; exits 0 whether or not some were removed.
"""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

CHUNK_BYTES = 1 << 20


def cache_root() -> Path:
    """The DVC cache's MD5 object folder (`<cache dir>/files/md5`)."""
    out = subprocess.run(["dvc", "cache", "dir"], check=True, capture_output=True, text=True)
    return Path(out.stdout.strip()) / "files" / "md5"


def object_path(root: Path, md5: str) -> Path:
    """Where DVC stores the object with hash `md5` ("<32 hex>" or "<32 hex>.dir")."""
    return root / md5[:2] / md5[2:]


def file_md5(path: Path) -> str:
    """MD5 hex digest of the file's raw bytes."""
    digest = hashlib.md5()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def stage_hashes(lock_path: Path, stages: list[str]) -> list[str]:
    """MD5s of the outputs of `stages` recorded in dvc.lock (directories end in ".dir")."""
    lock = yaml.safe_load(lock_path.read_text())
    recorded = lock.get("stages", {}) if isinstance(lock, dict) else {}
    missing = [stage for stage in stages if stage not in recorded]
    if missing:
        raise SystemExit(f"verify_cache: {lock_path} has no stage(s) {', '.join(missing)}")
    return [out["md5"] for stage in stages for out in recorded[stage].get("outs", [])]


def remove_if_corrupt(root: Path, md5: str) -> bool:
    """Delete the cached object `md5` if its bytes no longer hash to `md5`; True if deleted."""
    path = object_path(root, md5)
    if not path.is_file() or file_md5(path) == md5.removesuffix(".dir"):
        return False
    os.chmod(path, 0o644)
    path.unlink()
    return True


def verify(stages: list[str], lock_path: Path = Path("dvc.lock")) -> list[str]:
    """Remove corrupted cached objects of `stages`' outputs; return the removed hashes."""
    root = cache_root()
    removed = []
    for md5 in stage_hashes(lock_path, stages):
        if remove_if_corrupt(root, md5):
            removed.append(md5)
            continue
        listing = object_path(root, md5)
        if md5.endswith(".dir") and listing.is_file():
            for entry in json.loads(listing.read_text()):
                if remove_if_corrupt(root, entry["md5"]):
                    removed.append(entry["md5"])
    return removed


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: verify_cache.py STAGE...")
    for md5 in verify(sys.argv[1:]):
        print(f"verify_cache: corrupted object {md5} removed from the DVC cache; pulling it again")


if __name__ == "__main__":
    main()

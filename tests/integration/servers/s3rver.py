"""An S3-compatible server (npm `s3rver`, pinned by package-lock.json in this folder) on
127.0.0.1 for one test session, storing objects in a temporary folder."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .process import HOST, free_port, serving

S3RVER = Path(__file__).parent / "node_modules" / ".bin" / "s3rver"
BUCKET = "aelle"
# s3rver accepts exactly this key pair.
ACCESS_KEY = "S3RVER"
SECRET_KEY = "S3RVER"


@dataclass(frozen=True)
class S3Server:
    """Endpoint and credentials; objects of bucket BUCKET live under `directory`/BUCKET."""

    endpoint: str
    directory: Path
    bucket: str = BUCKET
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def url(self, prefix: str) -> str:
        """DVC remote URL of the key prefix `prefix` in the bucket."""
        return f"s3://{self.bucket}/{prefix}"


@contextmanager
def s3rver(root: Path) -> Iterator[S3Server]:
    """Serve S3 on a free port of 127.0.0.1 for the `with` block, bucket BUCKET created."""
    if not S3RVER.exists():
        raise FileNotFoundError(f"{S3RVER} is missing: run tools/dvc/install-test-deps.sh")
    directory = root / "objects"
    directory.mkdir(parents=True, exist_ok=True)
    port = free_port()
    argv = [
        str(S3RVER),
        "--directory",
        str(directory),
        "--address",
        HOST,
        "--port",
        str(port),
        "--configure-bucket",
        BUCKET,
        "--silent",
    ]
    with serving(argv, port, root / "s3rver.log"):
        yield S3Server(endpoint=f"http://{HOST}:{port}", directory=directory)

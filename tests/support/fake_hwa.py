"""The fake HWA master for tests (`resync.demo.master`, shared with the demo) and a TLS helper."""

import subprocess
from pathlib import Path

from resync.demo.master import JOBS_PATH, FakeHwa, RecordedRequest, plan_job

__all__ = ["JOBS_PATH", "FakeHwa", "RecordedRequest", "plan_job", "self_signed_certificate"]


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA, and its key (PEM files, by openssl)."""
    certificate, key = directory / "hwa-cert.pem", directory / "hwa-key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key

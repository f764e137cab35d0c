"""Start a real Chroma server (`chroma run`) on a free loopback port: for the tests and the scale
benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    """A loopback port nothing listens on (at this moment)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_chroma_server(path: Path, port: int) -> subprocess.Popen:
    """Start `chroma run` on loopback and wait until it answers its heartbeat."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    process = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port,
                                settings=ChromaSettings(anonymized_telemetry=False)).heartbeat()
            return process
        except Exception:
            if process.poll() is not None:
                raise RuntimeError(f"chroma run exited with {process.returncode}")
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("chroma run did not answer within 60 s")

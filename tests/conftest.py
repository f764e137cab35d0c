"""Shared fixtures: a temp data folder for every test, a built index, a real `chroma run` server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chroma_server import free_port, start_chroma_server  # noqa: F401 (tests import free_port from here)
from ingest.settings import CHECKOUT_DIR, Settings

CORPUS = CHECKOUT_DIR / "corpus"


@pytest.fixture(autouse=True)
def user_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data folder, so no test sees the developer's `.data/`."""
    data = tmp_path / "data"
    monkeypatch.setenv("OPS_ASSISTANT_DATA_DIR", str(data))
    monkeypatch.delenv("OPS_ASSISTANT_CHROMA_URL", raising=False)
    monkeypatch.delenv("OPS_ASSISTANT_LLM", raising=False)
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    return data


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory) -> Path:
    """A data folder with the real corpus ingested once per test session (read-only for tests)."""
    from ingest.pipeline import run_ingest

    data = tmp_path_factory.mktemp("corpus-index")
    run_ingest([CORPUS], Settings(data_dir=data), show_progress=False)
    return data


@pytest.fixture
def indexed_settings(corpus_index, monkeypatch) -> Settings:
    """Settings pointing at the session's built index."""
    monkeypatch.setenv("OPS_ASSISTANT_DATA_DIR", str(corpus_index))
    return Settings()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`) on a free loopback port; yields its URL."""
    port = free_port()
    process = start_chroma_server(tmp_path_factory.mktemp("chroma-server"), port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=30)


SMALL_CORPUS = {
    "alpha.md": """---
title: Alpha guide
url: https://example.com/alpha
---

# Deploying

Blue-green deployment keeps two environments. Traffic moves only after checks pass.

Canary releases send a small share of traffic to the new version first.

## Rollback

- Keep the previous image tagged.
- Roll back with one command.

# Monitoring

Alerts fire when the error rate crosses a threshold.
""",
    "beta.md": """# Data quality

Schema checks catch a renamed column before it reaches a dashboard.

Freshness checks flag a table that stopped updating.
""",
}


@pytest.fixture
def small_corpus(tmp_path) -> Path:
    """A writable two-file Markdown corpus of 6 chunks, for tests that edit and re-ingest."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in SMALL_CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def closed_chroma_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago)."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def corpus_assistant(corpus_index):
    """One real Assistant over the session's index, for tests that only ask (they write nothing);
    loading takes seconds, so the recommender and dialog tests share it."""
    from assistant import Assistant

    return Assistant.load(Settings(data_dir=corpus_index, chroma_url=None, llm=None))


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright, once per browser-test module."""
    from playwright.sync_api import sync_playwright

    from ui_support import launch_browser

    with sync_playwright() as playwright:
        chromium = launch_browser(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def tampered_model(tmp_path, monkeypatch) -> Path:
    """A copy of the bundled model with one byte of its weights flipped, put where ingest, status
    and the assistant look, and an empty folder for the ONNX export, which must then be made from
    those weights. Returns the tampered weights file."""
    from ingest import embedding, status

    folder = Path(shutil.copytree(embedding.model_dir(), tmp_path / "model"))
    weights = folder / "model.safetensors"
    with weights.open("r+b") as handle:
        handle.seek(4096)
        byte = handle.read(1)
        handle.seek(4096)
        handle.write(bytes([byte[0] ^ 0xFF]))
    monkeypatch.setattr(embedding, "model_dir", lambda: folder)
    monkeypatch.setattr(status, "model_dir", lambda: folder)
    monkeypatch.setenv("OPS_ASSISTANT_ONNX_DIR", str(tmp_path / "onnx"))
    return weights

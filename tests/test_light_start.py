"""The answer path stays light (issue 12): `ask`, `chat`, `ui`, `dialogs run` and `status` answer in
a new process without importing PyTorch, transformers, sentence-transformers or scikit-learn, and
an unchanged re-ingest imports neither the model nor the retrieval stack, nor even Chroma (it has
the receipt of the last ingest)."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.settings import CHECKOUT_DIR

HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn",
         "langchain_core.language_models.base")  # chat models: only when an LLM is configured
RETRIEVAL = ("onnxruntime", "tokenizers", "langchain_chroma", "bm25s", "assistant.index",
             "langchain_text_splitters")  # nor the chunker's splitter: nothing is chunked again
STORE = ("chromadb", "langchain_core.embeddings")
REPORT = ("import json, sys\n"
          "print('MODULES=' + json.dumps(sorted(m for m in {names!r} if m in sys.modules)))\n")
COMMAND = ("from ui.cli import app\n"
           "try:\n"
           "    app({args!r}, standalone_mode=False)\n"
           "except SystemExit as stop:\n"
           "    assert not stop.code, stop.code\n")
UI = ("from gradio_client import Client\n"
      "from ingest.settings import Settings\n"
      "from ui.serve import serve_in_background\n"
      "ui, url = serve_in_background(Settings())\n"
      "client = Client(url, verbose=False, download_files=False, ssl_verify=False)\n"
      "print(client.predict('Who coined the term DataOps?', api_name='/chat'))\n")


def run_probe(code: str, names: tuple[str, ...], data_dir, stdin: str = ""
              ) -> tuple[str, list[str]]:
    """Run `code` in a new Python process on the index in `data_dir`; returns what it printed
    and which of `names` it had imported by the end."""
    env = {**os.environ, "OPS_ASSISTANT_DATA_DIR": str(data_dir)}
    result = subprocess.run([sys.executable, "-c", code + REPORT.format(names=names)],
                            input=stdin, capture_output=True, text=True, timeout=180, env=env,
                            cwd=CHECKOUT_DIR)
    assert result.returncode == 0, result.stderr
    output, _, modules = result.stdout.rpartition("MODULES=")
    return output, json.loads(modules)


@pytest.mark.parametrize(("args", "stdin", "expected"), [
    (["ask", "Who coined the term DataOps?"], "", "Lenny Liebmann"),
    (["ask", "--jsonl"], '{"session": "a", "question": "Who coined the term DataOps?"}\n',
     '"abstained":false'),
    (["chat"], "Who coined the term DataOps?\n/quit\n", "assistant> "),
    (["dialogs", "run", "tests/dialogs/conversations.yaml"], "", "0 failed"),
    (["status"], "", "stale: no"),
], ids=["ask", "ask-jsonl", "chat", "dialogs", "status"])
def test_a_command_answers_without_importing_the_heavy_stack(corpus_index, args, stdin, expected):
    output, heavy = run_probe(COMMAND.format(args=args), HEAVY, corpus_index, stdin)
    assert expected in output
    assert heavy == []


def test_the_ui_answers_its_first_chat_without_importing_the_heavy_stack(corpus_index):
    output, heavy = run_probe(UI, HEAVY, corpus_index)
    assert "Lenny Liebmann" in output and "[1]" in output
    assert heavy == []


def test_an_unchanged_re_ingest_imports_neither_the_model_nor_the_retrieval_stack(
        small_corpus, user_dir):
    args = ["ingest", "--json", str(small_corpus)]
    first, _ = run_probe(COMMAND.format(args=args), (), user_dir)
    assert json.loads(first)["embedded"] == 6
    again, loaded = run_probe(COMMAND.format(args=args), HEAVY + RETRIEVAL + STORE, user_dir)
    report = json.loads(again)
    assert (report["embedded"], report["sentences_embedded"], report["unchanged"]) == (0, 0, 6)
    assert loaded == []


def test_ops_assistant_ui_answers_as_soon_as_it_says_it_is_serving(corpus_index):
    from gradio_client import Client

    from conftest import free_port

    port = free_port()
    env = {**os.environ, "OPS_ASSISTANT_DATA_DIR": str(corpus_index)}
    process = subprocess.Popen([str(Path(sys.executable).parent / "ops-assistant"), "ui", "--port",
                                str(port)], env=env, cwd=CHECKOUT_DIR, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        said = wait_for_line(process, "Serving the chat UI at", timeout_s=120)
        assert said == f"Serving the chat UI at http://127.0.0.1:{port}"
        client = Client(f"http://127.0.0.1:{port}/", verbose=False, download_files=False,
                        ssl_verify=False)  # no retry: it must be listening by now
        answer = str(client.predict("Who coined the term DataOps?", api_name="/chat"))
        assert "Lenny Liebmann" in answer and "[1]" in answer
        assert "libtorch" not in Path(f"/proc/{process.pid}/maps").read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def wait_for_line(process: subprocess.Popen, start: str, timeout_s: float) -> str:
    """The first line of `process`'s stderr that starts with `start`; fails on a deadline."""
    deadline, seen = time.monotonic() + timeout_s, b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stderr, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if selector.select(timeout=deadline - time.monotonic()):
                chunk = os.read(process.stderr.fileno(), 65536)
                assert chunk, f"the UI stopped (exit {process.poll()}): {seen.decode()[-500:]}"
                seen += chunk
                for line in seen.decode(errors="replace").splitlines():
                    if line.startswith(start):
                        return line.strip()
    raise AssertionError(f"no {start!r} within {timeout_s} s: {seen.decode()[-500:]}")

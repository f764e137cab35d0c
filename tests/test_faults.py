"""Faults (issue 6): an ingest killed mid-run, a Chroma server that stops during a chat, a re-ingest
under an open Assistant, a deleted or corrupted index, a corpus changed between ingests, a tampered
model. Real components: embedded Chroma in temp folders, a `chroma run` server started and stopped
here, real `python -m ingest` processes."""

from __future__ import annotations

import fcntl
import html
import io
import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import struct
import sys
import termios
import time
from pathlib import Path

import gradio as gr
import numpy as np
import pytest
from typer.testing import CliRunner

import assistant.cli as assistant_cli
import assistant.index as index_module
from answer_checks import check_contract
from assistant import Assistant
from assistant.cli import run_jsonl
from conftest import CORPUS, free_port, start_chroma_server
from ingest import cli as ingest_cli
from ingest.embedding import file_sha256
from ingest.errors import ModelIntegrityError, StoreUnavailable
from ingest.pipeline import run_ingest
from ingest.settings import MODEL_SHA256, Settings
from ingest.store import IndexStore
from ui.cli import app as ops_app
from ui.events import ChatEvents
from ui.loader import AssistantSource

ARTICLE = "devops-vs-dataops-vs-mlops.md"
COINED = "Who coined the term DataOps?"
PROGRESS = re.compile(r"embedding:[^|]*\|[^|]*\|\s*(\d+)/(\d+)")


@pytest.fixture
def index_copy(corpus_index, user_dir) -> Settings:
    """A private copy of the session's built index in this test's data folder (which the
    environment names, so the commands use it too)."""
    shutil.copytree(corpus_index, user_dir)
    return Settings()


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the article's corpus folder; its chunks keep their ids (and vectors)."""
    return Path(shutil.copytree(CORPUS, tmp_path / "corpus"))


def builds(settings: Settings) -> list[str]:
    """Every build collection of the index (not the pointer, not the builds' sentence vectors)."""
    store = IndexStore(settings)
    return sorted(c.name for c in store.client.list_collections()
                  if store.build_name.fullmatch(c.name))


def active_build(settings: Settings) -> str:
    return IndexStore(settings).require_active().name


def cited_quotes(answer) -> list[str]:
    assert not answer.abstained and answer.citations, answer.answer
    return [citation.quote for citation in answer.citations]


def one_error_line(result) -> str:
    """The single `Error: ...` line a command printed instead of a traceback."""
    assert "Traceback" not in result.output and result.stdout.strip() == "", result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def status_json() -> dict:
    result = CliRunner().invoke(ingest_cli.app, ["status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def text_of(fragment: str) -> str:
    """What a person reads in an HTML fragment: no tags, white space folded."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ------------------------------------------------------------------ ingest killed mid-run


def generated_runbooks(folder: Path, count: int = 300) -> None:
    """`count` small Markdown runbooks of two chunks each: seconds of embedding."""
    folder.mkdir()
    for i in range(count):
        (folder / f"runbook-{i:03}.md").write_text(
            f"# Runbook {i}\n\nService {i} restarts its worker pool when queue depth passes "
            f"{i * 7} for five minutes.\n\n## Escalation\n\nThe on-call engineer for service {i} "
            f"pages the platform team after {i % 5 + 2} failed restarts.\n", encoding="utf-8")


def kill_while_embedding(corpus: Path) -> int:
    """Run `python -m ingest ingest corpus` on a terminal (so it shows its progress bar) and
    SIGKILL it once some but not all batches are embedded; returns the batches done."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # tqdm's width
    env = {**os.environ, "OPS_ASSISTANT_EMBED_BATCH_SIZE": "16"}
    process = subprocess.Popen([sys.executable, "-m", "ingest", "ingest", str(corpus)], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen, deadline = "", time.monotonic() + 180
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if select.select([leader], [], [], 0.5)[0]:
                try:
                    seen += os.read(leader, 4096).decode(errors="replace")
                except OSError:  # the terminal closed: ingest ended before it was caught
                    break
                done = [(int(n), int(total)) for n, total in PROGRESS.findall(seen)]
                if done and 0 < done[-1][0] < done[-1][1]:
                    process.send_signal(signal.SIGKILL)
                    assert process.wait(timeout=30) == -signal.SIGKILL
                    return done[-1][0]
        raise AssertionError(f"never caught ingest mid-embedding: {seen[-500:]!r}")
    finally:
        process.kill()
        process.wait(timeout=30)
        os.close(leader)


def test_ingest_killed_while_embedding_keeps_the_previous_index_and_the_next_run_completes(
        index_copy, corpus_copy):
    before = active_build(index_copy)
    generated_runbooks(corpus_copy / "runbooks")
    assert kill_while_embedding(corpus_copy) > 0

    assert builds(index_copy) == [before]
    assistant = Assistant.load(index_copy)
    assert assistant.index.collection_name == before
    answer = assistant.ask(COINED)
    check_contract(answer)
    assert any("Lenny Liebmann" in quote for quote in cited_quotes(answer))

    report = run_ingest([corpus_copy], index_copy, show_progress=False)
    assert report.chunks == report.unchanged + report.embedded
    assert report.embedded == 600 and report.unchanged > 50
    assert builds(index_copy) == [active_build(index_copy)] != [before]


# ------------------------------------------------------------------ Chroma server stops


class ChromaServer:
    """A `chroma run` server of the test's own, stopped and started again on the same port
    and folder, as an operator restarting it would."""

    def __init__(self, path: Path):
        self.path, self.port = path, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None
        self.start()

    def start(self) -> None:
        self.process = start_chroma_server(self.path, self.port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path, monkeypatch):
    chroma = ChromaServer(tmp_path / "chroma-server")
    monkeypatch.setenv("OPS_ASSISTANT_CHROMA_URL", chroma.url)
    yield chroma
    chroma.stop()


def test_chroma_server_stopped_during_a_chat_is_explained_and_answers_once_back(
        server, monkeypatch, tmp_path):
    settings = Settings()
    run_ingest([CORPUS], settings, show_progress=False)
    assistant = Assistant.load(settings)
    monkeypatch.setattr(assistant_cli, "load_assistant", lambda: assistant)
    events = ChatEvents(AssistantSource(settings, assistant), tmp_path / "exports", delay_s=0)
    check_contract(assistant.ask(COINED, session="chat"))

    server.stop()
    with pytest.raises(StoreUnavailable, match=f"cannot reach the Chroma server at {server.url}"):
        assistant.ask("What is DevOps?", session="chat")
    asked = CliRunner().invoke(ops_app, ["ask", "What is MLOps?"])
    assert asked.exit_code == 2
    unreachable = f"Error: cannot reach the Chroma server at {server.url}"
    assert one_error_line(asked).startswith(unreachable)
    chat = CliRunner().invoke(ops_app, ["chat"], input="What is DataOps?\n/quit\n")
    assert chat.exit_code == 0 and "Traceback" not in chat.output
    assert chat.stderr.count("\n") == 1
    assert chat.stderr.startswith(unreachable)
    out = io.StringIO()
    run_jsonl(assistant, ['{"question": "What is DevOps?"}\n'], out)
    assert json.loads(out.getvalue())["error"].startswith("line 1: cannot reach the Chroma server")
    failed = list(events.respond("What is DevOps?", [], "browser"))[-1]
    assert "Chroma server" in text_of(failed.problem) and server.url in text_of(failed.problem)
    with pytest.raises(gr.Error, match="How to fix: Start the server"):
        list(events.api_chat("What is DevOps?", "api"))

    server.start()
    again = assistant.ask("Who coined the term DataOps and when?", session="chat")
    check_contract(again)
    assert any("Lenny Liebmann" in quote for quote in cited_quotes(again))
    shown = list(events.respond("What is DevOps?", [], "browser"))[-1]
    assert shown.problem == "" and len(shown.turns) == 1 and shown.turns[0].citations
    assert CliRunner().invoke(ops_app, ["ask", "What is MLOps?"]).exit_code == 0


# ------------------------------------------------------------------ re-ingest, changed corpus


GLOSSARY = ("## Q0: Who keeps the Ops glossary?\n\nThe Ops glossary is kept by the Quillfeather "
            "guild, which reviews every definition each spring.\n\n")


@pytest.mark.parametrize("change", ["small, written in place", "large, a new build switched in"])
def test_an_open_assistant_answers_from_what_a_re_ingest_in_another_process_wrote(
        index_copy, corpus_copy, change, monkeypatch):
    assistant = Assistant.load(index_copy)
    opened, embedded = assistant.index.collection_name, dict(assistant.index._unit_vectors)
    assert not any("Quillfeather" in quote for quote in
                   [c.quote for c in assistant.ask("Who keeps the Ops glossary?").citations])

    edit(corpus_copy / ARTICLE, "## Q1:", GLOSSARY + "## Q1:")
    if change.startswith("large"):
        generated_runbooks(corpus_copy / "runbooks", count=60)
    subprocess.run([sys.executable, "-m", "ingest", "ingest", "--quiet", str(corpus_copy)],
                   env=os.environ, check=True, timeout=300)
    assert (opened in builds(index_copy)) == change.startswith("small")

    monkeypatch.setattr(index_module, "_embed_missing", refuse_to_embed)
    answer = assistant.ask("Who keeps the Ops glossary?")
    assert "Quillfeather guild" in cited_quotes(answer)[0]
    assert assistant.index.revision == IndexStore(index_copy).revision()
    kept = assistant.index._unit_vectors  # read back from the store, as the other process wrote
    assert all(np.array_equal(kept[i], vectors) for i, vectors in embedded.items())


def refuse_to_embed(vectors, texts, embeddings):
    assert not texts, f"opening the index embedded {len(texts)} sentences"


def test_a_changed_corpus_makes_status_stale_and_no_answer_quotes_the_old_text(
        index_copy, corpus_copy):
    run_ingest([corpus_copy], index_copy, show_progress=False)  # the index now reads the copy
    assistant = Assistant.load(index_copy)
    assert any("Lenny Liebmann" in quote for quote in cited_quotes(assistant.ask(COINED)))

    edit(corpus_copy / ARTICLE, "by Lenny Liebmann in a guest", "by Grace Okafor in a guest")
    stale = status_json()
    assert stale["stale"] is True and "corpus changed" in stale["reason"]

    report = run_ingest([corpus_copy], index_copy, show_progress=False)
    assert report.updated == 1 and report.embedded == 1
    assert status_json()["stale"] is False
    corpus = (corpus_copy / ARTICLE).read_text(encoding="utf-8")
    for question in (COINED, "Who coined the term DataOps and when?", "What is DataOps?"):
        quotes = cited_quotes(assistant.ask(question))
        assert all(quote in corpus for quote in quotes), quotes
        assert not any("Lenny Liebmann" in quote for quote in quotes)
    assert any("Grace Okafor" in quote for quote in cited_quotes(assistant.ask(COINED)))


# ------------------------------------------------------------------ deleted or corrupted index


def ui_problem(settings: Settings, tmp_path: Path) -> str:
    """The text of the page's problem banner, as the page load shows it (no browser needed:
    the banner is the HTML of this Screen)."""
    return text_of(ChatEvents(AssistantSource(settings), tmp_path / "exports").check().problem)


def test_a_deleted_index_is_explained_with_the_fix(index_copy, tmp_path):
    shutil.rmtree(index_copy.data_dir)
    reported = CliRunner().invoke(ingest_cli.app, ["status"])
    assert reported.exit_code == 0
    assert "stale: yes (no index yet: run `ops-assistant ingest`)" in reported.stdout
    asked = CliRunner().invoke(ops_app, ["ask", "What is DevOps?"])
    assert asked.exit_code == 1
    assert one_error_line(asked) == (f"Error: no index at {index_copy.chroma_dir}; "
                                     "run `ops-assistant ingest` first")
    banner = ui_problem(index_copy, tmp_path)
    assert "No index has been built yet (no index at" in banner
    assert "How to fix: Run ops-assistant ingest" in banner


def test_a_corrupted_index_is_explained_with_the_fix_and_the_fix_works(
        index_copy, small_corpus, tmp_path):
    (index_copy.chroma_dir / "chroma.sqlite3").write_bytes(b"not a database " * 4096)
    expected = (f"cannot read the index at {index_copy.chroma_dir} (error returned from database: "
                "(code: 26) file is not a database); delete that folder and run `ops-assistant "
                "ingest`")
    for app, args in ((ingest_cli.app, ["status"]), (ops_app, ["ask", "What is DevOps?"]),
                      (ops_app, ["ask", "--jsonl"])):
        result = CliRunner().invoke(app, args, input='{"question": "What is DevOps?"}\n')
        assert result.exit_code == 1 and one_error_line(result) == f"Error: {expected}"
    source = AssistantSource(index_copy)
    assert source.problem().what == f"The index cannot be read ({expected})."
    assert f"Delete {index_copy.chroma_dir}, run `ops-assistant ingest`" in source.problem().fix

    shutil.rmtree(index_copy.chroma_dir)  # the fix, in this same process (the UI's "Try again")
    run_ingest([small_corpus], index_copy, show_progress=False)
    assert source.problem() is None and ui_problem(index_copy, tmp_path) == ""


# ------------------------------------------------------------------ tampered model


def test_a_tampered_model_is_refused_by_the_assistant_naming_both_hashes(
        index_copy, tampered_model, tmp_path):
    named = f"sha256 is {file_sha256(tampered_model)}, expected {MODEL_SHA256}"
    index_copy = Settings()  # with the export's folder the fixture emptied: it must be made again
    with pytest.raises(ModelIntegrityError, match=named):
        Assistant.load(index_copy)
    asked = CliRunner().invoke(ops_app, ["ask", "What is DevOps?"])
    assert asked.exit_code == 1 and named in one_error_line(asked)
    banner = ui_problem(index_copy, tmp_path)
    assert named in banner and "How to fix: Reinstall with bash scripts/setup.sh" in banner

"""The page when things are wrong: no index, an unreachable Chroma server, and a corpus file full of
HTML and script. Real browser, real ingest, real Assistant."""

from __future__ import annotations

import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError

from conftest import free_port
from ingest.pipeline import run_ingest
from ingest.settings import Settings
from ui_support import ask, last_answer, new_context, open_page, serving

HOSTILE = """---
title: "Ops notes <script>alert('title')</script>"
url: "javascript:alert('url')"
---

# DevOps <img src=x onerror="alert('heading')">

DevOps is the engineering discipline that automates and shortens the software delivery cycle \
<script>alert('corpus')</script> with <b>bold</b> claims and <img src=x onerror="alert('img')"> \
images. Primary unit of work: code.

# DataOps

DataOps is the engineering discipline that automates and improves the reliability of data \
pipelines. Primary unit of work: data.
"""


@pytest.fixture
def page_for(browser):
    """Open the page of a UI served with `settings`; afterwards, no page may have run a dialog."""
    opened, dialogs = [], []

    def open_with(settings: Settings):
        served = serving(settings)
        served.__enter__()
        context = new_context(browser)
        opened.append((served, context))
        page = open_page(context, f"http://127.0.0.1:{settings.port}/")
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        return page

    yield open_with
    for served, context in opened:
        context.close()
        served.__exit__(None, None, None)
    assert dialogs == [], "script from the corpus or the question ran"


def test_unreachable_chroma_server_is_explained_not_a_traceback(page_for, closed_chroma_url):
    page = page_for(Settings(chroma_url=closed_chroma_url, port=free_port()))
    banner = page.locator("#problem .problem")
    banner.wait_for(timeout=30_000)
    assert "Chroma server" in banner.inner_text() and closed_chroma_url in banner.inner_text()
    assert "OPS_ASSISTANT_CHROMA_URL" in banner.inner_text()
    ask(page, "What is DevOps?")
    failed = page.locator("#chat .message-row .problem").last
    assert "How to fix:" in failed.inner_text() and "Traceback" not in page.content()
    assert page.locator("#question textarea").input_value() == "What is DevOps?"  # kept to resend
    api = Client(page.url, verbose=False, download_files=False)
    with pytest.raises(AppError, match="How to fix: Start the server"):
        api.predict("What is DevOps?", api_name="/chat")


def test_missing_index_then_fixed_and_corpus_html_is_shown_as_text(page_for, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", port=free_port())
    page = page_for(settings)
    banner = page.locator("#problem .problem")
    banner.wait_for(timeout=30_000)
    assert "No index" in banner.inner_text() and "ops-assistant ingest" in banner.inner_text()

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.md").write_text(HOSTILE, encoding="utf-8")
    run_ingest([corpus], settings, show_progress=False)
    page.click("#retry")
    banner.wait_for(state="detached", timeout=60_000)

    ask(page, "What is DevOps?")
    answer = last_answer(page)
    text = answer.locator(".text").inner_text()
    assert "<script>alert('corpus')</script> with <b>bold</b>" in text
    answer.locator("a.cite").first.click()
    assert "<img src=x onerror=" in answer.locator("details.source").first.inner_text()
    panel = page.locator("#sources").inner_text()
    assert "<script>alert('corpus')</script>" in panel and "<img src=x" in panel
    assert page.locator("#chat img, #sources img, #chat b, #sources b").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0  # the corpus URL is no link
    page.wait_for_timeout(300)  # a script that ran would have raised its dialog by now

"""The `/chat` endpoint through gradio_client, login, and what the page offers to ask: all on the
real Assistant over the built index."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from gradio_client import Client
from playwright.sync_api import sync_playwright

from assistant import Assistant
from assistant.suggest import BACKGROUNDS, EXAMPLES, POOL
from conftest import free_port
from ingest.settings import Settings
from ui_support import copy_index, launch_browser, new_context, serving


@pytest.fixture(scope="module")
def assistant(corpus_index, tmp_path_factory):
    data = copy_index(corpus_index, tmp_path_factory.mktemp("ui-api") / "data")
    return Assistant.load(Settings(data_dir=data))


@pytest.fixture(scope="module")
def url(assistant):
    settings = assistant.settings.model_copy(update={"port": free_port(), "auth": None})
    with serving(settings, assistant) as ui:
        assert (ui.blocks.server_name, ui.blocks.share) == ("127.0.0.1", False)
        yield f"http://127.0.0.1:{settings.port}/"


def client(url: str, **options) -> Client:
    return Client(url, verbose=False, download_files=False, **options)


def test_chat_returns_the_answer_with_its_sources(url):
    reply = client(url).predict("Who coined the term DataOps?", api_name="/chat")
    answer, _, sources = reply.partition("\n\nSources:\n")
    assert "Lenny Liebmann" in answer
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
    assert numbers and all(
        re.search(rf'^\[{n}\] .+: ".+" <https://kodekloud\.com/', sources, re.M) for n in numbers)


def test_chat_streams_growing_text_then_the_complete_answer(url):
    job = client(url).submit("How does testing differ between DevOps and MLOps?", api_name="/chat")
    updates = list(job)
    final = job.outputs()[-1]
    assert len(updates) >= 3
    assert all(final.startswith(update.rstrip()) for update in updates[:-1])
    assert len(updates[0]) < len(updates[-2]) and "Sources:" in final


def test_each_client_continues_its_own_conversation(url, assistant):
    first, second = client(url), client(url)
    first.predict("What is DataOps?", api_name="/chat")
    second.predict("When was DevOps born?", api_name="/chat")
    assert "Liebmann" in first.predict("Who coined the term?", api_name="/chat")
    second.predict("Who coined the term?", api_name="/chat")
    turns = {c: assistant.conversation(c.session_hash).turns for c in (first, second)}
    assert [t.question for t in turns[first]] == ["What is DataOps?", "Who coined the term?"]
    assert [t.question for t in turns[second]] == ["When was DevOps born?", "Who coined the term?"]
    assert "DevOps" in turns[second][-1].standalone
    assert "DataOps" not in turns[second][-1].standalone


def test_only_chat_is_offered_to_api_clients(url):
    endpoints = client(url).view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/chat"]


def test_login_is_required_when_auth_is_set(assistant):
    settings = assistant.settings.model_copy(update={"port": free_port(), "auth": "ada:s3cret:x"})
    base = f"http://127.0.0.1:{settings.port}/"
    with serving(settings, assistant):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + "config", timeout=10)
        assert refused.value.code == 401
        with pytest.raises(Exception):
            client(base)
        with pytest.raises(Exception):
            client(base, auth=("ada", "wrong"))
        reply = client(base, auth=("ada", "s3cret:x")).predict("What is MLOps?", api_name="/chat")
        assert "notebooks" in reply
        _login_in_browser(base)


def _login_in_browser(base: str) -> None:
    with sync_playwright() as playwright:
        browser = launch_browser(playwright)
        page = new_context(browser).new_page()
        page.goto(base, wait_until="domcontentloaded")
        page.wait_for_selector("input[type=password]", timeout=30_000)
        assert page.locator("#question").count() == 0
        page.get_by_label("username").fill("ada")
        page.get_by_label("password").fill("s3cret:x")
        page.get_by_role("button", name="Login").click()
        page.wait_for_selector("#question textarea", timeout=30_000)
        browser.close()


@pytest.mark.parametrize("question", sorted({c.question for c in POOL} | set(EXAMPLES)
                                            | set(BACKGROUNDS.values())))
def test_every_offered_question_gets_a_cited_answer(assistant, question):
    answer = assistant.ask(question, session=f"offer-{question}")
    assert not answer.abstained and answer.citations, answer.answer

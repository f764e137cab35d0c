"""The chat page at a laptop's size (1366x900) and a phone's (390x844), in a real browser: lists,
"Read as", the chat kept in step with the conversation, a reload, a question sent while an
answer is on its way. The real UI over the real Assistant on the built index."""

from __future__ import annotations

import threading

import pytest

from assistant import Assistant
from conftest import free_port
from ingest.settings import Settings
from ui_support import (PHONE, SIZES, ask, chat_box, copy_index, last_answer, new_context,
                        open_page, scroll_chat_to_top, serving, top_in_view, user_messages,
                        visible_follow_ups)

COMMON = "What do the three have in common?"


@pytest.fixture(scope="module")
def served(corpus_index, tmp_path_factory):
    data = copy_index(corpus_index, tmp_path_factory.mktemp("ui-sizes") / "data")
    settings = Settings(data_dir=data, port=free_port(), auth=None)
    assistant = Assistant.load(settings)
    with serving(settings, assistant):
        yield f"http://127.0.0.1:{settings.port}/", assistant


@pytest.fixture(params=list(SIZES))
def page(request, browser, served):
    """A fresh browser profile at each size, on the chat page."""
    context = new_context(browser, SIZES[request.param], accept_downloads=True)
    yield open_page(context, served[0])
    context.close()


def test_a_list_answer_shows_a_list(page):
    ask(page, COMMON)
    text = last_answer(page).locator(".text")
    items = text.locator("ul > li")
    assert items.count() >= 3
    assert items.last.locator("a.cite").count() == 1  # the list's one marker, on its last line, links
    assert not any(item.startswith("- ") for item in items.all_inner_texts())
    assert text.locator("p").count() >= 1 and "All three disciplines" in text.inner_text()
    assert items.first.bounding_box()["x"] > text.locator("p").first.bounding_box()["x"]


def test_read_as_shows_only_a_reworded_question(page):
    ask(page, "what is dataops")
    assert last_answer(page).locator("details.read-as").count() == 0
    ask(page, "Who coined the term?")
    read_as = last_answer(page).locator("details.read-as")
    read_as.locator("summary").click()
    assert "DataOps" in read_as.locator("span").inner_text()


def test_a_new_question_comes_into_view_when_the_chat_was_scrolled_up(page):
    ask(page, COMMON)
    ask(page, "How does testing differ between DevOps and MLOps?")
    scroll_chat_to_top(page)
    page.fill("#question textarea", "What is MLOps?")
    page.click("#send")
    question = page.locator("#chat .question").last
    page.wait_for_function("() => document.querySelectorAll('#chat .question').length == 3")
    page.wait_for_timeout(150)
    assert top_in_view(page, question)
    page.wait_for_function("() => document.querySelectorAll('#chat .answer.complete').length == 3",
                           timeout=30_000)
    page.wait_for_timeout(150)
    assert top_in_view(page, last_answer(page))


def test_a_marker_in_an_older_answer_opens_that_answers_own_source(page):
    ask(page, "Who coined the term DataOps?")
    ask(page, "How does testing differ between DevOps and MLOps?")
    panel_cards = page.locator("#sources .source-card")
    assert panel_cards.first.get_attribute("id") == "panel-src-1-1"  # the latest answer's
    older = page.locator("#chat .answer").first
    older.locator("a.cite").first.click()
    source = page.locator("#src-0-1")
    assert source.get_attribute("open") is not None
    assert "highlight" in source.get_attribute("class")
    assert top_in_view(page, source.locator("summary"))
    assert page.locator("#sources .source-card.highlight").count() == 0
    last_answer(page).locator("a.cite").first.click()
    assert page.locator("#sources .source-card.highlight").get_attribute("id") == "panel-src-1-1"
    assert "highlight" not in source.get_attribute("class")


def test_reload_keeps_the_conversation_and_its_context(page):
    ask(page, "What is DataOps?")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#chat .answer.complete", timeout=30_000)
    assert user_messages(page) == ["What is DataOps?"]
    assert "data pipelines" in last_answer(page).inner_text()
    assert page.locator("#sources .source-card").count() >= 1
    assert not page.locator("#welcome").is_visible() and visible_follow_ups(page)
    ask(page, "And who coined it?")
    assert "Lenny Liebmann" in last_answer(page).locator(".text").inner_text()
    page.click("#new-chat")
    page.wait_for_selector("#welcome button", state="visible")
    page.reload(wait_until="domcontentloaded")
    page.wait_for_selector("#welcome button", state="visible")
    page.wait_for_timeout(500)  # the load event has had its chance to bring anything back
    assert user_messages(page) == []


def test_a_question_sent_while_an_answer_is_on_its_way_is_asked_next(page, served, monkeypatch):
    assistant, release = served[1], threading.Event()
    slow_ask = assistant.ask

    def held_ask(question, session="default"):
        release.wait(timeout=20)
        return slow_ask(question, session=session)

    monkeypatch.setattr(assistant, "ask", held_ask)
    page.fill("#question textarea", "What is DataOps?")
    page.press("#question textarea", "Enter")
    send = page.locator("#send")
    page.wait_for_function("() => document.querySelector('#send').disabled")
    assert send.inner_text() == "Answering…"
    page.fill("#question textarea", "What is MLOps?")
    page.press("#question textarea", "Enter")
    assert "sent when this answer is complete" in page.locator("#queued-note").inner_text()
    assert page.locator("#question textarea").input_value() == "What is MLOps?"
    release.set()
    page.wait_for_function(
        """() => document.querySelectorAll('#chat .answer.complete').length == 2
                 && !document.querySelector('#send').disabled""", timeout=30_000)
    assert user_messages(page) == ["What is DataOps?", "What is MLOps?"]
    assert send.inner_text() == "Send" and page.locator("#queued-note").inner_text() == ""


def test_on_a_phone_the_box_shows_at_once_and_an_answer_from_its_top(browser, served):
    context = new_context(browser, PHONE)
    page = open_page(context, served[0])
    try:
        page.wait_for_selector("#welcome button", state="visible")
        assert page.evaluate("window.scrollY") == 0
        for element in ("#question textarea", "#send"):
            box = page.locator(element).bounding_box()
            assert 0 <= box["y"] and box["y"] + box["height"] <= PHONE["height"], element
        ask(page, "What is DataOps?")
        ask(page, COMMON)
        answer = last_answer(page)
        assert answer.bounding_box()["height"] > chat_box(page)["height"]  # taller than the frame
        assert top_in_view(page, answer)
    finally:
        context.close()

"""The chat page in a real browser: the UI serving the real Assistant on the built index, driven
by Playwright through Debian's chromium."""

from __future__ import annotations

import json
import time

import pytest

from assistant import Assistant
from conftest import CORPUS, free_port
from ingest.settings import Settings
from ui_support import (answered, ask, copy_index, last_answer, new_context,
                        open_page, serving, user_messages, visible_follow_ups)

ARTICLE = (CORPUS / "devops-vs-dataops-vs-mlops.md").read_text(encoding="utf-8")


def _flat(text: str) -> str:
    return " ".join(text.split())


def _log_lines(log, count: int) -> list[dict]:
    """The feedback log's entries once it holds `count` of them (ratings are sent async)."""
    deadline = time.monotonic() + 30  # a loaded machine queues the rating events
    while time.monotonic() < deadline:
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        if len(lines) >= count:
            return [json.loads(line) for line in lines]
        time.sleep(0.1)
    raise AssertionError(f"the feedback log did not reach {count} entries")


@pytest.fixture(scope="module")
def served(corpus_index, tmp_path_factory):
    """The UI on a free loopback port over the real Assistant and a private copy of the index."""
    data = copy_index(corpus_index, tmp_path_factory.mktemp("ui-browser") / "data")
    settings = Settings(data_dir=data, port=free_port(), auth=None)
    with serving(settings, Assistant.load(settings)) as ui:
        yield f"http://127.0.0.1:{settings.port}/", data, ui


@pytest.fixture
def page(browser, served):
    """The chat page in a fresh browser profile: the browser keeps a conversation, so a page in
    a used profile would show the previous test's."""
    context = new_context(browser, accept_downloads=True)
    yield open_page(context, served[0])
    context.close()


def test_page_loads_with_welcome_and_nothing_from_the_internet(browser, served):
    context, elsewhere = new_context(browser), []
    context.on("request", lambda request: None if request.url.startswith(served[0])
               else elsewhere.append(request.url))
    page = open_page(context, served[0])
    assert page.title() == "Ops assistant"
    assert "Ask about DevOps, DataOps and MLOps" in page.locator("#chat").inner_text()
    welcome = page.locator("#welcome")
    assert "Which Ops should I learn first?" in welcome.inner_text()
    assert page.locator("#backgrounds button").all_inner_texts() == [
        "Software engineer", "Data engineer", "Data scientist", "Coming in fresh"]
    assert page.locator("#welcome button").count() >= 6
    assert not page.locator("#problem .problem").count()
    assert "appear here" in page.locator("#sources").inner_text()
    context.close()
    assert elsewhere == []


def test_question_streams_in_and_is_answered_with_citations(page):
    page.evaluate("""() => { window.lengths = [];
      new MutationObserver(() => {
        const text = [...document.querySelectorAll('#chat .answer .text')].pop();
        if (text) window.lengths.push(text.textContent.length);
      }).observe(document.querySelector('#chat'),
                 {subtree: true, childList: true, characterData: true}); }""")
    ask(page, "Who coined the term DataOps?")
    answer = last_answer(page)
    assert "Lenny Liebmann" in answer.locator(".text").inner_text()
    assert answer.locator("a.cite").first.inner_text() == "[1]"
    lengths = page.evaluate("window.lengths")
    assert len(set(lengths)) >= 3 and lengths[0] < lengths[-1]  # it grew in steps: streamed
    card = page.locator("#sources .source-card").first
    assert "The 30-Second Definitions" in card.locator(".section").inner_text()
    assert "Lenny Liebmann" in card.locator(".quote").inner_text()
    assert "Open in the article" in card.locator(".meta").inner_text()
    assert "Who coined the term DataOps?" in page.locator("#sources .panel-for").inner_text()


def test_clicking_a_marker_opens_its_source_with_quote_and_article_link(page):
    ask(page, "How does testing differ between DevOps and MLOps?")
    answer = last_answer(page)
    source = answer.locator("details.source").first
    quote = source.locator("blockquote")
    assert not quote.is_visible()
    tabs = len(page.context.pages)
    answer.locator("a.cite").first.click()
    assert source.get_attribute("open") is not None and quote.is_visible()
    assert source.locator("summary").inner_text().startswith("[1]")
    assert _flat(quote.inner_text()) in _flat(ARTICLE)  # verbatim corpus text
    link = source.locator("a.article-link").get_attribute("href")
    assert link.startswith("https://kodekloud.com/blog/mlops-vs-devops-vs-dataops/#:~:text=")
    assert len(page.context.pages) == tabs and page.url.startswith("http://127.0.0.1")  # stayed


def test_a_suggested_follow_up_is_asked_by_a_click(page):
    ask(page, "What is DataOps?")
    offers = visible_follow_ups(page)
    assert 2 <= len(offers) <= 3 and "What is DataOps?" not in offers
    answered(page, lambda: page.locator("#follow-ups button", has_text=offers[0]).click())
    assert user_messages(page)[-1] == offers[0]
    assert last_answer(page).locator("a.cite").count() >= 1
    assert offers[0] not in visible_follow_ups(page)


@pytest.mark.parametrize("label, expected", [("Software engineer", "DevOps"),
                                             ("Data scientist", "MLOps")])
def test_recommender_quick_replies(page, label, expected):
    answered(page, lambda: page.locator("#backgrounds button", has_text=label).click())
    assert user_messages(page)[-1].startswith(f"I'm a {label.lower()}.")
    answer = last_answer(page)
    assert expected in answer.locator(".text").inner_text()
    assert answer.locator("a.cite").count() >= 1
    assert not page.locator("#welcome").is_visible()


def test_abstention_looks_different_and_offers_its_questions(page):
    ask(page, "What is the capital of France?")
    answer = last_answer(page)
    assert "abstained" in answer.get_attribute("class")
    assert answer.locator(".badge").inner_text() == "Not covered by the article"
    assert answer.locator("a.cite").count() == 0
    assert "No sources" in page.locator("#sources").inner_text()
    offers = visible_follow_ups(page)
    assert len(offers) >= 2
    assert "You could ask" not in answer.inner_text()  # offered once: as buttons
    assert not any(offer in answer.inner_text() for offer in offers)
    answered(page, lambda: page.locator("#follow-ups button", has_text=offers[0]).click())
    assert "abstained" not in last_answer(page).get_attribute("class")


def test_two_browser_contexts_never_see_each_other_and_follow_ups_are_rewritten(browser, served):
    alice = open_page(new_context(browser), served[0])
    bob = open_page(new_context(browser), served[0])
    try:
        ask(alice, "What is DataOps?")
        ask(bob, "When was DevOps born?")
        ask(alice, "Who coined the term?")
        assert user_messages(bob) == ["When was DevOps born?"]
        assert user_messages(alice) == ["What is DataOps?", "Who coined the term?"]
        assert "Lenny Liebmann" in last_answer(alice).inner_text()
        read_as = last_answer(alice).locator("details.read-as")  # the standalone query, on demand
        assert not read_as.locator("span").is_visible()
        read_as.locator("summary").click()
        assert "DataOps" in read_as.locator("span").inner_text()
        assert "DevOps" not in read_as.locator("span").inner_text()
    finally:
        alice.context.close()
        bob.context.close()


def test_html_and_script_in_a_question_are_shown_as_text(page):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    payload = ('<script>alert("s")</script><img src=x onerror="alert(\'i\')"><b>bold</b> '
               "What is DevOps?")
    ask(page, payload)
    assert user_messages(page)[-1] == payload
    assert page.locator("#chat img, #chat .question b, #chat .question script").count() == 0
    last_answer(page).locator("details.read-as summary").click()
    read_as = last_answer(page).locator("details.read-as").inner_text()
    assert read_as.endswith('alert("s") bold What is DevOps?')  # queries are read without markup
    assert last_answer(page).locator(".text").inner_text()  # answered (or declined) as usual
    page.wait_for_timeout(300)
    assert dialogs == []


def test_export_and_feedback_write_what_they_should(page, served):
    ask(page, "Who coined the term DataOps?")
    ask(page, "What is the capital of France?")
    page.locator("#chat button[aria-label='Like']").first.click()
    page.get_by_text("Thanks, your rating was saved.").first.wait_for(timeout=10_000)
    log = served[1] / "feedback.jsonl"
    entry = _log_lines(log, 1)[-1]
    assert (entry["rating"], entry["question"]) == ("up", "Who coined the term DataOps?")
    assert "Lenny Liebmann" in entry["answer"] and entry["citations"][0]["n"] == 1
    assert _flat(entry["citations"][0]["quote"]) in _flat(ARTICLE)
    liked = page.locator("#chat button[aria-label='Liked']").first
    liked.wait_for(timeout=10_000)  # the re-rendered button, before it is clicked again
    liked.click()
    _log_lines(log, 2)  # one rating at a time: a click while the chat re-renders can be lost
    page.locator("#chat button[aria-label='Dislike']").last.click()
    latest = _log_lines(log, 3)[-2:]
    assert [(e["rating"], e["question"]) for e in latest] == [
        ("withdrawn", "Who coined the term DataOps?"), ("down", "What is the capital of France?")]
    assert latest[1]["abstained"] and latest[1]["citations"] == []
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.endswith(".md")
    exported = open(download.value.path(), encoding="utf-8").read()
    assert "## 1. Who coined the term DataOps?" in exported
    assert "## 2. What is the capital of France?" in exported
    assert "Lenny Liebmann" in exported and "Sources:" in exported
    assert "https://kodekloud.com/blog/mlops-vs-devops-vs-dataops/" in exported


def test_new_chat_clears_the_page_and_the_conversation(page):
    ask(page, "What is DataOps?")
    page.click("#new-chat")
    page.wait_for_selector("#welcome button", state="visible")
    assert user_messages(page) == []
    assert "appear here" in page.locator("#sources").inner_text()
    ask(page, "When was DevOps born?")
    read_as = last_answer(page).locator("details.read-as span")  # only when it was reworded
    assert read_as.count() == 0 or "DataOps" not in read_as.text_content()


def test_overlong_input_is_cut_with_a_notice(page):
    question = "What is MLOps? " + "x" * 2_500
    ask(page, question)
    notice = page.locator("#chat .question .notice").last.inner_text()
    assert "cut to its first 2,000 characters" in notice
    assert "2,000" in last_answer(page).inner_text()


def test_closing_the_tab_forgets_its_conversation_and_export(browser, served):
    page = open_page(new_context(browser), served[0])
    ask(page, "What is MLOps?")
    exports = served[2].events.export_dir
    mine = max(exports.rglob("*.md"), key=lambda path: path.stat().st_mtime)
    page.close(run_before_unload=True)
    deadline = time.monotonic() + 30  # a loaded machine queues the rating events
    while mine.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    page.context.close()
    assert not mine.exists()

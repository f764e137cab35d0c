"""Helpers for the UI tests: serving the app, driving Debian's chromium, waiting for answers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

from assistant import Assistant
from ingest.settings import Settings
from ui.app import AssistantUI

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 30_000
ANSWERS = "#chat .message-row .answer:not(.pending), #chat .message-row .problem"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SIZES = {"desktop": DESKTOP, "phone": PHONE}


@contextmanager
def serving(settings: Settings, assistant: Assistant | None = None) -> Iterator[AssistantUI]:
    """The chat UI served in this process on `settings.port`, as `ops-assistant ui` serves it."""
    ui = AssistantUI(assistant, settings)
    ui.launch(prevent_thread_lock=True, quiet=True)
    try:
        yield ui
    finally:
        ui.close()


def launch_browser(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def copy_index(corpus_index: Path, target: Path) -> Path:
    """A private copy of the session's built index, so feedback logs land in the copy."""
    shutil.copytree(corpus_index, target)
    return target


def new_context(browser: Browser, viewport: dict = DESKTOP, **options) -> BrowserContext:
    """A fresh browser profile (its own localStorage, so no kept conversation)."""
    return browser.new_context(viewport=viewport, **options)


def open_page(context: BrowserContext, url: str) -> Page:
    """A new tab on the chat page (each page load is its own Gradio session), once it is ready."""
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#question textarea", timeout=60_000)
    return page


def _wait_for_turn(page: Page, count: int) -> None:
    """Until `count` turns are finished: answered (sources and offers shown) or failed."""
    page.wait_for_function(
        """([selector, n]) => document.querySelectorAll(selector).length >= n
           && !document.querySelector('#chat .pending')
           && ([...document.querySelectorAll('#follow-ups button')].some(b => b.offsetParent)
               || document.querySelector('#chat .message-row .problem'))""",
        arg=[ANSWERS, count], timeout=TIMEOUT_MS)


def answered(page: Page, action) -> None:
    """Run `action` (which asks something) and wait until its answer is complete."""
    count = page.locator(ANSWERS).count() + 1
    action()
    _wait_for_turn(page, count)


def ask(page: Page, question: str) -> None:
    def send():
        page.fill("#question textarea", question)
        page.click("#send")

    answered(page, send)


def last_answer(page: Page):
    return page.locator("#chat .message-row .answer").last


def user_messages(page: Page) -> list[str]:
    return page.locator("#chat .message-row .question").all_inner_texts()


def visible_follow_ups(page: Page) -> list[str]:
    return [b.inner_text() for b in page.locator("#follow-ups button").all() if b.is_visible()]


def chat_box(page: Page) -> dict:
    """The chat's scrolling frame, as a bounding box."""
    return page.locator("#chat .bubble-wrap").bounding_box()


def top_in_view(page: Page, locator) -> bool:
    """True when the element's top edge is inside the chat's frame and the window."""
    top, frame = locator.bounding_box()["y"], chat_box(page)
    return frame["y"] - 1 <= top <= frame["y"] + frame["height"] - 20 and 0 <= top < (
        page.viewport_size["height"] - 20)


def scroll_chat_to_top(page: Page) -> None:
    page.locator("#chat .bubble-wrap").evaluate("box => { box.scrollTop = 0; }")


def settled(page: Page) -> None:
    """Until the page's finite CSS transitions and animations have ended (a fading-in message or
    a focus ring mid-transition has colours between its start and end)."""
    page.evaluate("""() => Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")

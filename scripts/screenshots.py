"""Regenerate the README's screenshots of the chat UI into docs/ (PNG).

    .venv/bin/python scripts/screenshots.py [--out docs]

Serves the real UI on a free loopback port over the index in OPS_ASSISTANT_DATA_DIR (default
.data/, built by `ops-assistant ingest`) and drives Debian's chromium through Playwright.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from ingest.settings import CHECKOUT_DIR, Settings  # noqa: E402
from ui.serve import serve_in_background  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
ANSWERS = "#chat .message-row .answer:not(.pending)"


def answered(page: Page, action) -> None:
    """Run `action` (which asks something) and wait until its answer is complete."""
    done = page.locator(ANSWERS).count() + 1
    action()
    page.wait_for_function(
        """n => document.querySelectorAll('#chat .message-row .answer:not(.pending)').length >= n
           && [...document.querySelectorAll('#follow-ups button')].some(b => b.offsetParent)""",
        arg=done, timeout=30_000)


def ask(page: Page, question: str) -> None:
    page.fill("#question textarea", question)
    answered(page, lambda: page.click("#send"))


def shoot(page: Page, out: Path, name: str) -> None:
    page.wait_for_timeout(400)  # let the last streamed update and scrolling settle
    page.screenshot(path=str(out / name), full_page=False)
    print(f"wrote {out / name}")


def open_chat(browser, url: str, viewport: dict) -> Page:
    page = browser.new_page(viewport=viewport)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("#welcome button", timeout=60_000)
    return page


def capture(url: str, out: Path) -> None:
    """The main screens: welcome, a cited answer with a source open, recommender, abstention,
    and a list answer on a phone."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_chat(browser, url, VIEWPORT)
        shoot(page, out, "ui-welcome.png")
        ask(page, "How does testing differ between DevOps and MLOps?")
        page.locator("#chat .message-row .answer a.cite").first.click()
        shoot(page, out, "ui-answer.png")
        page.click("#new-chat")
        page.wait_for_selector("#backgrounds button", timeout=30_000)
        answered(page, page.locator("#backgrounds button", has_text="Data scientist").click)
        shoot(page, out, "ui-recommender.png")
        ask(page, "What is the capital of France?")
        shoot(page, out, "ui-abstention.png")
        phone = open_chat(browser, url, PHONE)
        ask(phone, "What do the three have in common?")
        shoot(phone, out, "ui-phone.png")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=CHECKOUT_DIR / "docs")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    ui, url = serve_in_background(Settings())
    try:
        capture(url, out)
    finally:
        ui.close()


if __name__ == "__main__":
    main()

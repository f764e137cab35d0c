"""Accessibility of the chat page at a laptop's size and a phone's, in a real browser: an axe-core
audit (through axe-playwright-python) with no serious or critical violation on the welcome page
and after answers, a visible focus ring, a named question box, and text contrast."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from assistant import Assistant
from conftest import free_port
from ingest.settings import Settings
from ui_support import (SIZES, ask, copy_index, last_answer, new_context, open_page, serving,
                        settled)

AXE = Axe()
TEXT_CONTRAST, FOCUS_CONTRAST = 4.5, 3.0
# The colour of an element (or of its ::placeholder) and of the first opaque background behind it.
COLOURS = """([element, pseudo]) => {
  const colour = getComputedStyle(element, pseudo).color;
  let node = element, background = "rgb(255, 255, 255)";
  while (node) {
    const fill = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(fill) && fill !== "transparent") { background = fill; break; }
    node = node.parentElement;
  }
  return [colour, background];
}"""
RING = """element => { const style = getComputedStyle(element);
  return [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor]; }"""


@pytest.fixture(scope="module")
def url(corpus_index, tmp_path_factory):
    data = copy_index(corpus_index, tmp_path_factory.mktemp("ui-access") / "data")
    settings = Settings(data_dir=data, port=free_port(), auth=None)
    with serving(settings, Assistant.load(settings)):
        yield f"http://127.0.0.1:{settings.port}/"


@pytest.fixture(params=list(SIZES))
def page(request, browser, url):
    context = new_context(browser, SIZES[request.param])
    page = open_page(context, url)
    page.wait_for_selector("#welcome button", state="visible")
    yield page
    context.close()


def _luminance(colour: str) -> float:
    red, green, blue = (int(v) / 255 for v in re.findall(r"[\d.]+", colour)[:3])
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in (red, green, blue)]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def serious_violations(page) -> list[tuple]:
    settled(page)
    results = AXE.run(page).response
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:5])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def test_no_serious_or_critical_accessibility_violations(page):
    assert serious_violations(page) == []
    ask(page, "What do the three have in common?")  # a list, markers, sources, offers
    last_answer(page).locator("a.cite").first.click()
    last_answer(page).locator("details.source summary").first.wait_for()
    assert serious_violations(page) == []
    ask(page, "What is DataOps?")
    ask(page, "Who coined the term?")
    last_answer(page).locator("details.read-as summary").click()
    ask(page, "What is the capital of France?")  # declined: its badge and amber edge
    assert serious_violations(page) == []


def test_the_question_box_has_a_descriptive_name(page):
    box = page.get_by_role("textbox", name="Your question about DevOps, DataOps or MLOps",
                           exact=True)
    assert box.count() == 1 and box.evaluate("e => e.closest('#question') !== null")


def _ring_contrast(page, selector: str) -> float:
    element = page.locator(selector)
    settled(page)
    assert element.evaluate("e => e === document.activeElement"), selector
    style, width, colour = element.evaluate(RING)
    assert style != "none" and width >= 2, (selector, style, width)
    _, background = element.evaluate(f"e => ({COLOURS})([e.parentElement, null])")
    return contrast(colour, background)


def test_keyboard_focus_is_visible_on_the_box_and_buttons(page):
    page.locator("#question textarea").focus()
    assert _ring_contrast(page, "#question textarea") >= FOCUS_CONTRAST
    page.keyboard.press("Tab")
    assert _ring_contrast(page, "#send") >= FOCUS_CONTRAST
    page.locator("#question textarea").focus()
    page.keyboard.press("Shift+Tab")  # back to the last quick reply of the welcome
    assert _ring_contrast(page, "#backgrounds button:focus") >= FOCUS_CONTRAST


@pytest.mark.parametrize("selector, pseudo", [
    ("#title p", None), ("#question textarea", "::placeholder"), ("#sources .panel-empty", None),
    ("#welcome .hint p", None), ("footer a, footer button", None), ("#send", None),
    ("#new-chat", None)])
def test_secondary_text_has_enough_contrast(page, selector, pseudo):
    element = page.locator(selector).first
    settled(page)
    colour, background = element.evaluate(f"e => ({COLOURS})([e, {pseudo!r}])".replace(
        "None", "null"))
    assert contrast(colour, background) >= TEXT_CONTRAST, (selector, colour, background)

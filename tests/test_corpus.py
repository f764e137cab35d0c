"""The corpus file is the article, word for word, with its structure restored and gaps marked."""

from __future__ import annotations

import re

import pytest

from ingest.chunking import EDITORIAL, PATH_SEPARATOR, parse_sections
from ingest.markdown import front_matter
from ingest.settings import CHECKOUT_DIR

ARTICLE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
# In CI the shared folder lies beside the clone, as it does beside /work/main here.
SOURCE = CHECKOUT_DIR.parent / "shared" / "corpus" / "000_ab14e2b5f177c328.txt"
# The two lines where a call-to-action ran into the next heading, split as the issue allows.
DOCUMENTED_SPLITS = {
    "Join the Challenge →The 30-Second Definitions": ["Join the Challenge →", "The 30-Second Definitions"],
    "Start the Challenge →FAQ": ["Start the Challenge →", "FAQ"],
}
# The issue asks for a "Sources" heading; the source has only the line "Sources: Glassdoor ...".
ADDED_HEADINGS = ["# Sources"]
DIFFERENCES = "The Four Differences That Actually Matter"
REQUIRED_HEADINGS = [
    "Highlights",
    "The 30-Second Definitions",
    "Why DataOps and MLOps Even Exist (if DevOps Already Worked)",
    "The Master Comparison",
    DIFFERENCES,
    f"{DIFFERENCES} > 1. The artifact problem",
    f"{DIFFERENCES} > 2. Testing isn't the same thing",
    f"{DIFFERENCES} > 3. Versioning gets harder with each layer",
    f"{DIFFERENCES} > 4. Monitoring has fundamentally different signals",
    "Where the Three Overlap",
    "Tool Ecosystems Compared",
    "A Concrete Workflow Comparison",
    "Career and Salary Comparison (2026)",
    'Which "Ops" Should You Learn First?',
    "FAQ",
    "FAQ > Q1: Is MLOps just DevOps for machine learning?",
    "FAQ > Q2: Can one person do DevOps, DataOps, and MLOps?",
    "FAQ > Q3: Is DataOps dying, or is it being absorbed?",
    "FAQ > Q4: Which role has the best long-term career outlook?",
    "Sources",
]


def article() -> tuple[str, dict]:
    """The article's body (after the front matter's closing `---`) and its front matter."""
    text = ARTICLE.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1].lstrip("\n"), front_matter(text)


def article_lines() -> list[str]:
    """The corpus body's lines as words: no blank lines, editorial notes or `#` markers."""
    body, _ = article()
    lines = [line for line in body.splitlines() if line.strip() and line not in ADDED_HEADINGS]
    lines = [re.sub(r"^#{1,6} ", "", line) for line in lines]
    return [line for line in lines if not line.startswith(EDITORIAL)]


def source_lines() -> list[str]:
    """The shared source text's non-empty lines after the documented splits and omission."""
    if not SOURCE.is_file():
        pytest.skip(f"the article's source text is not at {SOURCE} (shared/ is not beside the checkout)")
    lines = [line for line in SOURCE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert lines[-1] == "Discussion", "the page's trailing comment label is the documented omission"
    return [part for line in lines[:-1] for part in DOCUMENTED_SPLITS.get(line, [line])]


def test_every_source_line_is_in_the_corpus_verbatim_and_in_order():
    expected = source_lines()
    assert set(DOCUMENTED_SPLITS) <= set(SOURCE.read_text(encoding="utf-8").splitlines())
    assert article_lines() == expected


def test_corpus_adds_no_words_beyond_the_source_but_editorial_notes():
    words = set(" ".join(source_lines()).split())
    extra = {word for line in article_lines() for word in line.split()} - words
    assert extra == set()


def test_front_matter_names_title_publisher_and_url():
    _, meta = article()
    assert meta["title"] == "DevOps vs DataOps vs MLOps"
    assert meta["publisher"] == "KodeKloud"
    assert meta["url"] == "https://kodekloud.com/blog/mlops-vs-devops-vs-dataops/"


def test_required_headings_exist_with_their_nesting():
    body, _ = article()
    paths = [PATH_SEPARATOR.join(section.path) for section in parse_sections(body) if section.path]
    missing = [heading for heading in REQUIRED_HEADINGS if heading not in paths]
    assert missing == []
    assert [p for p in paths if p.startswith("FAQ > ")] == REQUIRED_HEADINGS[-5:-1]


@pytest.mark.parametrize(("heading", "bullets"), [
    ("Highlights", 8),
    (f"{DIFFERENCES} > 3. Versioning gets harder with each layer", 3),
    ("Where the Three Overlap", 4),
    ("Career and Salary Comparison (2026)", 3),
    ('Which "Ops" Should You Learn First?', 4),
])
def test_bullets_are_markdown_lists(heading, bullets):
    body, _ = article()
    section = next(s for s in parse_sections(body) if PATH_SEPARATOR.join(s.path) == heading)
    items = [line for block in section.blocks for line in block.splitlines() if line.startswith("- ")]
    assert len(items) == bullets


@pytest.mark.parametrize(("heading", "absent"), [
    ("The Master Comparison", "comparison table"),
    ("Tool Ecosystems Compared", "table of the tools"),
    ("A Concrete Workflow Comparison", "DevOps pipeline as a diagram"),
    ("A Concrete Workflow Comparison", "DataOps pipeline as a diagram"),
    ("A Concrete Workflow Comparison", "MLOps pipeline as a diagram"),
    ("Career and Salary Comparison (2026)", "salary and demand table"),
])
def test_absent_tables_and_diagrams_have_an_editorial_note(heading, absent):
    body, _ = article()
    section = next(s for s in parse_sections(body) if PATH_SEPARATOR.join(s.path) == heading)
    notes = [block for block in section.blocks if block.startswith(EDITORIAL)]
    assert any(absent in note and "not part of this text" in note for note in notes)


def test_editorial_notes_invent_no_figures():
    body, _ = article()
    notes = [line for line in body.splitlines() if line.startswith(EDITORIAL)]
    assert len(notes) == 7
    assert not [note for note in notes if re.search(r"[$%]|\d{2,}", note)]

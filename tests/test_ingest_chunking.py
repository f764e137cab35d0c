"""Chunking: small, citable chunks that keep their heading path and stable ids."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings as hypothesis_settings, strategies as st

from ingest.checks import drop_repeats, heading_notes, unusable
from ingest.chunking import EDITORIAL, Chunker, embedding_text
from ingest.loaders import SourceFile, load_files
from ingest.markdown import parse_sections
from ingest.settings import CHECKOUT_DIR, Settings
from ingest.store import IndexStore
from ingest.units import units

ARTICLE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
METADATA_KEYS = {"chunk_id", "source", "title", "url", "section", "position", "order", "hash", "kind",
                 "gap", "line"}
FAQ_QUESTIONS = [
    "Q1: Is MLOps just DevOps for machine learning?",
    "Q2: Can one person do DevOps, DataOps, and MLOps?",
    "Q3: Is DataOps dying, or is it being absorbed?",
    "Q4: Which role has the best long-term career outlook?",
]


def corpus_chunks(max_chars: int = 600):
    files, problems = load_files([CHECKOUT_DIR / "corpus"], Settings().max_file_bytes)
    assert problems == []
    return Chunker(max_chars).chunk(files[0])


def source_file(markdown: str, source: str = "notes/test.md") -> SourceFile:
    return SourceFile(source=source, path=Path(source), markdown=markdown, title="Test",
                      url="", sha256=hashlib.sha256(markdown.encode()).hexdigest())


def article_body() -> str:
    """The article without its front matter (the text between the first two `---` lines)."""
    return ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[1].lstrip("\n")


def body_blocks() -> list[str]:
    """The article body's blank-line blocks that are text, not headings."""
    body = article_body()
    return [b.strip() for b in body.split("\n\n") if b.strip() and not b.startswith("#")]


def test_heading_paths_nest_under_their_parent():
    sections = {chunk.metadata["section"] for chunk in corpus_chunks()}
    assert "The Four Differences That Actually Matter > 2. Testing isn't the same thing" in sections
    assert {f"FAQ > {q}" for q in FAQ_QUESTIONS} <= sections
    assert "Highlights" in sections


def test_every_bullet_stays_whole_in_one_list_chunk():
    chunks = corpus_chunks()
    bullets = [line for block in body_blocks() for line in block.splitlines() if line.startswith("- ")]
    assert len(bullets) == 22
    for bullet in bullets:
        holders = [c for c in chunks if bullet in c.page_content.splitlines()]
        assert len(holders) == 1 and holders[0].metadata["kind"] == "list", bullet


def test_faq_question_and_its_answer_stay_together():
    chunks = {c.metadata["section"]: c for c in corpus_chunks()}
    body = article_body()
    for question in FAQ_QUESTIONS:
        answer = body.split(f"## {question}\n\n", 1)[1].split("\n\n", 1)[0]
        chunk = chunks[f"FAQ > {question}"]
        assert chunk.page_content == answer
        assert question in embedding_text(chunk) and answer in embedding_text(chunk)


def test_short_paragraphs_are_one_chunk_each():
    """A short paragraph is a chunk of its own, but for one ending in ':' that opens a list: it is
    the chunk's first block, the list after it."""
    texts = [chunk.page_content for chunk in corpus_chunks()]
    short = [block for block in body_blocks() if len(block) <= 600]
    assert len(short) > 40
    joined = [block for block in short if block not in texts]
    assert joined
    for block in joined:
        chunk = next(t for t in texts if block in t)
        assert re.fullmatch(r"[^\n]+:\n\n- .+", chunk, flags=re.S), chunk


def test_a_list_intro_stays_with_its_list_and_gaps_give_back_the_text():
    text = ("# Shared\n\nSome context first.\n\nAll three disciplines:\n\n- Use CI/CD.\n"
            "- Rely on containers.\n\nA closing remark.\n")
    chunks = Chunker().chunk(source_file(text))
    assert [c.page_content for c in chunks] == [
        "Some context first.", "All three disciplines:\n\n- Use CI/CD.\n- Rely on containers.",
        "A closing remark."]
    assert [c.metadata["kind"] for c in chunks] == ["text", "list", "text"]
    assert [c.metadata["gap"] for c in chunks] == ["", "\n\n", "\n\n"]
    body = "".join(c.metadata["gap"] + c.page_content for c in chunks)
    assert body in text


def test_the_gaps_give_back_each_section_of_the_article_verbatim():
    corpus = ARTICLE.read_text(encoding="utf-8")
    by_section: dict[str, str] = {}
    for chunk in corpus_chunks():
        section = chunk.metadata["section"]
        by_section[section] = by_section.get(section, "") + chunk.metadata["gap"] + chunk.page_content
    assert all(text in corpus for text in by_section.values())


def test_long_paragraph_splits_between_sentences_under_the_limit():
    sentences = [f"Sentence {i} explains one step of the rollout in plain words." for i in range(40)]
    paragraph = " ".join(sentences)
    chunks = Chunker(200).chunk(source_file(f"# Rollout\n\n{paragraph}\n"))
    assert len(chunks) > 1
    for chunk in chunks:
        assert len(chunk.page_content) <= 200
        assert re.fullmatch(r"(Sentence \d+ [^.]+\. ?)+", chunk.page_content + " ")
    assert " ".join(c.page_content for c in chunks) == paragraph


@hypothesis_settings(max_examples=60, deadline=None, database=None)
@given(
    words=st.lists(st.lists(st.sampled_from("data model drift ship test the a of code".split()),
                            min_size=1, max_size=12), min_size=1, max_size=40),
    max_chars=st.integers(min_value=90, max_value=600),
)
def test_any_paragraph_of_short_sentences_splits_only_at_sentence_ends(words, max_chars):
    sentences = [" ".join(sentence).capitalize() + "." for sentence in words]
    paragraph = " ".join(sentences)
    pieces = Chunker(max_chars).pieces(paragraph)
    assert " ".join(pieces) == paragraph
    assert all(len(piece) <= max_chars and piece.endswith(".") for piece in pieces)


def test_long_list_splits_into_whole_bullets():
    bullets = [f"- Bullet {i} keeps its whole sentence together, however the list is cut." for i in range(12)]
    chunks = Chunker(300).chunk(source_file("# Steps\n\n" + "\n".join(bullets) + "\n"))
    assert [c.page_content for c in chunks] == bullets


def test_metadata_keys_and_values():
    chunks = corpus_chunks()
    assert [c.metadata["order"] for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        meta = chunk.metadata
        assert set(meta) == METADATA_KEYS
        assert meta["chunk_id"] == chunk.id
        assert meta["source"] == "corpus/devops-vs-dataops-vs-mlops.md"
        assert meta["title"] == "DevOps vs DataOps vs MLOps"
        assert meta["url"] == "https://kodekloud.com/blog/mlops-vs-devops-vs-dataops/"
        assert meta["hash"] == hashlib.sha256(chunk.page_content.encode()).hexdigest()[:16]
    assert {c.metadata["kind"] for c in chunks} == {"text", "list", "editorial_note"}
    assert all(c.page_content.startswith(EDITORIAL) == (c.metadata["kind"] == "editorial_note")
               for c in chunks)
    by_section: dict[str, list[int]] = {}
    for chunk in chunks:
        by_section.setdefault(chunk.metadata["section"], []).append(chunk.metadata["position"])
    assert all(positions == list(range(len(positions))) for positions in by_section.values())


def test_chunk_ids_are_stable_and_match_the_built_index(indexed_settings):
    first, second = corpus_chunks(), corpus_chunks()
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)
    stored = IndexStore(indexed_settings).require_active().get(include=["metadatas"])
    assert sorted(stored["ids"]) == sorted(c.id for c in first)
    assert all(set(meta) == METADATA_KEYS for meta in stored["metadatas"])


def test_chunk_id_depends_on_text_and_heading_not_position():
    base = Chunker().chunk(source_file("# A\n\nFirst point.\n\nSecond point.\n"))
    moved = Chunker().chunk(source_file("# A\n\nSecond point.\n\nFirst point.\n"))
    renamed = Chunker().chunk(source_file("# B\n\nFirst point.\n\nSecond point.\n"))
    assert {c.id for c in base} == {c.id for c in moved}
    assert not {c.id for c in base} & {c.id for c in renamed}


def test_text_before_the_first_heading_is_under_the_title():
    chunks = Chunker().chunk(source_file("An opening line.\n\n# Later\n\nBody.\n"))
    assert [c.metadata["section"] for c in chunks] == ["Test", "Later"]


@pytest.mark.parametrize(("markdown", "note"), [
    ("# A\n\ntext\n\n## \n\nmore\n", "line 5: a heading without words in 'A'; ignored"),
    ("#\n\ntext\n", "line 1: a heading without words; ignored"),
    ("# A\n\ntext\n\n# Empty\n\n# B\n\nmore\n", "line 5: heading 'Empty' has no text under it; left out"),
])
def test_empty_headings_are_notes_naming_their_line_and_the_file_is_chunked(markdown, note):
    file = source_file(markdown)
    chunks = Chunker().chunk(file)
    assert note in heading_notes(parse_sections(file.markdown)) and chunks and not unusable(chunks)


def test_a_bare_heading_leaves_its_text_in_the_section_it_is_in():
    chunks = Chunker().chunk(source_file("# A\n\nOne.\n\n###\n\nTwo.\n"))
    assert [(c.metadata["section"], c.page_content) for c in chunks] == [("A", "One."), ("A", "Two.")]


def test_a_file_without_text_is_unusable():
    assert unusable(Chunker().chunk(source_file("# A\n\n## B\n\n###\n"))) == \
        "no text under any of its headings"


def test_a_repeated_passage_is_left_out_once_with_its_line_and_the_rest_is_kept():
    chunks = Chunker().chunk(source_file("# A\n\nSame words.\n\nOther words.\n\nSame words.\n"))
    kept, notes = drop_repeats(chunks)
    assert [c.page_content for c in kept] == ["Same words.", "Other words."]
    assert notes == ["line 7: the same text as line 3 under 'A'; indexed once"]


def test_closing_hashes_and_hash_inside_words():
    chunks = Chunker().chunk(source_file("# Learning C#\n\nOne.\n\n## Tips ##\n\n#hashtag line\n"))
    assert [c.metadata["section"] for c in chunks] == ["Learning C#", "Learning C# > Tips"]
    assert chunks[1].page_content == "#hashtag line"


def test_a_line_wrapped_inside_a_paragraph_or_bullet_is_part_of_its_sentence():
    assert units("Recovery replays the log. It needs the last\nnightly copy and every\nlog segment.") == (
        ("Recovery replays the log.", None), ("It needs the last nightly copy and every log segment.", None))
    assert units("All three:\n\n- Use CI/CD\n  across all three\n- Rely on containers") == (
        ("All three:", None), ("Use CI/CD across all three", 0), ("Rely on containers", 1))

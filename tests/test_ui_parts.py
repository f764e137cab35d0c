"""The UI's parts without a server: escaping, streaming pieces, export, follow-up choice, feedback
log, login setting, and the explanations shown for failures."""

from __future__ import annotations

import json
import threading
from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from assistant import feedback
from assistant.conversation import Turn
from assistant.schema import Answer, Citation
from assistant.suggest import EXAMPLES, POOL, follow_ups, themes_of
from assistant.topics import topic_of
from ingest.errors import IndexMissing, StoreUnavailable
from ingest.settings import Settings
from ui import render, saved, shape
from ui.app import parse_auth
from ui.events import ChatEvents, pieces
from ui.export import conversation_markdown, write_export
from ui.loader import AssistantSource, explain

PAYLOAD = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def citation(n=1, **fields) -> Citation:
    values = {"n": n, "chunk_id": f"c{n}", "source": "corpus/a.md", "title": "A",
              "section": "Intro > Part", "quote": "DevOps ships code.",
              "url": "https://example.com/a", "score": 0.8125} | fields
    return Citation(**values)


def answer(text="DevOps ships code. [1]", citations=None, **fields) -> Answer:
    values = {"session": "s", "question": "What is DevOps?", "answer": text,
              "citations": [citation()] if citations is None else citations,
              "rewritten_query": "What is DevOps?"} | fields
    return Answer(**values)


class Elements(HTMLParser):
    """The element names and attributes a browser would build from some HTML."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_corpus_and_user_text_never_become_markup():
    cited = citation(section=PAYLOAD, quote=PAYLOAD, url="javascript:alert(1)")
    hostile = answer(text=f"{PAYLOAD} [1] [7]", question=PAYLOAD, rewritten_query=PAYLOAD,
                     citations=[cited])
    html = (render.answer_html(hostile, 0) + render.sources_panel(hostile)
            + render.question_html(PAYLOAD, 2000) + render.problem_html(PAYLOAD, PAYLOAD))
    tags = Elements(html).tags
    assert not {"script", "img"} & {tag for tag, _ in tags}
    assert not any("onerror" in attrs for _, attrs in tags)
    assert not any(attrs.get("href", "").startswith("javascript") for _, attrs in tags)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_markers_link_to_their_sources_only_when_the_citation_exists():
    html = render.answer_html(answer(text="One. [1] Two. [2]"), turn=4)
    links = [attrs for tag, attrs in Elements(html).tags if tag == "a" and "cite" in attrs["class"]]
    assert [a["href"] for a in links] == ["#src-4-1"]
    assert 'id="src-4-1"' in html and "[2]" in html
    assert "\n\n" not in html  # one HTML block: the chat's Markdown renderer leaves it alone


def test_streamed_bubbles_hold_no_sources_until_complete():
    partial = render.answer_html(answer(), 0, shown="DevOps ships")
    assert "details" not in partial and "DevOps ships" in partial
    assert "details class=\"source\"" in render.answer_html(answer(), 0)


def test_abstentions_and_recommendations_are_marked():
    declined = render.answer_html(answer(text="The article doesn't answer that.", citations=[],
                                         abstained=True), 0)
    assert 'class="answer abstained complete"' in declined and "Not covered" in declined
    advised = render.answer_html(answer(recommendation="MLOps"), 0)
    assert "Recommended: MLOps" in advised


def test_long_questions_are_cut_with_a_notice():
    html = render.question_html("a" * 2_500, 2_000)
    assert html.count("a") >= 2_000 and "a" * 2_001 not in html
    assert "cut to its first 2,000 characters (2,500 were sent)" in html


def test_plain_answer_lists_each_source_with_section_quote_and_url():
    text = render.plain_answer(answer())
    assert text.endswith('Sources:\n[1] Intro > Part (corpus/a.md): "DevOps ships code." '
                         '<https://example.com/a>')
    own_file = render.plain_answer(answer(citations=[citation(url="", source="notes/b.md")]))
    assert own_file.endswith('[1] Intro > Part (notes/b.md): "DevOps ships code."')
    assert "notes/b.md" in render.source_details(citation(url="", source="notes/b.md"), 0)


@given(st.text())
def test_pieces_grow_to_the_whole_text(text):
    steps = list(pieces(text))
    assert steps[-1] == text
    assert all(later.startswith(earlier) for earlier, later in zip(steps, steps[1:]))
    assert len(steps) == len(set(steps))


def test_export_has_every_turn_with_sources_and_inert_html(tmp_path):
    turns = [answer(), answer(text=f"{PAYLOAD} [1]", question="Who? <b>now</b> & &amp; co",
                              citations=[citation(quote="Line one.\nLine two.")])]
    text = conversation_markdown(turns)
    assert "## 1. What is DevOps?" in text and "## 2. Who? \\<b>now\\</b> & \\&amp; co" in text
    assert "1. **Intro > Part** <https://example.com/a>" in text and "score" not in text
    assert "> Line one.\n> Line two." in text and "&lt;" not in text and "&gt;" not in text
    html = MarkdownIt("commonmark").render(text)  # as a Markdown viewer shows it
    assert not {"script", "img", "b"} & {tag for tag, _ in Elements(html).tags}
    assert "&lt;script&gt;alert" in html and "Who? &lt;b&gt;now&lt;/b&gt; &amp; &amp;amp; co" in html
    path = write_export(turns, tmp_path, "../../etc/passwd")
    assert path.is_relative_to(tmp_path) and path.read_text(encoding="utf-8") == text
    assert write_export([], tmp_path, "s") is None


def test_export_keeps_lists_recommendations_and_shortens_long_questions():
    long = ("What do DevOps, DataOps and MLOps have in common, and how does each of them test, "
            "version and monitor what it ships?")
    listed = answer(text="All three disciplines: [1]\n- Use CI/CD [1]\n- Rely on containers [1]\nSo.",
                    question=long, rewritten_query=long.upper() + " ")
    advised = answer(recommendation="MLOps", question="I'm a data scientist",
                     rewritten_query="Which Ops should a data scientist learn first?")
    text = conversation_markdown([listed, advised])
    heading = next(line for line in text.splitlines() if line.startswith("## 1. "))
    assert heading == "## 1. What do DevOps, DataOps and MLOps have in common, and how does each of them…"
    assert f"**Question:** {long}" in text
    assert "All three disciplines: [1]\n\n- Use CI/CD [1]\n- Rely on containers [1]\n\nSo." in text
    assert text.count("*Read as:*") == 1  # only the reworded one
    assert "*Read as:* Which Ops should a data scientist learn first?" in text
    assert "**Recommended: MLOps**" in text
    html = MarkdownIt("commonmark").render(text)
    assert "<li>Use CI/CD [1]</li>" in html


def test_list_lines_become_a_list_whose_markers_still_link():
    listed = answer(text="All three: [1]\n- Use CI/CD <pipelines> [1]\n- Rely on containers [2]\n"
                         "Plain again.", citations=[citation(), citation(2)])
    html = render.answer_html(listed, turn=3)
    assert ('<div class="text"><p>All three: <a class="cite" href="#src-3-1" title="Source 1">'
            "[1]</a></p><ul><li>Use CI/CD &lt;pipelines&gt; <a") in html
    assert html.count("<li>") == 2 and "<p>Plain again.</p>" in html and "- Use" not in html
    streaming = render.answer_html(listed, turn=3, shown="All three: [1]\n- Use CI/CD")
    assert "<ul><li>Use CI/CD</li></ul>" in streaming and "complete" not in streaming
    assert "\n" not in html  # one HTML block: the chat's Markdown renderer leaves it alone
    assert render.plain_answer(listed).startswith(
        "All three: [1]\n- Use CI/CD <pipelines> [1]\n- Rely on containers [2]\nPlain again.")


@pytest.mark.parametrize("typed, read_as, shown", [
    ("What is DataOps?", "what is dataops", False),
    ("what  is DataOps", "What is DataOps?", False),
    ("Who coined the term?", "Who coined the term DataOps?", True),
    ("and versioning?", "How does versioning differ between DevOps and MLOps?", True),
    ("hello", "", False),
])
def test_read_as_is_shown_only_for_a_reworded_question(typed, read_as, shown):
    turn_answer = answer(question=typed, rewritten_query=read_as)
    assert (shape.read_as(turn_answer) is not None) is shown
    assert ('class="read-as"' in render.answer_html(turn_answer, 0)) is shown
    assert ("*Read as:*" in conversation_markdown([turn_answer])) is shown


def test_offers_shown_as_buttons_are_not_repeated_in_the_bubble():
    offers = ["Who coined the term DataOps?", "Is DataOps dying?"]
    declined = answer(text="The article doesn't answer that. You could ask: "
                           "Who coined the term DataOps? / Is DataOps dying?",
                      citations=[], abstained=True, suggestions=offers)
    bubble = render.answer_html(declined, 0)
    assert "You could ask" not in bubble and "doesn&#x27;t answer that.</p>" in bubble
    assert "You could ask: Who coined" in render.plain_answer(declined)  # /chat has no buttons
    assert "You could ask: Who coined" in conversation_markdown([declined])
    other = answer(text="Something else. You could ask: A?", citations=[], suggestions=offers)
    assert "You could ask: A?" in render.answer_html(other, 0)


def test_a_declined_answer_streams_without_the_offers_its_buttons_show(corpus_assistant,
                                                                        tmp_path):
    source = AssistantSource(corpus_assistant.settings, corpus_assistant)
    screens = list(ChatEvents(source, tmp_path, delay_s=0).respond(
        "What is the capital of France?", [], "declined"))
    declined = screens[-1].turns[-1]
    assert declined.abstained and "You could ask" in declined.answer
    streamed = [screen.chat[-1]["content"] for screen in screens[1:-1]]
    assert streamed and not any("You could ask" in bubble for bubble in streamed)
    assert screens[-1].follow_ups == declined.suggestions


def test_the_panel_says_why_nothing_is_quoted():
    declined = answer(text="The article doesn't answer that.", citations=[], abstained=True)
    clarifying = answer(text="Each background has its own path. Which of these fits you best?",
                        citations=[], suggestions=["I'm a data engineer."])
    chatter = answer(text="Hi! I answer questions about the article.", citations=[])
    assert "does not answer this" in render.sources_panel(declined, 0)
    asks = render.sources_panel(clarifying, 0)
    assert "asks you a question" in asks and "does not answer" not in asks
    assert "own words" in render.sources_panel(chatter, 0)
    cards = render.sources_panel(answer(question="What <is> DevOps?"), 4)
    assert 'id="panel-src-4-1"' in cards and "What &lt;is&gt; DevOps?" in cards
    assert "score" not in cards and "0.81" not in cards


@pytest.mark.parametrize("question, title", [
    ("What is DevOps?", "What is DevOps?"),
    ("  What\n is   DevOps? ", "What is DevOps?"),
    ("word " * 30, "word " * 15 + "word…"),
    ("x" * 100, "x" * 80 + "…"),
])
def test_short_titles_cut_at_a_word_boundary(question, title):
    assert shape.short_title(question) == title


def test_the_kept_conversation_comes_back_and_nothing_else_does():
    turns = [answer(), answer(abstained=True, citations=[], suggestions=["Is DataOps dying?"])]
    kept = json.loads(json.dumps(saved.to_browser(turns, ["What is MLOps?"])))
    restored, offers = saved.from_browser(kept)
    assert restored == turns and restored[1].suggestions == ["Is DataOps dying?"]
    assert offers == ["What is MLOps?"]
    for junk in (None, "x", [], {"version": 99, "turns": []}, {"version": 1, "turns": [{"a": 1}]},
                 {"version": 1, "turns": "nope"}, saved.EMPTY):
        assert saved.from_browser(junk) == ([], [])
    many = saved.to_browser([answer()] * (saved.KEPT_TURNS + 5), [])
    assert len(many["turns"]) == saved.KEPT_TURNS


def turn(question: str) -> Turn:
    return Turn(question, question, topic_of(question))


def theme(question: str) -> str:
    return next(c.theme for c in POOL if c.question == question)


def test_follow_ups_favour_themes_not_yet_covered():
    asked = [turn("How does testing differ between DevOps and MLOps?")]
    offers = follow_ups(asked)
    assert [theme(q) for q in offers] == ["tools", "careers", "overlap"]
    assert all("differences" not in themes_of(q) for q in offers)


def test_follow_ups_prefer_the_discipline_just_discussed_and_never_repeat():
    offers = follow_ups([turn("Which tools do all three disciplines share?"),
                         turn("Who coined the term DataOps?")])
    assert not {"tools", "history"} & {theme(q) for q in offers}
    assert theme(offers[0]) == "differences" and "DataOps" in offers[0]
    assert "Is DataOps dying?" in offers  # careers, about the discipline just discussed
    assert follow_ups([]) == list(EXAMPLES[:3])
    everything = [turn(c.question) for c in POOL]
    assert follow_ups(everything) == []


def test_feedback_lines_hold_the_rated_turn_and_survive_concurrent_writers(tmp_path):
    log = tmp_path / "data" / feedback.FILE_NAME
    rated = answer()
    ratings = [True, False, None]
    threads = [threading.Thread(target=feedback.record, args=(log, rated, ratings[n % 3]))
               for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = feedback.read(log)
    assert len(entries) == 40 and {e["rating"] for e in entries} == {"up", "down", "withdrawn"}
    assert entries[0]["question"] == "What is DevOps?" and entries[0]["answer"] == rated.answer
    assert entries[0]["citations"] == [json.loads(rated.citations[0].model_dump_json())]


def test_login_setting_is_user_colon_password():
    assert parse_auth(None) is None
    assert parse_auth("ada:pa:ss") == ("ada", "pa:ss")
    for bad in ("ada", ":pw", "ada:"):
        with pytest.raises(ValueError):
            parse_auth(bad)


def test_failures_are_explained_with_a_fix():
    settings = Settings(chroma_url="http://127.0.0.1:9")
    missing = explain(IndexMissing("no index at X"), settings)
    assert "no index at X" in missing.what and "ops-assistant ingest" in missing.fix
    down = explain(StoreUnavailable("cannot reach"), settings)
    assert "http://127.0.0.1:9" in down.fix and "OPS_ASSISTANT_CHROMA_URL" in down.fix
    other = explain(ConnectionResetError("boom"), settings)
    assert "ConnectionResetError" in other.what and "http://127.0.0.1:9" in other.fix

"""Answers that read like answers (issue 13): lists stay lists, one marker per run of sentences
from one passage, no filler, the direct answer first, no repeats across turns, length as asked,
one source per passage, the same answer for the same standalone question at any point."""

from __future__ import annotations

import re
import uuid

import pytest

from answer_checks import check_contract, check_grounded, cited_segments, first_sentence, has_fact
from assistant.readability import answer_sentences
from ingest.settings import Settings

SHARED = ["Use CI/CD pipelines", "Rely on containers and Kubernetes",
          "Care about observability", "Are cultural shifts as much as toolchains"]


def ask(assistant, *questions: str):
    session = f"readable-{uuid.uuid4().hex}"
    return [assistant.ask(q, session=session) for q in questions]


def test_a_list_answer_is_list_lines_under_its_intro_in_one_citation(corpus_assistant):
    [answer] = ask(corpus_assistant, "What do the three have in common?")
    check_contract(answer, corpus_assistant)
    check_grounded(answer)
    lines = answer.answer.splitlines()
    assert lines[0] == "All three disciplines:"
    assert [any(line.startswith(f"- {item}") for line in lines) for item in SHARED] == [True] * 4
    [citation] = answer.citations  # the intro is quoted with its items, never on its own
    assert citation.quote.startswith("All three disciplines:") and all(i in citation.quote for i in SHARED)
    assert answer.answer.count("[1]") == 1 and lines[-1].endswith("[1]")


def test_a_list_item_shown_as_a_sentence_ends_its_line():
    """"... show up in every stack The lines feel blurry ..." had read as one sentence (second
    newcomer trial); the item has no full stop in the article, so its run and line end there."""
    from assistant.citations import Line, text_of

    item = "Care about observability - Prometheus, Grafana, and Datadog show up in every stack"
    after = "The lines feel blurry because there's genuine shared territory."
    assert text_of([Line(item, (1,)), Line(after, (1,))]) == f"{item} [1]\n{after} [1]"
    assert text_of([Line(after, (1,)), Line(after, (1,))]) == f"{after} {after} [1]"


def test_one_marker_closes_each_run_of_sentences_from_one_passage(corpus_assistant):
    [answer] = ask(corpus_assistant, "How does testing differ between DevOps and MLOps?")
    sentences = check_grounded(answer)  # every sentence still checked against its quote
    segments, _ = cited_segments(answer.answer)
    assert len(sentences) >= 4 and len(segments) < len(sentences)
    assert len(answer.citations) == 1  # one passage, listed once
    for (_, numbers), (_, following) in zip(segments, segments[1:]):
        assert numbers != following, answer.answer  # a run ends where the passage changes


@pytest.mark.parametrize(("question", "fact"), [
    ("Who coined the term DataOps?", "Lenny Liebmann"),
    ("When was the term DataOps coined?", "June 19, 2014"),
    ("Which paper made MLOps take off?", "Hidden Technical Debt"),
    ("Which of the three pays the most?", "MLOps"),
])
def test_the_sentence_that_answers_comes_first(corpus_assistant, question, fact):
    [answer] = ask(corpus_assistant, question)
    assert fact in first_sentence(answer), answer.answer


def test_a_sentence_that_stands_for_another_comes_after_it(corpus_assistant):
    """"It was born in October 2009 ..." answers "When was DevOps born?", but only after the
    sentence "It" stands for; the same for "The test passes ..." after "... testing ..."."""
    born, testing = ask(corpus_assistant, "When was DevOps born?", "how does testing differ across the three")
    assert born.answer.startswith("DevOps is") and "It was born in October 2009" in born.answer
    assert testing.answer.startswith("DevOps testing answers one question")


def test_a_sentence_doing_something_to_a_pronoun_comes_after_what_the_pronoun_stands_for(
        corpus_assistant):
    """"Catching it requires monitoring ..." had been given without the sentence about the model
    that "it" stands for (newcomer trial)."""
    answer, = ask(corpus_assistant, "How does MLOps handle monitoring?")
    catching = answer.answer.index("Catching it requires")
    assert 0 <= answer.answer.find("A model can be broken while still returning 200s") < catching


def test_tell_me_more_gives_what_was_left_out_or_says_there_is_no_more(corpus_assistant):
    """"tell me more" had repeated the previous answer word for word (newcomer trial)."""
    why, more = ask(corpus_assistant, "why does mlops exist", "can you explain that in more detail?")
    assert set(answer_sentences(more.answer)) - set(answer_sentences(why.answer))
    who, again = ask(corpus_assistant, "who is patrick debois", "tell me more")
    assert again.answer.startswith("That is all I found in the article about it:")
    assert has_fact(again, "Patrick Debois") and has_fact(who, "Patrick Debois")


def test_more_after_a_narrow_question_tells_more_about_its_discipline(corpus_assistant):
    """Once the coining of DataOps was all said, "more" had said it again (second newcomer
    trial); and each further "tell me more" had gone back to the first answer, never saying
    there was no more."""
    coined, more = ask(corpus_assistant, "who coined dataops", "more")
    new = set(answer_sentences(more.answer)) - set(answer_sentences(coined.answer))
    assert new and any("DataOps" in sentence or "data" in sentence for sentence in new)
    assert not more.answer.startswith("That is all I found")
    first, second, third = ask(corpus_assistant, "what is mlops", "tell me more", "tell me more")
    second_only = set(answer_sentences(second.answer)) - set(answer_sentences(first.answer))
    assert second_only  # a topical question: more on it, then that there is no more
    assert (third.answer.startswith("That is all I found")
            or not set(answer_sentences(third.answer)) & second_only)


def _paragraph_subjects() -> dict[str, str]:
    """Each sentence of an article paragraph that opens with a discipline's name, to that name."""
    text = (Settings().corpus_dir / "devops-vs-dataops-vs-mlops.md").read_text(encoding="utf-8")
    found = {}
    for paragraph in text.split("\n\n"):
        opener = re.match(r"(DevOps|DataOps|MLOps) ", paragraph)
        for sentence in answer_sentences(paragraph) if opener else []:
            found[sentence] = opener.group(1)
    return found


@pytest.mark.parametrize("questions", [
    ("what is the primary unit of work in each discipline?",),
    ("what is the unit of work in devops vs dataops?",),
    ("give me the unit of work for devops, dataops, mlops",),
    ("What is MLOps?", "how is it different from devops?"),
    ("apart from devops, where does dataops get its ideas from?",),
])
def test_a_sentence_about_one_discipline_reads_under_that_discipline(corpus_assistant, questions):
    """"Primary unit of work: data." or "The term was coined ..." from the DataOps paragraph
    comes after a sentence naming DataOps, never right after DevOps's or MLOps's definition."""
    subjects = _paragraph_subjects()
    answer = ask(corpus_assistant, *questions)[-1]
    last_named = None
    for sentence in answer_sentences(answer.answer):
        opener = re.match(r"(?:- )?(DevOps|DataOps|MLOps)\b", sentence)
        last_named = opener.group(1) if opener else last_named
        subject = subjects.get(sentence)
        if subject and subject not in sentence:  # never under another discipline's sentence
            assert last_named in (None, subject), (sentence, answer.answer)


def test_a_yes_or_no_leads_only_a_yes_no_question(corpus_assistant):
    yes_no, open_question = ask(corpus_assistant, "Is MLOps just DevOps for machine learning?",
                                "What is the difference between DevOps, DataOps and MLOps?")
    assert yes_no.answer.startswith("No.") and "plus an extra layer" in yes_no.answer
    assert not re.search(r"(?:^|[.\]] )No\.", open_question.answer), open_question.answer


def test_a_follow_up_gives_what_is_new_and_say_that_again_repeats(corpus_assistant):
    common, move, again = ask(corpus_assistant, "what do the three have in common?",
                              "so a DevOps person can move over without much trouble?",
                              "say that again")
    said = set(answer_sentences(common.answer))
    assert said and not said & set(answer_sentences(move.answer)), move.answer
    assert has_fact(move, "strong DevOps engineer can move into MLOps faster")
    assert again.answer == move.answer and again.citations == move.citations


@pytest.mark.parametrize(("question", "most"), [
    ("Explain MLOps in one sentence", 1), ("briefly, what is DataOps?", 2),
    ("short version: why does DataOps exist?", 2)])
def test_length_follows_the_ask(corpus_assistant, question, most):
    [answer] = ask(corpus_assistant, question)
    assert 1 <= len(answer_sentences(answer.answer)) <= most, answer.answer


def test_in_detail_gives_more_than_the_default(corpus_assistant):
    default, detail = ask(corpus_assistant, "Why does MLOps exist?"), \
        ask(corpus_assistant, "Explain in detail why MLOps exists")
    assert len(answer_sentences(detail[0].answer)) > len(answer_sentences(default[0].answer))


@pytest.mark.parametrize("question", [
    "How does testing differ between DevOps and MLOps?", "What do the three have in common?",
    "Why does DataOps exist if DevOps already worked?", "Which role has the best long-term career outlook?"])
def test_each_passage_is_one_source(corpus_assistant, question):
    [answer] = ask(corpus_assistant, question)
    spans = [(c.section, c.quote) for c in answer.citations]
    for i, (section, quote) in enumerate(spans):
        for other_section, other in spans[i + 1:]:
            assert not (section == other_section and (quote in other or other in quote)), spans


def test_a_standalone_question_gets_the_same_answer_mid_chat(corpus_assistant):
    question = "What is the difference between DevOps, DataOps and MLOps?"
    [fresh] = ask(corpus_assistant, question)
    *_, later = ask(corpus_assistant, "What is MLOps?", "Who coined DataOps?", question)
    assert later.answer == fresh.answer and later.citations == fresh.citations
    for name in ("DevOps", "DataOps", "MLOps"):  # a cited sentence about each of the three
        assert any(name in sentence for sentence, _ in check_grounded(fresh)), (name, fresh.answer)


def test_the_standalone_question_shown_is_a_plain_question(corpus_assistant):
    *_, devops = ask(corpus_assistant, "How does MLOps handle versioning?", "What about DevOps?")
    assert devops.rewritten_query == "How does DevOps handle versioning?"
    *_, more = ask(corpus_assistant, "What is DataOps?", "and the tools?")
    assert "(" not in more.rewritten_query and more.rewritten_query.endswith("?")


# ------------------------------------------------ filler, recognised in a text never seen before

GUIDE = """---
title: Backups, explained
---

# Database Backups

Let's get the basics out of the way before anything else.

Nightly backups copy the whole database to object storage at 02:00 UTC. Each copy is kept for
35 days and then deleted.

## Recovery

The diagram below shows the whole restore flow.

Point-in-time recovery replays the write-ahead log up to the second you choose. It needs the last
nightly copy and every log segment written since.

Curious how far you can take this? Our backup masterclass has you covered →

## Testing restores

A backup that was never restored is not a backup. Restore drills run every Friday on a staging
server, and a failed drill pages the on-call engineer. No "we'll see." A chart shows you how
long each drill took.
"""
FILLER = ["Let's get the basics out of the way", "The diagram below shows", "masterclass",
          "Curious how far", 'No "we\'ll see."', "A chart shows you"]


@pytest.fixture(scope="module")
def guide_assistant(tmp_path_factory):
    from assistant import Assistant
    from ingest.pipeline import run_ingest

    root = tmp_path_factory.mktemp("guide")
    (root / "docs").mkdir()
    (root / "docs" / "backups.md").write_text(GUIDE, encoding="utf-8")
    settings = Settings(data_dir=root / "data", chroma_url=None, llm=None)
    run_ingest([root / "docs"], settings, show_progress=False)
    return Assistant.load(settings)


@pytest.mark.parametrize(("question", "fact"), [
    ("How does point-in-time recovery work?", "replays the write-ahead log"),
    ("When do the nightly backups run?", "02:00 UTC"),
    ("How are restores tested?", "Restore drills run every Friday"),
    ("What does point-in-time recovery need?", "last nightly copy"),
    ("What happens when a restore drill fails?", "pages the on-call engineer"),
])
def test_filler_in_a_new_text_is_never_part_of_an_answer(guide_assistant, question, fact):
    [answer] = ask(guide_assistant, question)
    assert fact in answer.answer, answer.answer
    assert not [f for f in FILLER if f in answer.answer], answer.answer


# ------------------------------------------------ the readability benchmark's own measures

def test_the_readability_measures_count_what_they_say():
    from assistant.readability import Asked, score

    asked = [
        Asked(key="list", answer="All three:\n- Use CI.\n- Use containers. [1]", abstained=False,
              key_facts=["Use CI"]),
        Asked(key="filler", answer="Setting the table first. The fact is here. [1] The fact is here. [2]",
              abstained=False, key_facts=["the fact"]),
        Asked(key="declined", answer="The article does not say.", abstained=True),
    ]
    result = score("set", asked, filler=["Setting the table first."], lists={"list", "declined"})
    assert result.answered == 2 and result.markers_per_sentence == round(3 / 5, 3)
    assert (result.with_filler, result.with_a_sentence_twice) == (1, 1)
    assert (result.list_questions, result.lists_as_lines) == (1, 1)
    assert result.first_sentence_key_fact == 0.5  # "Use CI." first; "Setting the table first." first


def test_a_request_for_length_after_a_question_is_about_that_question(corpus_assistant):
    [answer] = ask(corpus_assistant, "what does DevOps testing check vs mlops testing? answer briefly")
    assert not answer.abstained and "One part of your question" not in answer.answer
    assert answer.answer.startswith("DevOps testing answers one question: does the code work?")
    assert len(answer_sentences(answer.answer)) <= 4  # two chosen, each with what it needs


@pytest.mark.parametrize("question", ["devops vs dataops", "explain devops in detail"])
def test_no_bare_no_and_no_sentence_about_another_discipline_leads(corpus_assistant, question):
    """The FAQ's "No. It's DevOps plus DataOps plus ..." is about MLOps ("Is MLOps just DevOps
    ...?"): it never opens an answer to a question that is not that yes/no question."""
    [answer] = ask(corpus_assistant, question)
    assert not answer.answer.startswith(("No.", "It's DevOps plus")), answer.answer
    if question.startswith("explain"):
        assert answer.answer.startswith("DevOps is the engineering discipline")


@pytest.mark.parametrize(("sentence", "filler"), [
    ('No "it depends."', True),                       # a slogan rejecting a phrase
    ("No “we'll see.”", True),
    ("A table tells you what is different.", True),   # the page on what a figure of its kind does
    ("A chart shows you how long each drill took.", True),
    ("Every diagram lists the stages in order.", True),
    ("No.", False),                                   # a verdict, kept for yes/no questions
    ("No exceptions are made for hotfixes.", False),
    ("A data pipeline is broken when the table is stale or the row count drops.", False),
    ("The substrate is the same.", False),
    ("Code is text.", False),
])
def test_the_filler_cues_catch_slogans_and_page_talk_but_not_statements(sentence, filler):
    from assistant.filler import by_cues

    assert by_cues(sentence) is filler

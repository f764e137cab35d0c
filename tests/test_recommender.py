"""The recommender through the real Assistant (real Chroma, real MiniLM) over the real article."""

from __future__ import annotations

import re
import uuid

import pytest

from assistant.citations import MARKERS, split_answer
from assistant.evaluation import fact_hits, load_golden
from assistant.conversation import Conversation
from assistant.language import load
from assistant.suggest import BACKGROUNDS
from ingest.settings import Settings

SECTION = load().framework.section

SE = ("Start with DevOps.", "It's the closest to your existing skill set and the fastest way to add "
      "operational rigor to what you already do.", "From there, MLOps is a clean layered next step.")
DE = ("You're already doing most of DataOps even if your title doesn't say it.",
      "MLOps is the natural extension.")
DS = ("Skip ahead to MLOps.", "You'll pick up the DevOps and DataOps fundamentals you need along "
      "the way, but going through them sequentially wastes time when your bottleneck is shipping "
      "models.")
FRESH = ("Start with DevOps fundamentals, containers, CI/CD, Kubernetes, observability.",
         "They're the substrate that the other two are built on, and learning them first means "
         "everything afterward gets easier.")
BULLETS = {"DevOps": SE, "DataOps": (), "MLOps": DE + DS}


def ask(assistant, *messages: str):
    """Ask the messages in one fresh session; the answers, and the session's conversation."""
    session = f"rec-{uuid.uuid4().hex}"
    answers = [assistant.ask(m, session=session) for m in messages]
    return answers, assistant.conversation(session)


def cited_sentences(answer) -> list[str]:
    """The sentences of the answer that carry an [n] marker, without it."""
    return [MARKERS.sub("", s).strip() for s in split_answer(answer.answer) if MARKERS.search(s)]


def assert_quotes(answer, assistant, sentences) -> None:
    """Each sentence is in the answer verbatim, and the marker closing its run cites a quote that
    holds it verbatim, a passage starting in the cited chunk."""
    for sentence in sentences:
        assert sentence in answer.answer, sentence
        after = answer.answer.split(sentence, 1)[1]
        n = int(re.search(r"\[(\d+)\]", after).group(1))
        citation = next(c for c in answer.citations if c.n == n)
        assert sentence in citation.quote
        assert citation.quote[:30] in assistant.index.documents[citation.chunk_id].page_content


@pytest.mark.parametrize(("message", "discipline", "bullet"), [
    ("I'm a software engineer. Which Ops should I learn first?", "DevOps", SE),
    ("I write Python services, what should I learn first?", "DevOps", SE),
    ("full-stack developer here, which discipline should I pick?", "DevOps", SE),
    ("I'm a data engineer, which ops should I learn next?", "MLOps", DE),
    ("I build pipelines in Airflow. What should I learn?", "MLOps", DE),
    ("im a data scientst, which ops do i learn 1st", "MLOps", DS),
    ("I train models. Which Ops should I learn first?", "MLOps", DS),
    ("fresh graduate, where do I start?", "DevOps", FRESH),
    ("I'm a career changer with no experience. What should I study first?", "DevOps", FRESH),
])
def test_each_profile_quotes_its_bullet_verbatim_and_cites_the_section(
        corpus_assistant, message, discipline, bullet):
    (answer,), conversation = ask(corpus_assistant, message)
    assert answer.recommendation == discipline and not answer.abstained
    assert_quotes(answer, corpus_assistant, bullet)
    assert {c.section for c in answer.citations} == {SECTION}
    others = {s for b in (SE, DE, DS, FRESH) if b is not bullet for s in b} - set(bullet)
    assert not any(s in answer.answer for s in others)
    assert conversation.recommendation == discipline
    assert conversation.turns[-1].recommendation == discipline


def test_unknown_background_gets_the_framework_in_brief_then_one_clarifying_question(corpus_assistant):
    (clarify, answer), conversation = ask(corpus_assistant, "Which Ops should I learn first?",
                                          "I'm a data engineer")
    assert clarify.recommendation is None and not clarify.abstained
    assert {c.section for c in clarify.citations} == {SECTION}  # the four profiles, cited
    for line in ("Already a software engineer?", "Start with DevOps.", "MLOps is the natural extension.",
                 "Skip ahead to MLOps.", "Start with DevOps fundamentals"):
        assert line in clarify.answer
    assert clarify.answer.endswith("?") and clarify.answer.splitlines()[-1].count("?") == 1
    for profile in ("software engineer", "data engineer", "data scientist", "Coming in fresh"):
        assert profile in clarify.answer
    assert answer.recommendation == "MLOps"
    assert_quotes(answer, corpus_assistant, DE)
    assert conversation.background == "data engineer"


@pytest.mark.parametrize(("messages", "named", "closest", "discipline", "bullet"), [
    (["I'm a data analyst. Which ops should I learn first?"], "a data analyst", "a data engineer",
     "MLOps", DE),
    (["I'm a sysadmin, what should I learn first?"], "a sysadmin", "a software engineer",
     "DevOps", SE),
    (["I'm a history student. Which Ops should I learn first?"], "a student",
     "someone coming in fresh", "DevOps", FRESH),
    (["I'm an SRE, what should I learn next?"], "a DevOps engineer", "a software engineer",
     "MLOps", SE[2:]),
    (["Which Ops should I learn first?", "I'm an accountant"], "an accountant",
     "someone coming in fresh", "DevOps", FRESH),
])
def test_background_the_article_does_not_name_is_kept_apart_from_its_words(
        corpus_assistant, messages, named, closest, discipline, bullet):
    answers, conversation = ask(corpus_assistant, *messages)
    answer = answers[-1]
    assert answer.recommendation == discipline
    own, article = answer.answer.split(f"Here is what the article says for {closest}.")
    assert f"does not cover {named}" in own and "not the article's" in own
    assert f"the closest of the four is {closest}, because" in own
    assert not MARKERS.search(own), "our own reasoning must cite nothing"
    assert_quotes(answer, corpus_assistant, bullet)
    assert all(s in article for s in bullet)


def test_later_statements_win_and_the_session_remembers(corpus_assistant):
    answers, conversation = ask(corpus_assistant, "I'm a data scientist, what should I learn first?",
                                "Actually I'm a software engineer", "Why?")
    assert [a.recommendation for a in answers] == ["MLOps", "DevOps", "DevOps"]
    assert "Skip ahead" not in answers[1].answer
    assert_quotes(answers[1], corpus_assistant, SE)
    assert "shipping models" not in answers[2].answer
    assert conversation.background == "software engineer"
    assert conversation.recommendation == "DevOps"
    assert [t.recommendation for t in conversation.turns] == ["MLOps", "DevOps", "DevOps"]


def test_background_from_an_ordinary_question_is_used_later(corpus_assistant):
    answers, conversation = ask(corpus_assistant,
                                "I'm a data engineer. What does DataOps testing check?",
                                "Which ops should I learn first?")
    assert answers[0].recommendation is None
    assert "correct, fresh, complete, and unique" in answers[0].answer
    assert answers[1].recommendation == "MLOps" and "what you said earlier" in answers[1].answer


def test_why_and_after_that_follow_the_path(corpus_assistant):
    answers, _ = ask(corpus_assistant, "I'm a software engineer. Which Ops should I learn first?",
                     "Why?", "And after that?", "Why?", "And after that?")
    why, after, why_next, beyond = answers[1:]
    assert why.recommendation == "DevOps" and SE[1] in why.answer
    assert after.recommendation == "MLOps" and SE[2] in after.answer
    assert "The substrate is the same." in why_next.answer and SE[1] not in why_next.answer
    assert "names no step after MLOps" in beyond.answer
    assert "doesn't reward narrow specialists" in beyond.answer
    for answer in answers:
        assert_quotes(answer, corpus_assistant, cited_sentences(answer))


def test_tools_and_pay_follow_ups_are_retrieved_for_the_recommended_discipline(corpus_assistant):
    answers, conversation = ask(corpus_assistant, "I'm a data scientist. Which Ops should I learn first?",
                                "Which tools should I learn for it?", "What does it pay?")
    tools, pay = answers[1:]
    assert "MLOps" in tools.rewritten_query and "tool" in tools.rewritten_query.lower()
    assert tools.citations and tools.recommendation == "MLOps"
    assert pay.rewritten_query == "What does MLOps pay?"
    assert fact_hits(pay.answer, ["$205,958"]) == [True]
    assert {c.section for c in pay.citations} == {"Career and Salary Comparison (2026)"}
    assert conversation.recommendation == "MLOps"


def test_how_long_says_plainly_the_article_does_not_say(corpus_assistant):
    answers, _ = ask(corpus_assistant, "Complete beginner. Which Ops should I pick first?",
                     "How long does it take?")
    answer = answers[1]
    assert answer.answer.startswith("The article does not say how long it takes to learn DevOps")
    assert answer.recommendation == "DevOps" and not answer.abstained
    assert_quotes(answer, corpus_assistant, cited_sentences(answer))


def test_junk_in_between_keeps_the_recommendation_context(corpus_assistant):
    answers, _ = ask(corpus_assistant, "I'm a data engineer, which ops should I learn next?",
                     "asdf qwerty zxcv", "Why?")
    assert answers[1].abstained and answers[1].recommendation is None
    assert answers[2].recommendation == "MLOps" and DE[0] in answers[2].answer


def test_a_question_about_something_else_ends_the_context(corpus_assistant):
    answers, _ = ask(corpus_assistant, "I'm a data scientist, what should I learn first?",
                     "How does DataOps testing differ from DevOps testing?", "Why?")
    assert answers[1].recommendation is None and answers[2].recommendation is None


GOLDEN = load_golden()


@pytest.mark.parametrize("item", GOLDEN, ids=[g.id for g in GOLDEN])
def test_the_recommender_takes_exactly_the_recommendation_questions(corpus_assistant, item):
    """Golden questions of other categories stay with the chain; the recommender's own ones are
    answered with their key facts."""
    text = item.question
    conversation = Conversation()
    understood = corpus_assistant.understand(text, session=f"rec-{item.id}")
    reply = corpus_assistant.recommender.reply(text, understood, conversation)
    should_take = item.category == "recommendation" and item.id != "rec-narrow-specialist"
    should_take |= item.id == "para-data-scientist-first"
    assert (reply is not None) == should_take
    if should_take:
        assert reply.answer.recommendation in ("DevOps", "MLOps")
        assert all(fact_hits(reply.answer.answer, item.key_facts))


def test_third_person_background_in_a_question_is_not_remembered(corpus_assistant):
    answers, conversation = ask(
        corpus_assistant, "Why can a DevOps engineer move into MLOps faster than a data scientist?")
    assert answers[0].recommendation is None and conversation.background is None


@pytest.mark.parametrize(("label", "discipline"), [
    ("Software engineer", "DevOps"), ("Data engineer", "MLOps"), ("Data scientist", "MLOps"),
    ("Coming in fresh", "DevOps")])
def test_ui_quick_replies_get_their_recommendation(corpus_assistant, label, discipline):
    (answer,), _ = ask(corpus_assistant, BACKGROUNDS[label])
    assert answer.recommendation == discipline and "does not cover" not in answer.answer


def test_a_corpus_without_the_framework_turns_the_recommender_off(small_corpus, tmp_path):
    from assistant import Assistant
    from ingest.pipeline import run_ingest

    settings = Settings(data_dir=tmp_path / "small", chroma_url=None, llm=None)
    run_ingest([small_corpus], settings, show_progress=False)
    assistant = Assistant.load(settings)
    assert not assistant.recommender.enabled
    answer = assistant.ask("I'm a data scientist, which ops should I learn first?")
    assert answer.recommendation is None

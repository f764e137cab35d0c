"""Follow-up questions and sessions through the real Assistant: a follow-up becomes a standalone
query from its own session's history, and only from it (issue 3, chain step 1)."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from answer_checks import check_contract, check_grounded, first_sentence, has_fact
from assistant import Assistant
from assistant.readability import answer_sentences

VERSIONING = "The Four Differences That Actually Matter > 3. Versioning gets harder with each layer"
SALARY = "Career and Salary Comparison (2026)"


@pytest.fixture(scope="module")
def assistant(corpus_assistant) -> Assistant:
    """This module's own Assistant (its own sessions) over the session's opened index: built in
    about a second, where opening the index again (Assistant.load) takes several."""
    return Assistant(corpus_assistant.settings, corpus_assistant.index)


def new_session() -> str:
    return f"followups-{uuid.uuid4().hex}"


def converse(assistant, *questions: str, session: str | None = None):
    session = session or new_session()
    answers = [assistant.ask(q, session=session) for q in questions]
    for answer in answers:
        check_contract(answer, assistant)
        assert not answer.abstained, answer.answer
        check_grounded(answer, lead_allowed=True)
    return answers


def test_who_coined_the_term_and_when_carry_the_discipline(assistant):
    _, coined, when = converse(assistant, "What is DataOps?", "Who coined the term?", "When?")
    assert "DataOps" in coined.rewritten_query
    assert coined.rewritten_query != "Who coined the term?"
    assert has_fact(coined, "Lenny Liebmann")
    assert "DataOps" in when.rewritten_query
    assert has_fact(when, "2014")


def test_and_versioning_keeps_the_disciplines_and_swaps_the_aspect(assistant):
    testing, versioning = converse(assistant, "How does testing differ between DevOps and MLOps?",
                                   "And versioning?")
    query = versioning.rewritten_query
    assert "version" in query.lower()
    assert "DevOps" in query and "MLOps" in query
    assert "test" not in query.lower()
    assert VERSIONING in {c.section for c in versioning.citations}
    assert has_fact(versioning, "Git is enough")
    assert versioning.answer != testing.answer


def test_what_about_devops_swaps_the_discipline_and_keeps_the_aspect(assistant):
    *_, devops = converse(assistant, "How does testing differ between DevOps and MLOps?",
                          "And versioning?", "What about DevOps?")
    query = devops.rewritten_query
    assert "DevOps" in query and "MLOps" not in query
    assert "version" in query.lower()
    assert VERSIONING in {c.section for c in devops.citations}
    assert has_fact(devops, "DevOps: Git is enough")


def test_what_about_devops_after_a_definition_defines_devops(assistant):
    mlops, devops = converse(assistant, "What is MLOps?", "What about DevOps?")
    assert "DevOps" in devops.rewritten_query and "MLOps" not in devops.rewritten_query
    assert has_fact(mlops, "takes ML models from notebooks")
    assert has_fact(devops, "automates and shortens the software delivery cycle")
    assert not has_fact(devops, "takes ML models from notebooks")


def test_a_new_question_about_what_a_discipline_is_does_not_inherit_the_last_aspect(assistant):
    """It had been read as about monitoring, and answered with a data pipeline's sentence; "in
    one sentence" is how long, not what about (it had drawn the heading "The headline takeaway in
    one sentence"), so the answer is MLOps' definition."""
    _, defined = converse(assistant, "how is monitoring different for ml models",
                          "explain in one sentence what mlops is")
    assert "monitor" not in defined.rewritten_query.lower()
    assert has_fact(defined, "takes ML models from notebooks")
    assert len(defined.citations) == 1
    assert not has_fact(defined, "data pipeline is broken")


def test_what_about_dataops_after_monitoring_answers_with_the_data_pipeline_sentence(assistant):
    """A sentence about what another discipline keeps running ("A web app is broken when ...")
    had led the answer about DataOps (newcomer trial)."""
    mlops, dataops = converse(assistant, "How does MLOps handle monitoring?", "what about dataops?")
    assert has_fact(mlops, "A model can be broken while still returning 200s")
    assert first_sentence(dataops).startswith("A data pipeline is broken when the table is stale")


def test_which_one_pays_more_and_why_after_a_salary_question(assistant):
    _, more, why = converse(assistant,
                            "How do salaries compare across DevOps, DataOps and MLOps?",
                            "Which one pays more?", "Why?")
    for answer in (more, why):
        assert all(name in answer.rewritten_query for name in ("DevOps", "DataOps", "MLOps"))
        assert SALARY in {c.section for c in answer.citations}
    assert "pays more" in why.rewritten_query  # "Why?" reads as asked of the question before it
    assert has_fact(more, "$205,958", "MLOps commands a premium", "highest salary premium",
                    "MLOps engineer salaries lead")
    # "Why?" gets the article's reasons for the pay gap
    assert has_fact(why, "because the required skill stack is rarer", "reflects scarcity",
                    "because the title is inconsistent")


def test_a_standalone_question_is_not_rewritten_mid_conversation(assistant):
    question = "How does testing differ between DevOps and MLOps?"
    _, answer = converse(assistant, "What is DataOps?", question)
    assert answer.rewritten_query == question
    assert has_fact(answer, "does the code work?")


def test_an_off_topic_turn_mid_conversation_still_abstains(assistant):
    session = new_session()
    converse(assistant, "What is DevOps?", session=session)
    answer = assistant.ask("What is the capital of France?", session=session)
    check_contract(answer, assistant)
    assert answer.abstained and answer.citations == []


def test_sessions_are_independent_when_interleaved(assistant):
    a, b = new_session(), new_session()
    converse(assistant, "What is DataOps?", session=a)
    converse(assistant, "What is DevOps?", session=b)
    [coined] = converse(assistant, "Who coined the term?", session=a)
    [when] = converse(assistant, "When?", session=b)
    assert "DataOps" in coined.rewritten_query and "DevOps" not in coined.rewritten_query
    assert has_fact(coined, "Lenny Liebmann")
    assert "DevOps" in when.rewritten_query and "DataOps" not in when.rewritten_query
    assert has_fact(when, "2009")
    assert coined.session == a and when.session == b


def test_a_new_session_does_not_inherit(assistant):
    converse(assistant, "What is DataOps?")
    fresh = new_session()
    when = assistant.ask("When?", session=fresh)
    check_contract(when, assistant)
    assert when.abstained  # "When?" alone asks nothing the article can answer
    assert when.rewritten_query == "When?"
    coined = assistant.ask("Who coined the term?", session=new_session())
    assert coined.rewritten_query == "Who coined the term?"


def test_reset_forgets_the_conversation(assistant):
    session = new_session()
    converse(assistant, "What is DataOps?", session=session)
    assistant.reset(session)
    when = assistant.ask("When?", session=session)
    assert when.abstained and when.rewritten_query == "When?"


def test_sessions_asked_from_many_threads_stay_apart(assistant):
    """`ask` is shared across threads; each session keeps its own topic."""
    plans = {"DataOps": ("What is DataOps?", "When?", "2014"),
             "DevOps": ("What is DevOps?", "When?", "2009")}

    def run(name: str):
        first, follow_up, _ = plans[name]
        session = new_session()
        return name, [assistant.ask(q, session=session) for q in (first, follow_up)]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, ["DataOps", "DevOps", "DataOps", "DevOps"]))
    for name, (_, follow_up) in results:
        other = ({"DataOps", "DevOps"} - {name}).pop()
        assert name in follow_up.rewritten_query and other not in follow_up.rewritten_query
        assert has_fact(follow_up, plans[name][2]), follow_up.answer


def test_who_coined_the_term_after_devops_answers_about_devops(assistant):
    """Not DataOps's coinage (Lenny Liebmann, 2014), which the words 'coined the term' match
    best: the article's answer for DevOps is its birth (Patrick Debois, 2009)."""
    _, coined = converse(assistant, "What is DevOps?", "Who coined the term?")
    assert "DevOps" in coined.rewritten_query
    assert has_fact(coined, "Patrick Debois")
    assert not has_fact(coined, "Lenny Liebmann")


@pytest.mark.parametrize("first", ["who's Patrick Debois?", "when was devops born?"])
def test_a_question_word_with_only_the_kind_of_answer_asks_the_last_question_again(assistant,
                                                                                     first):
    """"what city?" has no words of its own for the article: it asks where, of the last
    question ("Ghent"), instead of being declined for "city"."""
    _, city = converse(assistant, first, "what city?")
    assert "Ghent" in city.answer and first.rstrip("?") in city.rewritten_query


@pytest.mark.parametrize("question", ["How many days of parental leave do we get?",
                                      "Can I leave early on Fridays?"])
def test_a_fact_question_mid_chat_is_no_goodbye(assistant, question):
    session = new_session()
    converse(assistant, "What is MLOps?", session=session)
    answer = assistant.ask(question, session=session)
    assert answer.abstained and not answer.answer.startswith("Bye")


def test_shorter_or_longer_asks_the_last_question_again_at_that_length(assistant):
    """"can you explain that in more detail?", "shorter please", "in one sentence pls" are the
    last question again, and follow-ups do not pile up in the question shown."""
    session = new_session()
    first, longer, shorter, one = [assistant.ask(q, session=session) for q in (
        "how is mlops monitoring different", "can you explain that in more detail?",
        "shorter please", "in one sentence pls")]
    for answer in (longer, shorter, one):
        assert not answer.abstained and answer.rewritten_query == first.rewritten_query
    assert len(one.answer) <= len(shorter.answer) < len(longer.answer)
    assert len(answer_sentences(one.answer)) <= 2  # one sentence, with the one it points back at


def test_a_pronoun_object_sentence_follows_the_sentence_it_points_at(assistant):
    """"Catching it requires ..." is about the broken model of the sentence before it: it never
    opens an answer and never follows the data pipeline's sentence."""
    [answer] = converse(assistant, "how is mlops monitoring different")
    text = answer.answer
    assert not text.startswith("Catching it")
    assert text.index("A model can be broken") < text.index("Catching it") \
        < text.index("A model can be broken") + 200


def test_the_guy_is_the_person_the_last_answer_named(assistant):
    _, guy = converse(assistant, "how was devops born", "who was the guy")
    assert "Patrick Debois" in guy.rewritten_query and "Patrick Debois" in guy.answer

"""Abstention and the page's missing tables through the real Assistant (issue 3, "Abstention"):
what the article cannot answer is said plainly, cited nothing, and met with questions it can
answer; a question about an absent table gets the fixed notice and then what the text does say."""

from __future__ import annotations

import uuid

import pytest

from answer_checks import check_contract, check_grounded, has_fact, lead_of, marker_numbers
from assistant import Assistant
from assistant.suggest import LEARN_FIRST

UNANSWERABLE = [
    "What is the capital of France?",
    "How do I bake sourdough bread?",
    "Who won the 2022 World Cup?",
    "How do I install Jenkins on Ubuntu?",
    "",
    "   \n\t  ",
    "???",
    "asdkjh qwpoeiru zxmcnv",
    "qwertyuiop",
]
SALARY = "Career and Salary Comparison (2026)"


@pytest.fixture(scope="module")
def assistant(corpus_assistant) -> Assistant:
    """This module's own Assistant (its own sessions) over the session's opened index: built in
    about a second, where opening the index again (Assistant.load) takes several."""
    return Assistant(corpus_assistant.settings, corpus_assistant.index)


def ask(assistant, question):
    return assistant.ask(question, session=f"abstention-{uuid.uuid4().hex}")


@pytest.fixture(scope="module")
def abstentions(assistant) -> dict:
    return {question: ask(assistant, question) for question in UNANSWERABLE}


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_unanswerable_abstains_plainly_and_offers_questions(assistant, abstentions, question):
    answer = abstentions[question]
    data = check_contract(answer, assistant)
    assert data["abstained"] is True
    assert data["citations"] == []
    assert marker_numbers(answer.answer) == []
    assert data["recommendation"] is None
    offers = answer.suggestions
    assert 2 <= len(offers) <= 3
    assert len(set(offers)) == len(offers)
    for offer in offers:
        assert offer in answer.answer  # offered in the text, not only as buttons
    assert answer.answer.index(offers[0]) > 0  # after saying that the article doesn't answer


def test_offered_questions_are_answered(assistant, abstentions):
    offered = sorted({offer for answer in abstentions.values() for offer in answer.suggestions})
    assert len(offered) >= 3
    for offer in offered:
        answer = ask(assistant, offer)
        check_contract(answer, assistant)
        assert not answer.abstained, (offer, answer.answer)
        if answer.citations and offer != LEARN_FIRST:  # which asks back which background fits
            check_grounded(answer, lead_allowed=True)


@pytest.mark.parametrize("question", [
    "What is the average DataOps salary?",
    "How much does a DevOps engineer make per year?",
    "What is the entry-level MLOps salary?",
    "What salary range does the table give for DataOps?",
])
def test_missing_salary_figure_says_so_then_cites_what_the_text_says(assistant, question):
    answer = ask(assistant, question)
    check_contract(answer, assistant)
    assert not answer.abstained
    assert "no such figure" in lead_of(answer).lower()  # the notice first, uncited
    check_grounded(answer, lead_allowed=True)  # then cited sentences of the article
    assert answer.citations
    assert SALARY in {c.section for c in answer.citations}


def test_the_one_salary_figure_the_text_has_is_given_without_the_notice(assistant):
    answer = ask(assistant, "What is the average base salary of a senior MLOps engineer?")
    check_grounded(answer)
    assert not answer.abstained
    assert has_fact(answer, "$205,958")
    assert "no such figure" not in answer.answer.lower()


@pytest.mark.parametrize(("question", "section"), [
    ("What does the master comparison table say?", "The Master Comparison"),
    ("Which tools are in the tool ecosystem table?", "Tool Ecosystems Compared"),
    ("What does the MLOps pipeline diagram show?", "A Concrete Workflow Comparison"),
])
def test_missing_table_or_diagram_says_so_then_cites(assistant, question, section):
    answer = ask(assistant, question)
    check_contract(answer, assistant)
    assert not answer.abstained
    assert "not in the article's text" in lead_of(answer)
    check_grounded(answer, lead_allowed=True)
    assert section in {c.section for c in answer.citations}


@pytest.mark.parametrize("question", ["what tools does mlops use?", "list the devops tools",
                                      "tools for dataops?"])
def test_which_tools_a_discipline_uses_gets_the_tool_tables_notice(assistant, question):
    """Which tool belongs to which discipline was the page's absent table; the sentences around
    it still answer, cited."""
    answer = ask(assistant, question)
    assert lead_of(answer).startswith("Which tools each discipline uses is not in the article")
    check_grounded(answer, lead_allowed=True)
    assert "Tool Ecosystems Compared" in {c.section for c in answer.citations}


@pytest.mark.parametrize(("question", "fact"), [
    ("which tools do all three share?", "Jenkins"),
    ("what tools do dataops teams use for versioning?", "DVC"),
])
def test_tools_the_text_names_are_answered_without_the_notice(assistant, question, fact):
    answer = ask(assistant, question)
    assert lead_of(answer) == "" and has_fact(answer, fact), answer.answer


@pytest.mark.parametrize(("question", "name"), [
    ("can i use terraform for mlops?", "Terraform"),  # an English word too
    ("does dataops use snowflake?", "Snowflake"),     # a common one
    ("is jira used in devops?", "Jira"),              # one edit from English words
])
def test_a_tool_the_article_never_names_is_declined_by_name_whatever_its_case(assistant, question,
                                                                              name):
    answer = ask(assistant, question)
    assert answer.abstained and not answer.citations, answer.answer
    assert f"does not mention {name}" in answer.answer


def test_a_tool_named_in_a_background_does_not_stop_the_recommendation(assistant):
    answer = ask(assistant, "I'm a sysadmin who writes terraform all day, which ops should i "
                            "learn first?")
    assert not answer.abstained and answer.recommendation is not None, answer.answer


@pytest.mark.parametrize(("question", "reason"), [
    ("what is kodekloud", "does not talk about that"),          # only its promotions name it
    ("who is the ceo of kodekloud", "the article does not say who"),  # no "?": not trivia
    ("whos the ceo of kodekloud", "the article does not say who"),
    ("how many days of leave do we get", "does not talk about that"),  # no goodbye either
    ("what about terraform for devops", "does not mention Terraform"),
    ("is spark mentioned", "does not mention Spark"),
])
def test_a_decline_is_never_empty_and_gives_the_plain_reason(assistant, question, reason):
    """Third newcomer trial: an empty answer that was not declined, the DevOps definition for
    "who is the CEO", "Bye!" to a question about leave, and product or code reasons for tools
    the article never names."""
    answer = ask(assistant, question)
    assert answer.abstained and not answer.citations and reason in answer.answer, answer.answer


def test_a_plain_question_gets_no_notice(assistant):
    answer = ask(assistant, "Why do DataOps salaries lag behind?")
    assert not answer.abstained
    assert lead_of(answer) == ""
    assert has_fact(answer, "the title is inconsistent")


@pytest.mark.parametrize(("question", "reason"), [
    ("who is the ceo of kodekloud?", "the article does not say who"),
    ("Who is the current CTO of LinkedIn?", "(the article does not"),
    ("How many days of parental leave do we get?", "the article does not talk about that"),
    ("Can I leave early on Fridays?", ""),
])
def test_a_question_whose_answer_is_not_in_the_article_is_declined_not_padded(assistant, question,
                                                                                reason):
    """A 'who holds this role' question needs a person in the answer, not sentences that share
    its other words; a question about leave is no goodbye."""
    answer = ask(assistant, question)
    assert answer.abstained and not answer.citations, answer.answer
    assert reason in answer.answer


@pytest.mark.parametrize(("question", "person"), [
    ("Who coined the term DataOps?", "Lenny Liebmann"),
    ("who came up with DevOps?", "Patrick Debois"),
])
def test_who_did_it_is_answered_with_the_person(assistant, question, person):
    answer = ask(assistant, question)
    assert not answer.abstained and person in answer.answer


def test_an_alias_of_something_the_article_names_is_read_as_its_name(assistant):
    answer = ask(assistant, "What does the WEF report say?")
    assert not answer.abstained and "World Economic Forum" in answer.answer
    assert answer.rewritten_query == "What does the World Economic Forum report say?"
    kept = ask(assistant, "how fast is deployment velocity in devops?")
    assert "velocity" in kept.rewritten_query  # a common word is no alias: "Velocity" conference


@pytest.mark.parametrize(("question", "notice"), [
    ("show me the comparison table", "That table is not in the article's text"),
    ("draw me a diagram of the mlops pipeline", "That diagram is not in the article's text"),
])
def test_a_request_for_the_pages_absent_table_gets_the_notice_not_a_decline(assistant, question,
                                                                            notice):
    answer = ask(assistant, question)
    assert answer.answer.startswith(notice) and answer.citations, answer.answer

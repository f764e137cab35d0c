"""The understanding step on its own (no index): dialogue acts, clauses, references, backgrounds,
carry-over, other languages. Real classifiers, trained from the package's language data over the
real embedding model; the speller knows the article's words."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.conversation import Conversation, Item, Turn
from assistant.language import OTHER_ROLE, Act, load
from assistant.nlu import Classifiers
from assistant.spelling import Speller
from assistant.text import words
from assistant.topics import topic_of
from assistant.understanding import Reader, split_clauses, understand
from ingest.settings import CHECKOUT_DIR, MODEL_SHA256

ARTICLE = (CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def reader() -> Reader:
    from ingest.embedding import load_embeddings

    embeddings = load_embeddings(MODEL_SHA256)
    classifiers = Classifiers.train(load(), embeddings.embed_documents)
    speller = Speller(words(ARTICLE))

    def vectors(texts):
        return np.asarray(embeddings.embed_documents(texts))

    return Reader(lambda texts: classifiers.intents.predict(vectors(texts)),
                  lambda texts: classifiers.backgrounds.predict(vectors(texts)), speller.fix,
                  lambda word: bool(speller.english.known([word])))


def after(question: str, answer: str, items: list[str] = (), **turn) -> Conversation:
    """A conversation whose last turn asked `question` and was answered with `answer`."""
    from assistant.references import mentions_in

    mentions = list({m.name: m for m in mentions_in(question) + mentions_in(answer)}.values())
    return Conversation(turns=[Turn(question, question, topic_of(question), mentions=mentions,
                                    items=[Item(label=i) for i in items], **turn)])


@pytest.mark.parametrize(("message", "act"), [
    ("hey, good morning!", Act.small_talk),
    ("cheers, that cleared it up", Act.small_talk),
    ("ok got it", Act.small_talk),
    ("alright, that's it from me, bye", Act.small_talk),
    ("what sort of things do you know about?", Act.about_assistant),
    ("can you write me a terraform module for an eks cluster", Act.out_of_scope),
    ("what's the best pizza place in town", Act.out_of_scope),
    ("should my startup go with gitlab or bitbucket", Act.out_of_scope),
    ("where did the mlops term come from", Act.question),
    ("how do monitoring signals differ for a model", Act.question),
    ("which of these three should i study before the others?", Act.learning_path),
    ("i mostly write golang microservices", Act.background),
    ("¿Qué es DataOps y quién lo inventó?", Act.other_language),
    ("Was ist der Unterschied zwischen DevOps und MLOps?", Act.other_language),
])
def test_dialogue_acts(reader, message, act):
    assert understand(message, Conversation(), reader).act is act


def test_chatter_that_names_a_discipline_or_leans_on_the_chat_is_a_question(reader):
    assert understand("thanks, and what about mlops?", Conversation(), reader).act is Act.question
    assert understand("and after that?", Conversation(), reader).act is Act.question
    assert understand("Why?", Conversation(), reader).act is Act.question


def test_gibberish_is_a_question_for_scope_to_decline(reader):
    assert understand("zxqv plorf", Conversation(), reader).act is Act.question


def test_every_small_talk_example_is_small_talk_though_no_dictionary_lists_its_words(reader):
    """"thx", "kk", "lol": chat abbreviations are not gibberish (they had been declined)."""
    language = load()
    examples = [(name, str(e)) for name, i in language.intents.items()
                if i.act is Act.small_talk for e in i.examples]
    misread = [(text, got.intent) for name, text in examples
               if (got := understand(text, Conversation(), reader)).intent != name]
    assert misread == []


@pytest.mark.parametrize("text", ["explain in one sentence what mlops is",
                                  "tell me what the term dataops means", "what devops is?"])
def test_a_question_asking_what_something_is_in_indirect_word_order_asks_for_its_definition(text):
    assert "definition" in topic_of(text).aspects
    assert "definition" not in topic_of("what the difference is between devops and mlops").aspects


@pytest.mark.parametrize(("text", "clauses"), [
    ("who started devops, and who started dataops?", ["who started devops", "who started dataops?"]),
    ("what is mlops and why does it exist", ["what is mlops", "why does it exist"]),
    ("argo or flux, which is better?", ["argo or flux, which is better?"]),
    ("backend dev here. what next?", ["backend dev here.", "what next?"]),
    ("how do testing and versioning differ", ["how do testing and versioning differ"]),
])
def test_a_message_is_split_into_its_questions(text, clauses):
    assert split_clauses(text) == clauses


def test_two_questions_are_two_parts_each_standing_alone(reader):
    understood = understand("who came up with the word devops, and when?", Conversation(), reader)
    first, second = understood.questions
    assert first.disciplines == ("DevOps",) and second.disciplines == ("DevOps",)
    assert second.follow_up and "history" in second.aspects


def test_pronouns_resolve_to_the_person_and_the_thing_of_the_last_turn(reader):
    conversation = after("Who ran the first DevOpsDays conference?",
                         "It was born in October 2009 when Belgian consultant Patrick Debois ran "
                         "the first DevOpsDays conference in Ghent.")
    part = understand("what year did he organise it?", conversation, reader).questions[0]
    assert "Patrick Debois" in part.standalone and "DevOpsDays conference" in part.standalone
    assert {r.phrase for r in part.references} == {"he", "it"}


def test_they_and_that_paper_resolve_to_the_group_and_the_work(reader):
    conversation = after("Who wrote Hidden Technical Debt in Machine Learning Systems?",
                         "Google researchers published Hidden Technical Debt in Machine Learning "
                         "Systems (Sculley et al., NeurIPS 2015).")
    part = understand("where did they present that paper?", conversation, reader).questions[0]
    assert part.standalone == ("where did Google researchers present Hidden Technical Debt in "
                               "Machine Learning Systems?")


def test_the_term_points_at_the_discipline(reader):
    conversation = after("what is dataops", "DataOps is the engineering discipline ...")
    part = understand("so who came up with the term?", conversation, reader).questions[0]
    assert "DataOps" in part.standalone


@pytest.mark.parametrize(("message", "label"), [
    ("can you expand on the third one", "versioning"),
    ("and the final one?", "monitoring"),
    ("what about number two", "testing"),
    ("2nd one pls", "testing"),  # a message that opens with the position, without "the"
])
def test_ordinals_point_at_the_items_of_the_last_list(reader, message, label):
    conversation = after("the four differences?", "...", ["artifact", "testing", "versioning",
                                                           "monitoring"])
    part = understand(message, conversation, reader).questions[0]
    assert part.item is not None and part.item.label == label and label in part.standalone


def test_the_next_one_follows_the_item_the_last_turn_was_about(reader):
    conversation = after("the four differences?", "...", ["artifact", "testing", "versioning"],
                         item=0)
    assert understand("ok, the next one?", conversation, reader).questions[0].item.label == "testing"


def test_the_first_in_ordinary_words_is_not_a_reference(reader):
    conversation = after("the four differences?", "...", ["artifact", "testing"])
    part = understand("who ran the first devopsdays conference", conversation, reader).questions[0]
    assert part.item is None
    assert understand("first, what is devops?", conversation, reader).questions[0].item is None


def test_a_standalone_question_keeps_none_of_the_previous_topic(reader):
    conversation = after("How does testing differ between DevOps and MLOps?", "...")
    part = understand("When did Lenny Liebmann coin DataOps?", conversation, reader).questions[0]
    assert not part.follow_up and part.aspects == ("history",)
    assert part.standalone == "When did Lenny Liebmann coin DataOps?"


def test_an_elliptical_question_carries_the_previous_topic(reader):
    conversation = after("How does testing differ between DevOps and MLOps?", "...")
    part = understand("and for versioning?", conversation, reader).questions[0]
    assert part.follow_up and part.disciplines == ("DevOps", "MLOps")
    assert part.aspects == ("versioning",)


def test_a_name_the_user_addresses_is_not_part_of_the_question(reader):
    part = understand("When was DevOps born, Zoë?", Conversation(), reader).questions[0]
    assert "Zoë" not in part.standalone and "DevOps" in part.standalone


def test_slang_is_read_as_the_words_it_stands_for(reader):
    part = understand("how much r mlops engs paid, comp wise", Conversation(), reader).questions[0]
    assert "compensation" in part.standalone and "engineers" in part.standalone


def test_ranking_and_list_words_are_noticed(reader):
    ranking = understand("which one has the fewest jobs?", Conversation(), reader).questions[0]
    listing = understand("list all the tools they share", Conversation(), reader).questions[0]
    more = understand("tell me more about monitoring", Conversation(), reader).questions[0]
    assert ranking.ranking and listing.enumeration and not more.ranking


@pytest.mark.parametrize(("message", "background"), [
    ("sre here, which of the three next?", "DevOps engineer"),
    ("i spend all day tuning xgboost models. what do i learn first?", "data scientist"),
    ("I used to be a data scientist but now I'm a software developer. where do I start?",
     "software engineer"),
    ("I'm a data analyst, not a data engineer. What first?", "data analyst"),
    ("i work as a pharmacist, where do i start?", "pharmacist"),
    ("my background is in hospitality. which ops first?", OTHER_ROLE),
    ("I'm a carpenter, which one should I learn?", "carpenter"),
    # a role of someone else beside the user's own (second newcomer trial)
    ("my wife is a data scientist, i'm a nurse. which ops should i learn?", "nurse"),
    ("I work with data scientists as a backend dev. what first?", "software engineer"),
    ("fresh grad, which ops should i learn first", "coming in fresh"),
    ("i'm a data analyst, my bf is a sysadmin. what should i learn first", "data analyst"),
])
def test_backgrounds_from_names_and_descriptions(reader, message, background):
    assert understand(message, Conversation(), reader).background == background


@pytest.mark.parametrize("message", [
    "i manage servers all day, and our team just hired two data scientists. which ops first?",
    "my manager is a data scientist. where should i start?",
    "I help data scientists get their stuff deployed, what do I learn first",
])
def test_the_role_of_someone_the_user_mentions_is_not_the_users_background(reader, message):
    assert understand(message, Conversation(), reader).background != "data scientist"


def test_a_background_named_about_someone_else_is_not_the_users(reader):
    understood = understand("Why would a data scientist skip DevOps?", Conversation(), reader)
    assert understood.background is None and understood.named_background == "data scientist"


def test_a_bare_role_answers_the_clarifying_question(reader):
    asked = Conversation(asked_background=True)
    assert understand("platform engineer", asked, reader).background == "DevOps engineer"
    assert understand("What is DataOps?", asked, reader).background is None

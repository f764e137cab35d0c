"""The intent classifier's verdicts checked against exact cues, clause by clause (`intents_of`).

The classifier reads a clause's meaning; the checks here overrule it where a word settles the
matter: a question that names a discipline is no chatter, a request for the article's sources is
a question, "ok, back to it" only turns the chat back, "what now?" beside a stated background
asks which Ops to learn first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.backgrounds import find_background, named_background
from assistant.conversation import Conversation
from assistant.language import Act, Language
from assistant.nlu import Prediction
from assistant.references import mentions_in, points_at_item
from assistant.text import STOPWORDS, words
from assistant.topics import topic_of

if TYPE_CHECKING:
    from assistant.understanding import Part, Reader

MIN_CONFIDENCE = 0.5   # below this, a clause is taken for a question and scope decides
MIN_OUT_OF_SCOPE = 0.6  # a decline without looking needs a surer verdict
ARTICLE_KINDS = {"person", "group", "work", "event", "discipline"}  # what only the article knows


def intents_of(parts: list[Part], fixed: list[str], reader: Reader) -> list[Prediction]:
    """Each part's intent: the classifier's, checked (`_sure`); a clause that only turns the chat
    back is an acknowledgement; a question only for where to go next beside a background the
    message states (`fixed`: its clauses, spelling repaired) asks for a learning path."""
    language = reader.language
    predictions = [_sure(p, part, reader)
                   for p, part in zip(reader.intents([p.resolved for p in parts]), parts)]
    predictions = [Prediction("acknowledgement", 1.0) if language.transition.search(part.text)
                   else p for p, part in zip(predictions, parts)]  # "ok, back to it."
    acts = [language.act_of(p.label) for p in predictions]
    if Act.background in acts and find_background(fixed, acts, Conversation(), reader.backgrounds,
                                                  language):
        predictions = _what_now(predictions, parts, language)
    return predictions


def _what_now(predictions: list[Prediction], parts: list[Part], language: Language
              ) -> list[Prediction]:
    """A question that only asks where to go next ("what now?", "what should I do?") beside a
    background the message states ("I write SQL and build dbt models all day.") asks which Ops
    to learn first."""
    return [Prediction("learning_path", p.confidence)
            if language.act_of(p.label) is not Act.learning_path
            and language.asks_direction.search(part.resolved) else p
            for p, part in zip(predictions, parts)]


def _sure(prediction: Prediction, part: Part, reader: Reader) -> Prediction:
    """The classifier's verdict, checked against exact cues. A question for scope to judge:
    a doubtful verdict; chatter or a request that names a discipline or starts like a follow-up
    ("and after that?", "what about monitoring?"), unless it asks about the article itself and
    names it ("and when was the article published?"); a "general knowledge" question about someone
    or something the article names or the disciplines, or that points back at what the
    conversation named ("what do they argue about?"); a statement of background without "I"/"my" or a role name;
    a text without one English word ("qwertyuiop"); a question "about the assistant" that names
    something unknown ("what is LLMOps?") or does not point at the assistant at all ("who
    handles requests to delete personal data?"); a closing intent ("goodbye") read into a
    question asking for a fact ("can I leave early?"); a request for the page's absent table or
    diagram ("show me the comparison table"), which scope answers; any request outside the
    article when the index holds the user's own files beside it, which may answer it ("what
    are the deploy steps?", "who is the team lead?"); a request for the works the article cites
    ("list the sources at the end", "what research is this based on"), which it lists."""
    language, clause = reader.language, part.resolved
    act = language.act_of(prediction.label)
    if act is Act.question:
        return prediction
    doubtful = prediction.confidence < (MIN_OUT_OF_SCOPE if act is Act.out_of_scope
                                        else MIN_CONFIDENCE)
    topic = topic_of(clause)
    leaning = bool(topic.disciplines or language.follow_up_start.search(clause))
    about_the_article = prediction.label == "about_article" and language.the_article.search(clause)
    chatter = act in (Act.small_talk, Act.about_assistant) and leaning and not about_the_article
    positional = act is Act.small_talk and points_at_item(clause, language)  # "the 2nd one pls"
    own_disciplines = bool(part.disciplines) and not part.follow_up  # none carried over
    named = (prediction.label == "general_knowledge" and (bool(part.references) or own_disciplines
                                                          or part.dangling and bool(part.disciplines)
                                                          or any(m.kind in ARTICLE_KINDS
                                                                 for m in mentions_in(clause, language)))
        or act in (Act.about_assistant, Act.out_of_scope) and reader.names_a_heading(clause))
    selfless = act is Act.background and not (language.first_person.search(clause)
                                              or named_background(clause, language))
    asks_of_self = (act is Act.background and bool(language.self_question.search(clause))
                    and not named_background(clause, language))  # "when would i learn k8s then"
    tokens = words(clause)
    gibberish = not any(w in STOPWORDS or w in language.chat_words or reader.is_english_word(w)
                        for w in tokens)
    unknown = (act is Act.about_assistant and not language.second_person.search(clause)
               and not all(w in STOPWORDS or reader.is_english_word(w) for w in tokens))
    asks = language.intents[prediction.label].closing and bool(
        language.information_question.search(clause))
    unaddressed = act is Act.about_assistant and not (language.second_person.search(clause)
                                                      or language.addressed.search(clause))
    files_first = reader.other_files and act is Act.out_of_scope
    absent = act is Act.out_of_scope and any(  # scope gives the notice
        language.missing[kind].search(clause) for kind in ("table", "diagram"))
    cited = act in (Act.about_assistant, Act.out_of_scope) and "sources" in topic.aspects
    if doubtful or chatter or named or selfless or asks_of_self or gibberish or unknown or asks \
            or unaddressed or files_first or absent or cited or positional:
        return Prediction("ask_article", prediction.confidence)
    return prediction

"""The assistant's own answers, which cite nothing: to small talk, to questions about itself, to a
message in another language, and the decline of what the article does not answer. Their words
are in assistant/language/replies.yaml."""

from __future__ import annotations

from assistant.language import Act, Language
from assistant.schema import Answer
from assistant.topics import LANGUAGE
from assistant.understanding import Understanding


def offers_text(offers: list[str], language: Language = LANGUAGE) -> str:
    return f"{language.replies.suggest_lead} " + " / ".join(offers) if offers else ""


def chat_reply(question: str, understood: Understanding, offers: list[str],
               language: Language = LANGUAGE) -> Answer:
    """A reply to small talk, to a question about the assistant, or to another language: our own
    words and two or three questions the article answers; nothing cited, nothing declined
    except a message we cannot read."""
    replies = language.replies
    if understood.intent == "about_article":
        said = replies.about_article
    elif understood.act is Act.about_assistant:
        said = replies.about_assistant
    elif understood.act is Act.other_language:
        said = replies.other_language
    else:
        said = replies.small_talk.get(understood.intent, replies.small_talk["acknowledgement"])
    return Answer(session="", question=question, answer=f"{said} {offers_text(offers)}".strip(),
                  abstained=understood.act is Act.other_language, rewritten_query=understood.text,
                  suggestions=offers)


def decline(question: str, query: str, reason: str, offers: list[str], lead: str = "",
            language: Language = LANGUAGE, files: bool = False, article: bool = True) -> Answer:
    """What the article does not answer, said plainly, with questions it does answer; `files`:
    the index holds other files too, which do not answer it either; `article` False: the index
    lacks the article itself, which is said instead (and nothing is offered)."""
    words = language.replies.decline
    if not article:
        offers = []
        said = (words.no_article, "")
    else:
        said = (words.lead_files, words.scope_files) if files else (words.lead, words.scope)
    text = " ".join(filter(None, [lead, said[0].format(reason=reason), said[1],
                                  offers_text(offers)]))
    return Answer(session="", question=question, answer=text, abstained=True,
                  rewritten_query=query, suggestions=offers)


def reason(key: str, language: Language = LANGUAGE, **values: str) -> str:
    """A decline reason of replies.yaml, filled in."""
    return language.replies.decline.reasons[key].format(**values)

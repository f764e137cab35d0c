"""Answering one question of a message from the article, as a LangChain runnable chain of two
typed steps: `Ask` -> retrieve -> `Found` -> judge and compose -> `PartReply`.

Retrieval is hybrid (index.py); a question about a listed item of the last answer reads that
item's section instead. A question asking for what the article enumerates is answered with the
whole enumeration (structure.py); any other is judged for scope (scope.py) and composed from the
article's sentences (compose.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from langchain_core.documents import Document
from langchain_core.runnables import Runnable, RunnableConfig

from assistant.claims import Claim
from assistant.compose import Composer
from assistant.conversation import Item
from assistant.index import Index
from assistant.scope import foreign, from_source, judge, lacking_sources, missing_answer_type
from assistant.relevance import asked_kinds
from assistant.replies import reason
from assistant.selection import asks_more
from assistant.spelling import Speller
from assistant.structure import Enumeration, counted_list, enumerations, pick
from assistant.text import heading_label, stems
from assistant.topics import LANGUAGE, disciplines_in
from assistant.understanding import Part


In, Out = TypeVar("In"), TypeVar("Out")


class Step(Runnable[In, Out], Generic[In, Out]):
    """A chain step that calls its function and nothing else. RunnableLambda inspects the
    function's signature and opens a callback run on every call: ~0.2 ms a step, a fifth of the
    Python in a warm answer; the chain around the steps still opens its run."""

    def __init__(self, func: Callable[[In], Out]):
        self.func, self.name = func, func.__name__

    def invoke(self, input: In, config: RunnableConfig | None = None, **kwargs) -> Out:
        return self.func(input)


@dataclass(frozen=True)
class Ask:
    """One question to answer from the article; `said`: sentences the previous answer quoted,
    not said again (for a follow-up)."""

    part: Part
    said: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Found:
    """The chunks retrieved for a question, and the enumeration it asks for, if any."""

    part: Part
    docs: list[Document]
    enumeration: Enumeration | None = None
    said: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PartReply:
    """The answer to one question: claims and our own notices in reading order, or the reason
    the article does not answer it; and the items it listed, for "the second one" later."""

    part: Part
    pieces: list[Claim | str] = field(default_factory=list)
    declined: str | None = None
    items: list[Item] = field(default_factory=list)
    docs: list[Document] = field(default_factory=list)


class Answerer:
    """The retrieve-then-compose chain over one index."""

    def __init__(self, index: Index, composer: Composer, speller: Speller):
        self.index, self.composer, self.speller = index, composer, speller
        self.enumerations = enumerations(index)
        self.lacking = lacking_sources(index.documents.values())
        self.chain = Step(self.retrieve) | Step(self.reply)

    def retrieve(self, ask: Ask) -> Found:
        part = ask.part
        if part.item is not None and part.item.section:
            docs = [d for d in self.index.section(part.item.section)
                    if d.metadata.get("kind") != "editorial_note"]
            return Found(part, docs)  # what the list said of it is said again, in full
        # the understanding step embedded both forms already; a question made up here (the
        # recommender's) embeds them in one model call
        self.index.embeddings.embed_queries([part.retrieval_query, part.standalone])
        docs = self.index.retriever.invoke(part.retrieval_query)
        listed = (pick(part.standalone, docs, self.enumerations) if part.enumeration
                  else counted_list(part.standalone, self.enumerations, self.index))
        return Found(part, docs, listed, ask.said)

    def _own_words_verdict(self, part: Part, docs: list[Document]) -> str | None:
        """A follow-up is judged on its own words first, as in a fresh chat."""
        own = part.resolved
        return foreign(own, self.speller, self.composer.best_similarity(own, docs),
                       self.composer.coverage(own, docs))

    def reply(self, found: Found) -> PartReply:
        part, docs = found.part, found.docs
        if part.unpointed:  # "and the 3rd?" after an answer that listed nothing
            return PartReply(part, declined=reason("no_list"), docs=docs)
        query = part.standalone
        verdict = from_source(judge(query, part.topic, self.speller,
                                    self.composer.best_similarity(query, docs),
                                    self.composer.coverage(query, docs)),
                              [d.metadata["source"] for d in docs[:1]], self.lacking)
        if found.enumeration is not None and not verdict.notice:
            return PartReply(part, found.enumeration.claims(), items=found.enumeration.listed(),
                             docs=docs)
        own = self._own_words_verdict(part, docs) if _reads_alone(part, found.said) else None
        if (verdict.reason or own) and part.item is None:
            return PartReply(part, declined=own or verdict.reason, docs=docs)
        claims = self.composer.compose(part, docs, found.said, missing=bool(verdict.notice))
        nothing_new = part.again and bool(found.said) and all(c.text in found.said for c in claims)
        if (nothing_new and asks_more(part.text) and part.disciplines and not verdict.notice
                and asked_kinds(part.standalone)):  # who, when, ...: its one fact all said
            wider = self._more_about(part, found.said)
            if wider is not None:
                return wider
        if nothing_new:  # "tell me more" of all there is: the whole answer again, saying so
            claims = self.composer.compose(part, docs, missing=bool(verdict.notice))
        if not claims:  # every candidate was filler or a promotion ("what is kodekloud")
            return PartReply(part, declined=reason("off_topic"), docs=docs)
        verdict = from_source(verdict, [c.doc.metadata["source"] for c in claims], self.lacking)
        missing = missing_answer_type(query, [c.text for c in claims])
        if missing and not verdict.notice:
            return PartReply(part, declined=missing, docs=docs)
        notices = [verdict.notice] if verdict.notice else []
        other = said_of_another(part, claims)
        if other:  # "is devops dying?" answered by "Is DataOps dying, or is it being absorbed?"
            notices.append(LANGUAGE.replies.notices["said_of_another"].format(
                asked=part.disciplines[0], said=other))
        if nothing_new:
            notices.append(LANGUAGE.replies.notices["no_more"])
        return PartReply(part, notices + claims, items=items_of(claims), docs=docs)

    def _more_about(self, part: Part, said: frozenset[str]) -> PartReply | None:
        """"Tell me more" once a question for one fact (who coined it, when) has all its
        passages said: what the article says about its disciplines that the answers so far left
        out; None when that is nothing. (After a topical answer, "more" stays on the topic.)"""
        names = " and ".join(part.disciplines)
        wider = part.model_copy(update={"standalone": f"Tell me more about {names}.",
                                        "aspects": (), "again": False})
        found = self.retrieve(Ask(wider, said))
        claims = self.composer.compose(wider, found.docs, said)
        if not claims or all(c.text in said for c in claims):
            return None
        return PartReply(part, claims, items=items_of(claims), docs=found.docs)


def said_of_another(part: Part, claims: list[Claim]) -> str | None:
    """The discipline an answer is about when the question asked about another one: every claim
    comes from sections headed with that one discipline's name, and none names the asked one."""
    if len(part.disciplines) != 1 or not claims:
        return None
    headed = {disciplines_in(heading_label(c.doc.metadata["section"])) for c in claims}
    if len(headed) != 1 or len(next(iter(headed))) != 1:
        return None
    (said,) = next(iter(headed))
    asked = part.disciplines[0]
    if said == asked or any(asked in disciplines_in(c.text) for c in claims):
        return None
    return said


def _reads_alone(part: Part, said: frozenset[str]) -> bool:
    """A follow-up only because it is short ("whats the weather in paris"): it neither starts
    like one ("and for observability?"), points back ("what's it called now?") nor takes up a
    word of the last answer ("which fundamentals specifically?")."""
    if not part.follow_up or part.item is not None or part.references or part.again:
        return False
    taken_up = set(stems(part.text)) & {s for sentence in said for s in stems(sentence)}
    return not taken_up and not LANGUAGE.follow_up_start.search(part.text)


def items_of(claims: list[Claim]) -> list[Item]:
    """The list items an answer shows, in order (none unless it shows two or more)."""
    keys = [c.item for c in claims if c.item]
    items = [Item(label=next(c.label or c.text.rstrip(".") for c in claims if c.item == key))
             for key in dict.fromkeys(keys)]
    return items if len(items) >= 2 else []

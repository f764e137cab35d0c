"""What a scripted dialog expects of one turn, and the checks: of the answer (`expect:`) and, as
Rasa's test stories state the intent of every user step, of what was understood (`understood:`).
Each check comes back with what was expected and what came back."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from assistant.citations import MARKERS
from assistant.evaluation import fact_hits
from assistant.language import Act
from assistant.schema import Answer, Discipline

LINE, KEYS = "__line__", "__keys__"


class _Located(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    line: int = Field(0, alias=LINE, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _drop_key_lines(cls, data: Any) -> Any:
        return {k: v for k, v in data.items() if k != KEYS} if isinstance(data, dict) else data


def _as_list(value: Any) -> Any:
    """A single value where a list is expected counts as a list of one; scalars become text."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in items]


Texts = Annotated[list[str], BeforeValidator(_as_list)]
Facts = Annotated[list[str | list[str]], BeforeValidator(_as_list)]


class Expect(_Located):
    """What one turn's answer must satisfy. Text checks ignore case and the [n] markers."""

    contains: Texts = []
    key_facts: Facts = []
    contains_all: Texts = []
    contains_any: Texts = []
    not_contains: Texts = []
    regex: Texts = []
    cites_section: Texts = []
    min_citations: int | None = Field(None, ge=0)
    max_citations: int | None = Field(None, ge=0)
    recommendation: Discipline | None = None
    abstained: bool | None = None
    max_latency_ms: float | None = Field(None, gt=0)

    @field_validator("regex")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"bad regular expression {pattern!r}: {error}") from None
        return patterns


class Understood(_Located):
    """What a turn must be understood as (each key optional): its dialogue act and intent, the
    disciplines and aspects of its questions, the user's background (`null` must be written to
    be checked), words its standalone question holds (references resolved), its number of
    questions."""

    act: Act | None = None
    intent: str | None = None
    disciplines: list[Discipline] | None = None
    aspects: list[str] | None = None
    background: str | None = None
    resolved: Texts = []
    questions: int | None = Field(None, ge=0)


class CheckResult(BaseModel):
    kind: str
    expected: Any
    actual: Any
    passed: bool


def check(expect: Expect, answer: Answer) -> list[CheckResult]:
    """Every expectation of a turn against its answer, each with what came back."""
    text = " ".join(MARKERS.sub("", answer.answer).split())
    phrases = expect.contains + expect.not_contains + expect.contains_all + expect.contains_any
    held = dict(zip(phrases, fact_hits(answer.answer, phrases)))  # any case, without [n]
    facts = fact_hits(answer.answer, expect.key_facts)
    sections = [c.section for c in answer.citations]
    results = [CheckResult(kind="contains", expected=s, actual=text, passed=held[s])
               for s in expect.contains]
    results += [CheckResult(kind="not_contains", expected=s, actual=text, passed=not held[s])
                for s in expect.not_contains]
    results += [CheckResult(kind="key_fact", expected=f, actual=text, passed=hit)
                for f, hit in zip(expect.key_facts, facts)]
    lines = "\n".join(" ".join(line.split()) for line in MARKERS.sub("", answer.answer).splitlines())
    results += [CheckResult(kind="regex", expected=p, actual=lines,
                            passed=re.search(p, lines, re.I) is not None) for p in expect.regex]
    results += [CheckResult(kind="cites_section", expected=s, actual=sections, passed=any(
        c.lower().startswith(s.lower()) for c in sections)) for s in expect.cites_section]
    for kind, test in (("contains_all", all), ("contains_any", any)):
        if getattr(expect, kind):
            results.append(CheckResult(kind=kind, expected=getattr(expect, kind), actual=text,
                                       passed=test(held[s] for s in getattr(expect, kind))))
    results += _scalar_checks(expect, answer)
    return results


def _scalar_checks(expect: Expect, answer: Answer) -> list[CheckResult]:
    """Citation counts, recommendation (null counts when written), abstained, latency."""
    values = {"min_citations": (len(answer.citations), lambda want, got: got >= want),
              "max_citations": (len(answer.citations), lambda want, got: got <= want),
              "recommendation": (answer.recommendation, lambda want, got: got == want),
              "abstained": (answer.abstained, lambda want, got: got == want),
              "max_latency_ms": (answer.latency_ms, lambda want, got: got <= want)}
    return [CheckResult(kind=kind, expected=getattr(expect, kind), actual=got,
                        passed=test(getattr(expect, kind), got))
            for kind, (got, test) in values.items() if kind in expect.model_fields_set]


def check_understood(expect: Understood, understood) -> list[CheckResult]:
    """The `understood:` expectations of a turn against its Understanding."""
    topic, standalone = understood.topic, understood.standalone
    got = {"act": understood.act.value, "intent": understood.intent,
           "disciplines": sorted(topic.disciplines), "aspects": sorted(topic.aspects),
           "background": understood.background, "questions": len(understood.questions)}
    wanted = {"act": expect.act.value if expect.act else None, "intent": expect.intent,
              "disciplines": sorted(expect.disciplines or []), "aspects": sorted(expect.aspects or []),
              "background": expect.background, "questions": expect.questions}
    results = [CheckResult(kind=f"understood.{key}", expected=wanted[key], actual=got[key],
                           passed=wanted[key] == got[key])
               for key in got if key in expect.model_fields_set]
    return results + [CheckResult(kind="understood.resolved", expected=words, actual=standalone,
                                  passed=words.lower() in standalone.lower())
                      for words in expect.resolved]



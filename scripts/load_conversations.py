"""The conversations of the load test (scripts/bench_load.py), with what every answer must say.

Sessions next to each other take the three disciplines and the four backgrounds in different
orders, so at any moment they talk about different things, and a session answered from another
session's history fails its own checks. The expectations are the scripted dialogs' own
(assistant/dialogs.py `Expect`), with facts from corpus/, tests/golden/questions.yaml and
tests/dialogs/.
"""

from __future__ import annotations

from itertools import cycle, islice

from assistant.dialogs import DialogTurn, Expect

DISCIPLINES = ("DevOps", "DataOps", "MLOps")
ASPECTS = ("What is {}?", "Who coined the term?", "How does testing work there?",
           "And versioning?", "When?")
# What each of ASPECTS must say in each discipline's conversation ("The 30-Second Definitions",
# "The Four Differences" in corpus/; tests/golden/questions.yaml, tests/dialogs/).
FACTS = {"DevOps": ("shortens the software delivery cycle", "Patrick Debois",
                    "does the code work?", "Git is enough", "October 2009"),
         "DataOps": ("reliability of data pipelines", "Lenny Liebmann",
                     "is the data correct, fresh", "DVC, Delta Lake, LakeFS", "June 19, 2014"),
         "MLOps": ("from notebooks to reliable", "Sculley", "a statistical question",
                   "hyperparameters", "2015")}
EXCLUSIVE = (1, 2, 4)  # aspects whose fact no other discipline's answer holds
# (what the session says, the article's advice, its "Why?", its "And after that?", the first
# discipline), from 'Which "Ops" Should You Learn First?'.
PROFILES = [("I'm a software engineer", "Start with DevOps.", "closest to your existing skill set",
             "clean layered next step", "DevOps"),
            ("I'm a data engineer", "You're already doing most of DataOps",
             "You're already doing most of DataOps", "names no step after MLOps", "MLOps"),
            ("I'm a data scientist", "Skip ahead to MLOps", "sequentially wastes time",
             "names no step after MLOps", "MLOps"),
            ("I'm new to all this", "Start with DevOps fundamentals",
             "substrate that the other two are built on", "names no step after DevOps", "DevOps")]
LEARN_FIRST = "Which Ops should I learn first?"


def turn(user: str, **expect) -> DialogTurn:
    return DialogTurn(user=user, expect=Expect(**expect))


def discipline_turns(asked: str, expected: str | None = None) -> list[DialogTurn]:
    """Follow-ups on `asked`, checked against `expected`'s facts (the same unless cross-wired on
    purpose), each also refusing the facts only another discipline has."""
    facts = FACTS[expected or asked]
    others = [FACTS[d][k] for d in DISCIPLINES if FACTS[d] is not facts for k in EXCLUSIVE]
    return [turn(question.format(asked), contains=facts[k], min_citations=1,
                 not_contains=others if k in EXCLUSIVE else [])
            for k, question in enumerate(ASPECTS)]


def recommender_turns(profile: int, known: bool) -> list[DialogTurn]:
    """The learn-first question: asked without a background (the framework in brief, cited, and
    one clarifying question, answered next) or again once the session gave one (the same advice,
    from what it said earlier)."""
    say, advice, why, after, first = PROFILES[profile]
    others = [p[1] for p in PROFILES if p[1] != advice]
    if known:
        return [turn(LEARN_FIRST, contains=["what you said earlier", advice], not_contains=others),
                turn("How long does it take?", contains=f"how long it takes to learn {first}")]
    return [turn(LEARN_FIRST, contains="Which fits you best", min_citations=1),
            turn(say, contains=advice, not_contains=others, min_citations=1),
            turn("Why?", contains=why, min_citations=1),
            turn("And after that?", contains=after, min_citations=1)]


def script(number: int, turns: int) -> list[DialogTurn]:
    """Session `number`'s conversation: its own discipline order and background, so sessions
    next to each other differ in both at every turn."""
    order = DISCIPLINES[number % 3:] + DISCIPLINES[:number % 3]
    profile = number % len(PROFILES)
    opening = discipline_turns(order[0]) + recommender_turns(profile, known=False)
    later = cycle([*discipline_turns(order[1]), *recommender_turns(profile, known=True),
                   *discipline_turns(order[2]), *discipline_turns(order[0])])
    return list(islice([*opening, *islice(later, turns)], turns))

"""The recommender's vocabulary: the article's "Which 'Ops' Should You Learn First?" profiles as
data, and the phrases users ask for a path, describe themselves and follow up with.

Four profiles come from the article, each with its path (steps) in the article's own sentences,
quoted verbatim so they can be cited. A second list holds backgrounds the article does not name
(data analyst, sysadmin, ...), each mapped to its closest profile with our own reason, which the
recommender presents apart from what the article says. Patterns match free text and synonyms
("I write Python services", "I build pipelines in Airflow", "fresh graduate").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTION = 'Which "Ops" Should You Learn First?'

# Sentences of the article that recur in several paths.
MARKET = ("The market in 2026 doesn't reward narrow specialists in any one of these three.",
          "It rewards engineers who can move between layers, DevOps fluency plus enough data and "
          "ML literacy to ship the full system.",
          "If you want optionality, DevOps fluency plus MLOps specialization is the strongest "
          "combination in 2026.")
ORDER = ("Notice the order: DevOps came first, DataOps borrowed its principles for data, and MLOps "
         "inherits from both.")
SHARED = ("That shared foundation is why a strong DevOps engineer can move into MLOps faster than a "
          "strong data scientist can.", "The substrate is the same.",
          "The model layer is the new piece to learn.")
FRESH = ("Start with DevOps fundamentals, containers, CI/CD, Kubernetes, observability.",
         "They're the substrate that the other two are built on, and learning them first means "
         "everything afterward gets easier.")


@dataclass(frozen=True)
class Step:
    """One discipline on a profile's path: what the article says to do, and why (verbatim)."""

    discipline: str
    says: tuple[str, ...]
    why: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """One of the article's four backgrounds."""

    key: str
    someone: str
    patterns: tuple[str, ...]
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Unsupported:
    """A background the article does not name: its closest profile, and our reason (not the
    article's). `step` is where on the closest profile's path this background starts."""

    key: str
    someone: str
    patterns: tuple[str, ...]
    closest: str
    why: str
    step: int = 0


_SE = r"(?:engineer|developer|dev|programmer)s?"
_LANG = (r"(?:back[- ]?end|front[- ]?end|full[- ]?stack|web|mobile|app|application|java|python|go|"
         r"golang|javascript|typescript|ruby|php|rust|ios|android|game|embedded)")
_NOT_COMPUTING = (r"(?!(?:computer|cs|software|data|it|engineering|programming|next|first|1st|now|"
                  r"then|more|that|this|for|what|which|devops|dataops|mlops|ops|up|the|an?)\b)")

PROFILES = (
    Profile("software engineer", "a software engineer", (
        rf"\bsoftware {_SE}\b", rf"\b{_LANG} {_SE}\b", r"\bsoftware engineering\b",
        r"\bprogrammer\b", r"\bcoder\b", r"\bswe\b", r"\bdeveloper\b", r"\bi code\b",
        r"\bi (?:write|build|ship|develop|maintain) (?:\w+ ){0,2}(?:services|apps|applications|"
        r"apis|microservices|code|software|back-?ends?|web ?apps|websites)\b"),
        (Step("DevOps", ("Start with DevOps.",
                         "It's the closest to your existing skill set and the fastest way to add "
                         "operational rigor to what you already do.",
                         "From there, MLOps is a clean layered next step."),
              ("Start with DevOps.",
               "It's the closest to your existing skill set and the fastest way to add operational "
               "rigor to what you already do.", ORDER)),
         Step("MLOps", ("From there, MLOps is a clean layered next step.",) + SHARED, SHARED))),
    Profile("data engineer", "a data engineer", (
        r"\bdata engineer(?:s|ing)?\b",
        r"\b(?:etl|elt|big data|data platform|data pipeline|data infrastructure) (?:engineer|developer|"
        r"dev)s?\b",
        r"\bi (?:build|write|run|maintain|own|manage) (?:\w+ ){0,3}pipelines\b",
        r"\bpipelines? (?:in|with|on) (?:airflow|dbt|spark|kafka|dagster|prefect)\b",
        r"\bi (?:work|spend my days) (?:with|in) (?:airflow|dbt|spark|kafka)\b", r"\bi do etl\b"),
        (Step("MLOps", ("You're already doing most of DataOps even if your title doesn't say it.",
                        "MLOps is the natural extension."),
              ("You're already doing most of DataOps even if your title doesn't say it.", ORDER,
               "The headline takeaway in one sentence: MLOps is essentially DevOps plus DataOps plus "
               "a third loop for the model itself.")),)),
    Profile("data scientist", "a data scientist", (
        r"\bdata scien(?:tist|ce)s?\b", r"\bkaggle\b", r"\b(?:ml|machine learning|ai) researchers?\b",
        r"\bi (?:train|build|fit|develop|tune) (?:\w+ ){0,2}(?:models?|classifiers?|neural networks?)\b",
        r"\bi do (?:machine learning|ml|deep learning|data science)\b"),
        (Step("MLOps", ("Skip ahead to MLOps.",
                        "You'll pick up the DevOps and DataOps fundamentals you need along the way, "
                        "but going through them sequentially wastes time when your bottleneck is "
                        "shipping models."),
              ("You'll pick up the DevOps and DataOps fundamentals you need along the way, but going "
               "through them sequentially wastes time when your bottleneck is shipping models.",
               "MLOps is the engineering discipline that takes ML models from notebooks to reliable, "
               "monitored, continuously improving production systems.")),)),
    Profile("coming in fresh", "someone coming in fresh", (
        r"\bcoming in fresh\b", r"\bno specialty\b", r"\bnew ?comers?\b", r"\bbeginners?\b",
        r"\bnewbies?\b", r"\bnovices?\b", r"\bbootcamp\b", r"\bstarting from (?:scratch|zero)\b",
        r"\bfresh (?:grad(?:uate)?s?|out of (?:school|college|university|uni))\b",
        r"\b(?:new|recent) grad(?:uate)?s?\b", r"\bcareer[- ]?(?:changers?|switchers?)\b",
        r"\b(?:changing|switching) careers?\b", r"\bjust (?:starting|getting started|started)\b",
        r"\bno (?:prior |tech |technical |professional |work |it )?(?:experience|background)\b",
        r"\bnew to (?:tech|it|this|all this|the field|programming|software|engineering)\b",
        r"\b(?:cs|computer science|software|it|data science|engineering) (?:student|grad|major)s?\b",
        r"\b(?:i'?m|i am) (?:an? )?(?:college |university |uni |high school )?student\b",
        r"\bhigh school(?:er)?\b"),
        (Step("DevOps", FRESH, FRESH + (ORDER,)),)),
)

UNSUPPORTED = (
    Unsupported("data analyst", "a data analyst", (
        r"\b(?:data|business|bi|business intelligence|reporting|marketing|financial) analysts?\b",
        r"\bbi developers?\b", r"\bi (?:build|make) dashboards\b"), "data engineer",
        "you work with data and analytics, and DataOps is about data pipelines and analytics "
        "delivery; unlike a data engineer, you may not build those pipelines yourself yet"),
    Unsupported("analytics engineer", "an analytics engineer", (r"\banalytics engineers?\b",),
                "data engineer", "the article notes that DataOps work is often posted under the "
                "titles data engineer or analytics engineer"),
    Unsupported("database administrator", "a database administrator", (
        r"\bdatabase administrators?\b", r"\bdbas?\b"), "data engineer",
        "you already look after data systems, the ground DataOps covers"),
    Unsupported("sysadmin", "a sysadmin", (
        r"\bsys ?admins?\b", r"\bsystems? administrators?\b", r"\bhelp ?desk\b",
        r"\b(?:it|infrastructure|infra|network|operations) (?:engineer|admin|administrator|"
        r"technician|support)s?\b"), "software engineer",
        "you already run the systems that DevOps automates, so DevOps sits next to your skills "
        "as it does for a software engineer"),
    Unsupported("DevOps engineer", "a DevOps engineer", (
        r"\b(?:devops|site reliability|platform|cloud|release|build) engineers?\b", r"\bsres?\b"),
        "software engineer", "you already practise DevOps, the first step the article gives a "
        "software engineer, so its next step is the one for you", step=1),
    Unsupported("ML engineer", "an ML engineer", (r"\b(?:ml|machine learning|ai) engineers?\b",),
                "data scientist", "you work on models, as a data scientist does, and the article's "
                "advice for that profile is about shipping them"),
    Unsupported("tester", "a tester", (
        r"\b(?:qa|quality assurance|test|automation test) (?:engineer|analyst|tester)s?\b",
        r"\btesters?\b", r"\bsdets?\b"), "software engineer",
        "you already work inside software delivery, which DevOps automates"),
    Unsupported("manager", "a product or project manager", (
        r"\b(?:product|project|program) managers?\b", r"\bscrum masters?\b",
        r"\bproduct owners?\b"), "coming in fresh",
        "the other three profiles assume you already build software, data pipelines or models"),
    Unsupported("student in another field", "a student in another field", (
        rf"\bstudent (?:of|in) {_NOT_COMPUTING}\w+", rf"\b(?:studying|i study|majoring in|degree in) "
        rf"{_NOT_COMPUTING}\w+",
        rf"\b(?!(?:computer|cs|software|data|it|engineering|college|university|uni|high|phd|"
        rf"grad|a|an|the)\b)[a-z]{{3,}} (?:student|major)s?\b"), "coming in fresh",
        "you would come to all three disciplines fresh, without a specialty in them yet"),
)

# What users say: requests for a path, statements about themselves, and follow-ups.
_VERBS = r"(?:learn|study|start|begin|pick|choose|focus on|go for|get into|specialize in)"
ASKS = re.compile("|".join([
    rf"\b(?:which|what)\b[^.?!]*\b(?:should|do|would|could|must|shall|to)\b[^.?!]*\b{_VERBS}\b",
    rf"\bshould(?:n'?t| not)?\b[^.?!]*\b{_VERBS}\b(?!\s+(?:narrowly|in just))",
    r"\bwhere (?:do|should|can|would) (?:i|you|we|one|they)\b[^.?!]*\b(?:start|begin)\b",
    r"\bnext step\b", rf"\b{_VERBS}\b[^.?!]*\b(?:first|1st|next)\b",
    r"\bwhich (?:ops|one|discipline|of (?:them|the three))\b(?:\s+(?:for me|then|now|first))?\W*$",
    r"\b(?:which|what) (?:ops|discipline|path)\b[^.?!]*\bfor me\b",
]), re.I)
QUESTIONISH = re.compile(r"\?|\b(?:what|which|why|how|when|where|tell me|explain|describe|"
                         r"compare)\b", re.I)
FIRST_PERSON = re.compile(r"\b(?:i'?m|i am|i'?ve been|i have been|i work|i write|i build|i train|"
                          r"i do|i study|i code|my (?:background|job|role|title)|as an?)\b", re.I)
NEGATED = re.compile(r"(?:\bnot|\bno longer|n't)\s+(?:really\s+|even\s+|just\s+)?(?:an?\s+)?$", re.I)
WHY = re.compile(r"^\W*(?:(?:ok(?:ay)?|and|but|so|hmm+|really|wait)\W+)*(?:why\b|how come\b|"
                 r"what(?:'s| is) the reason|for what reason)", re.I)
AFTER = re.compile(r"\bafter (?:that|this|it|those|them|devops|dataops|mlops)\b|\bwhat(?:'s| is| "
                   r"comes)? next\b|\bthen what\b|^\W*(?:and )?then\W*$|\bnext step\b|"
                   r"\bafterwards?\b|\b(?:learn|study|do) next\b", re.I)
HOW_LONG = re.compile(r"\bhow long\b|\bhow much time\b|\bhow many (?:months|weeks|years|hours)\b|"
                      r"\bhow (?:fast|quickly)\b|\btimeline\b|\btime (?:does|will|would) it take\b",
                      re.I)
COMPARES = re.compile(r"\bwhich (?:one|of (?:them|the three))\b|\b(?:more|most|less|least|better|"
                      r"best)\b|\bvs\.?\b|\bversus\b|\bcompar", re.I)
GENERIC_WHY = ("the other three profiles assume you already build software, data pipelines or "
               "models, and the article does not speak to other backgrounds")
# "I'm a teacher": a self-description that names some role the lists above do not know.
ROLE = re.compile(r"\b(?:i'?m|i am|i work as|my (?:job|role|background) is)\s+(?:an?\s+)"
                  r"((?:[a-z]+\s+)?(?:[a-z]{3,}(?:er|or|ist|ian|ant|ent|ee)|nurse|chef|"
                  r"lawyer|doctor|pilot|artist|farmer|barista))\b", re.I)
VAGUE_ROLES = frozenset({"engineer", "worker", "member", "user", "customer", "reader", "fan",
                         "person", "parent", "owner", "player"})


def generic(phrase: str) -> Unsupported:
    """A background named by the user that no pattern knows: closest to coming in fresh."""
    phrase = phrase.lower()
    someone = f"{'an' if phrase[0] in 'aeiou' else 'a'} {phrase}"
    return Unsupported(phrase, someone, (), "coming in fresh", GENERIC_WHY)

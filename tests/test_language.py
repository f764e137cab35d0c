"""The language data as package data: checked when loaded, checked against an index by
`ops-assistant check-language`, trained into classifiers once per data and model."""

from __future__ import annotations

import re

import numpy as np
import pytest
import yaml
from rapidfuzz import fuzz
from typer.testing import CliRunner

from assistant.language import Language, LanguageDataError, load, problems, read_files
from assistant.nlu import Classifiers, load_or_train
from ingest.settings import CHECKOUT_DIR, MODEL_SHA256
from ui.cli import app

TESTS = CHECKOUT_DIR / "tests"
SHARED_CASES = CHECKOUT_DIR.parent / "shared" / "cases"
CORPUS_FILE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"


def edited(name: str, change) -> dict[str, str]:
    """The package's language files with `name` changed by `change(data)`."""
    files = read_files()
    data = yaml.safe_load(files[name])
    change(data)
    return {**files, name: yaml.safe_dump(data, allow_unicode=True)}


def test_the_package_data_loads_and_every_pattern_compiles():
    language = load()
    assert len(language.intents) >= 10 and len(language.backgrounds) >= 10
    assert language.all_three.search("what do all three share")
    assert language.ranking.search("which pays the most")


@pytest.mark.parametrize(("name", "change", "problem"), [
    ("intents", lambda d: d["intents"]["thanks"]["examples"].append("hi friend"), "written twice"),
    ("intents", lambda d: d["intents"]["goodbye"].update(examples=["bye", "see you"]),
     "at least 15"),
    ("backgrounds", lambda d: d["unlisted"]["tester"].update(closest="astronaut"),
     "not a profile"),
    ("lexicon", lambda d: d["list_cues"].append("(unclosed"), "bad regular expression"),
    ("framework", lambda d: d["paths"].pop("data scientist"), "without"),
    ("lexicon", lambda d: d["products"].append("Great Expectations"), "not one word"),
    ("lexicon", lambda d: d["products"].append("terraform"), "written twice"),
])
def test_malformed_data_is_refused_with_its_file_and_problem(name, change, problem):
    with pytest.raises(LanguageDataError, match=re.escape(problem)):
        Language(edited(name, change))


def test_a_file_that_is_not_yaml_is_refused_with_its_name():
    with pytest.raises(LanguageDataError, match=re.escape("lexicon.yaml is not valid YAML")):
        Language({**read_files(), "lexicon": "list_cues: [unclosed"})


def test_problems_name_what_the_index_does_not_hold():
    language = load()
    found = problems(language, ["Some unrelated text about bread."], {"Baking"})
    assert any("section" in p and "Which" in p for p in found)
    assert any("Skip ahead to MLOps." in p for p in found)
    assert any("Patrick Debois" in p for p in found)
    article = (CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md").read_text(encoding="utf-8")
    sections = {'Which "Ops" Should You Learn First?'}
    assert problems(language, [article], sections) == []


def test_check_language_passes_on_the_article_and_fails_loudly_without_it(
        indexed_settings, small_corpus, tmp_path, monkeypatch):
    result = CliRunner().invoke(app, ["check-language"])
    assert result.exit_code == 0 and "no problems" in result.output, result.output
    from ingest.pipeline import run_ingest
    from ingest.settings import Settings

    monkeypatch.setenv("OPS_ASSISTANT_DATA_DIR", str(tmp_path / "small"))
    run_ingest([small_corpus], Settings(), show_progress=False)
    result = CliRunner().invoke(app, ["check-language"])
    assert result.exit_code == 1
    assert "framework.yaml: sentence not in the index" in result.output


def test_classifiers_are_trained_once_and_kept_per_data_and_model(tmp_path):
    calls = []

    def embed(texts):
        calls.append(len(texts))
        rng = np.random.default_rng(len(texts))
        vectors = rng.normal(size=(len(texts), 8))
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    language = load()
    first = load_or_train(language, embed, tmp_path, MODEL_SHA256)
    again = load_or_train(language, embed, tmp_path, MODEL_SHA256)
    assert len(calls) == 1 and len(list(tmp_path.glob("*.npz"))) == 1
    assert first.intents.labels == again.intents.labels
    assert np.allclose(first.intents.weights, again.intents.weights)
    load_or_train(language, embed, tmp_path, "0" * 64)  # another model: trained anew, old one gone
    assert len(calls) == 2 and len(list(tmp_path.glob("*.npz"))) == 1
    (next(tmp_path.glob("*.npz"))).write_bytes(b"not numpy")
    load_or_train(language, embed, tmp_path, "0" * 64)  # unreadable: trained again
    assert len(calls) == 3


@pytest.fixture(scope="module")
def trained():
    """The three classifiers trained once on the package data, and the model they read."""
    from ingest.embedding import load_embeddings

    embeddings = load_embeddings(MODEL_SHA256)
    return Classifiers.train(load(), embeddings.embed_documents), embeddings


@pytest.mark.parametrize(("classifier", "examples"), [
    ("intents", Language.intent_examples), ("sentences", Language.sentence_examples)])
def test_the_classifiers_learn_their_data(trained, classifier, examples):
    """The intent classifier and the filler classifier each label their own examples right."""
    classifiers, embeddings = trained
    pairs = examples(load())
    vectors = np.asarray(embeddings.embed_documents([text for _, text in pairs]))
    predicted = [p.label for p in getattr(classifiers, classifier).predict(vectors)]
    assert np.mean([p == label for p, (label, _) in zip(predicted, pairs)]) >= 0.95


def evaluation_questions() -> list[str]:
    """Every user message of the project's question sets and dialogs, and the handed cases."""
    found = [item["question"] for name in ("questions.yaml", "heldout.yaml")
             for item in yaml.safe_load((TESTS / "golden" / name).read_text(encoding="utf-8"))]
    dialogs = [*(TESTS / "dialogs").glob("*.yaml"), *(TESTS / "real").glob("*.yaml"),
               *SHARED_CASES.glob("*.yaml")]
    for path in dialogs:
        found += [str(t["user"]) for d in yaml.safe_load(path.read_text(encoding="utf-8"))["dialogs"]
                  for t in d["turns"]]
    return found


def test_training_examples_are_not_copied_from_any_evaluation_set():
    """Examples are written for coverage; one that (nearly) repeats a test or evaluation message
    would make that message's verdict a lookup. Formulas of four words or fewer ("thx", "good
    morning", "what can you do?") are how everyone says it, in any set, and are not counted."""
    def key(text: str) -> str:
        return " ".join(re.findall(r"[^\W_]+", text.lower()))

    language = load()
    asked = {key(q) for q in evaluation_questions()}
    examples = [text for _, text in language.intent_examples()]
    examples += [e for b in language.backgrounds.values() for e in b.examples]
    copied = [e for e in examples if len(key(e).split()) > 4
              and any(fuzz.ratio(key(e), q) >= 90 for q in asked)]
    assert copied == []


def test_sentence_examples_are_not_copied_from_the_article():
    """The filler classifier learns kinds of sentence from text written for it: an example that
    (nearly) repeats an article sentence would make that sentence's verdict a lookup."""
    from ingest.units import sentences

    article = [sentence for paragraph in CORPUS_FILE.read_text(encoding="utf-8").split("\n\n")
               for sentence in sentences(paragraph)]
    examples = [text for _, text in load().sentence_examples()]
    copied = [e for e in examples if any(fuzz.ratio(e.lower(), a.lower()) >= 90 for a in article)]
    assert copied == []

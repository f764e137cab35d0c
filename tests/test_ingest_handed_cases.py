"""The ingest cases handed to us (tests/data/ingest_cases/README.md, its files copied byte for byte),
run as a user would: `ops-assistant ingest` of the article beside a case folder into a fresh data
folder, then each question through `ops-assistant ask --json`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.settings import CHECKOUT_DIR

CASES = Path(__file__).parent / "data" / "ingest_cases"
ARTICLE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
CLI = str(Path(sys.executable).parent / "ops-assistant")


def run(data: Path, *args: str) -> dict:
    env = {**os.environ, "OPS_ASSISTANT_DATA_DIR": str(data), "OPS_ASSISTANT_CHROMA_URL": ""}
    result = subprocess.run([CLI, *args, "--json"], capture_output=True, text=True, env=env,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def ingested(tmp_path_factory):
    """case -> (its data folder, the ingest report); the article twice more for "article-twice"."""
    copies = tmp_path_factory.mktemp("copies")
    text = ARTICLE.read_text(encoding="utf-8")
    (copies / "article-copy.md").write_text(text, encoding="utf-8")
    (copies / "article-spaced.md").write_text(text.replace("DataOps is the", "DataOps  is the", 1),
                                              encoding="utf-8")
    folders = {"empty-headings": CASES / "empty-headings", "html-table": CASES / "html-table",
               "utf16": CASES / "utf16", "article-twice": copies}
    built = {}
    for case, folder in folders.items():
        data = tmp_path_factory.mktemp(case)
        built[case] = (data, run(data, "ingest", str(ARTICLE.parent), str(folder)))
    return built


def ask(ingested, case: str, question: str) -> dict:
    return run(ingested[case][0], "ask", question)


@pytest.mark.parametrize(("case", "question", "fact", "source"), [
    ("empty-headings", "When is the MLOps on-call engineer paged?", "300 ms", "incidents.md"),
    ("empty-headings", "When does a drift alert fire?", "0.2", "handbook.md"),
    ("html-table", "What is the median base pay of a DataOps engineer in the salary snapshot?",
     "$118,500", "salary-page.html"),
    ("utf16", "What does the DevOps engineer do if the canary error rate passes 2 percent?",
     "Helm", "runbook-utf16.txt"),
    ("utf16", "Whose sign-off is needed before a DataOps pipeline change reaches production?",
     "release manager", "checklist-cp1252.txt"),
])
def test_each_handed_question_is_answered_from_its_file(ingested, case, question, fact, source):
    answer = ask(ingested, case, question)
    assert not answer["abstained"] and fact in answer["answer"], answer["answer"]
    assert answer["citations"][0]["source"].endswith(source)
    assert fact in answer["citations"][0]["quote"]


def test_the_ingest_report_lists_each_file_with_chunks_encoding_and_notes(ingested):
    files = {f["source"].split("/")[-1]: f for f in ingested["utf16"][1]["per_file"]}
    assert files["runbook-utf16.txt"]["encoding"] == "utf-16-le"
    assert files["checklist-cp1252.txt"]["encoding"] == "cp1252"
    assert all(f["chunks"] >= 1 for f in files.values()) and ingested["utf16"][1]["skipped"] == []
    notes = {f["source"].split("/")[-1]: f["notes"] for f in ingested["empty-headings"][1]["per_file"]}
    assert notes["incidents.md"] == [
        "line 3: heading 'Incident notes > Postmortems' has no text under it; left out"]
    assert notes["handbook.md"] == [
        "line 6: a heading without words in 'Platform handbook > Model registry'; ignored"]


def test_a_users_table_never_brings_the_articles_notice_and_no_chrome_is_indexed(ingested):
    answer = ask(ingested, "html-table",
                 "What is the median base pay of a DataOps engineer in the salary snapshot?")
    assert "not part of this text" not in answer["answer"]
    assert "Role: DataOps engineer; Median base pay: $118,500; Responses: 64" in \
        answer["citations"][0]["quote"]


def test_the_article_three_times_is_indexed_once_and_cited_once(ingested):
    report = ingested["article-twice"][1]
    article = next(f for f in report["per_file"] if f["source"].endswith(ARTICLE.name)
                   and f["source"].startswith("corpus/"))
    copies = [f for f in report["per_file"] if f is not article]
    assert report["chunks"] == article["chunks"] and all(f["chunks"] == 0 for f in copies)
    assert all("the same as in corpus/" in f["notes"][-1] for f in copies)
    answer = ask(ingested, "article-twice", "What tools do all three disciplines share?")
    quotes = [c["quote"] for c in answer["citations"]]
    assert len(set(quotes)) == len(quotes) and "Kubernetes" in answer["answer"]
    assert all(c["source"] == article["source"] for c in answer["citations"])
    assert {len(c["also_in"]) for c in answer["citations"]} == {2}


def test_the_handed_files_are_the_cases_as_given():
    """The copies are whole: the UTF-16 file still starts with its byte order mark."""
    assert (CASES / "utf16" / "runbook-utf16.txt").read_bytes()[:2] == b"\xff\xfe"
    assert {p.name for p in CASES.iterdir()} == {"README.md", "empty-headings", "html-table", "utf16"}
    assert shutil.which(CLI)

"""Users' own files beside the article, as they really come: headings with nothing under them,
facts in an HTML or Markdown table around page chrome, UTF-16 and Windows-1252 text, and the
article ingested three times. Each corpus is ingested and asked what its files say."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.assistant import Assistant
from assistant.citations import MARKERS
from assistant.scope import Verdict, from_source
from assistant.text import same_text
from assistant.topics import LANGUAGE
from ingest.chunking import EDITORIAL
from ingest.loaders import html_to_markdown
from ingest.pipeline import run_ingest
from ingest.settings import CHECKOUT_DIR, Settings
from ingest.store import IndexStore
from ingest.markdown import parse_sections
from ingest.units import sentences

ARTICLE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
NOTICES = LANGUAGE.replies.notices

EMPTY_HEADINGS = {
    "handbook.md": "# Platform handbook\n\n## Model registry\nEvery production model is registered "
                   "in MLflow with its training data version.\n\n###\n\n## Drift alerts\n\n"
                   "### Thresholds\nA drift alert fires when the population stability index of "
                   "any input feature exceeds 0.2.\n",
    "incidents.md": "# Incident notes\n\n## Postmortems\n\n## Pager rules\nThe MLOps on-call "
                    "engineer is paged when model latency exceeds 300 ms.\n",
    "only-headings.md": "# Drafts\n\n## To write\n\n###\n",
    "empty.md": "",
}
CHROME = ("TRACKING_SCRIPT", "STYLE_RULE", "NAV_LINKS", "FOOTER_TEXT", "ASIDE_PROMO",
          "BANNER_TAGLINE")
SALARY_PAGE = """<!doctype html>
<html><head><title>Ops salary snapshot</title>
<style>body { font-family: STYLE_RULE; }</style>
<script>window.tracking = "TRACKING_SCRIPT";</script></head>
<body><header><p>BANNER_TAGLINE</p><nav><a href="/">NAV_LINKS</a></nav></header>
<h1>Ops salary snapshot</h1>
<h2>Median base pay by role</h2>
<p>The table below lists the median base pay our survey found for each role.</p>
<table>
  <thead><tr><th>Role</th><th>Median base pay</th><th>Responses</th></tr></thead>
  <tbody>
    <tr><td>DevOps engineer</td><td>$141,000</td><td>912</td></tr>
    <tr><td>DataOps engineer</td><td>$118,500</td><td>64</td></tr>
    <tr><td>MLOps engineer</td><td>$163,250</td><td>37</td></tr>
  </tbody>
</table>
<aside><p>ASIDE_PROMO</p></aside>
<footer><p>FOOTER_TEXT</p></footer>
</body></html>"""
ROTA = """# On-call rota

| Team | Rotation | Escalates to |
|------|----------|--------------|
| Data platform | two weeks | the data lead |
| Model serving | one week | the ML lead |
"""
RUNBOOK = "Rollback runbook\n\nIf the canary error rate passes 2 percent, the DevOps engineer " \
          "rolls the billing service back with Helm.\n"
CHECKLIST = "Release checklist\n\nThe release manager\u2019s sign-off is needed before a DataOps " \
            "pipeline change reaches production \u2013 no exceptions.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256))


def build(root: Path, files: dict[str, str | bytes]) -> tuple[Settings, object]:
    """The article plus `files` in root/corpus, ingested into root/data."""
    folder = root / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    for name, content in files.items():
        path = folder / name
        path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    settings = Settings(data_dir=root / "data", chroma_url=None, llm=None)
    return settings, run_ingest([folder], settings, show_progress=False)


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """case name -> (settings, ingest report, assistant); each built once for the module."""
    copy = ARTICLE.read_text(encoding="utf-8")
    variant = copy.replace("DataOps is the", "DataOps  is the", 1)
    assert variant != copy
    corpora = {
        "empty-headings": EMPTY_HEADINGS,
        "tables": {"salary-page.html": SALARY_PAGE, "rota.md": ROTA},
        "encodings": {"runbook-utf16.txt": b"\xff\xfe" + RUNBOOK.encode("utf-16-le"),
                      "checklist-cp1252.txt": CHECKLIST.encode("cp1252"), "logo.txt": PNG},
        "copies": {"article-copy.md": copy, "article-spaced.md": variant},
    }
    built = {}
    for name, files in corpora.items():
        settings, report = build(tmp_path_factory.mktemp(name), files)
        built[name] = (settings, report, Assistant.load(settings))
    return built


def ask(cases, case: str, question: str):
    return cases[case][2].ask(question, session=question)


def chunks_of(settings: Settings) -> list[str]:
    return IndexStore(settings).require_active().get(include=["documents"])["documents"]


def test_files_with_empty_headings_are_indexed_with_notes(cases):
    _, report, _ = cases["empty-headings"]
    assert report.files == ["corpus/devops-vs-dataops-vs-mlops.md", "corpus/handbook.md",
                            "corpus/incidents.md"]
    notes = "\n".join(report.notes)
    assert ("handbook.md: line 6: a heading without words in 'Platform handbook > Model registry'"
            in notes)
    assert "incidents.md: line 3: heading 'Incident notes > Postmortems' has no text under it" in notes
    skipped = "\n".join(report.skipped)
    assert "only-headings.md: no text under any of its headings" in skipped
    assert "empty.md: empty file" in skipped


@pytest.mark.parametrize(("question", "fact", "source"), [
    ("When is the MLOps on-call engineer paged?", "300 ms", "incidents.md"),
    ("When does a drift alert fire?", "0.2", "handbook.md"),
])
def test_sections_beside_empty_headings_are_answered(cases, question, fact, source):
    answer = ask(cases, "empty-headings", question)
    assert fact in answer.answer
    assert answer.citations and answer.citations[0].source == f"corpus/{source}"


def test_table_rows_are_indexed_with_their_column_names_and_no_chrome(cases):
    settings, report, _ = cases["tables"]
    assert report.skipped == []
    chunks = chunks_of(settings)
    everything = "\n".join(chunks)
    assert "- Role: DataOps engineer; Median base pay: $118,500; Responses: 64" in everything
    assert "- Team: Data platform; Rotation: two weeks; Escalates to: the data lead" in everything
    assert "| Data platform" not in everything and "|---" not in everything
    for marker in CHROME:
        assert marker not in everything, marker


def test_a_figure_from_a_users_table_is_answered_without_the_articles_notice(cases):
    answer = ask(cases, "tables", "What is the median base pay of a DataOps engineer in the "
                                  "salary snapshot?")
    assert "$118,500" in answer.answer
    assert answer.citations[0].source == "corpus/salary-page.html"
    assert all(notice not in answer.answer for notice in NOTICES.values())


def test_the_notice_follows_the_source_that_lacks_the_table():
    lacking = {"table": frozenset({"article.md"}), "diagram": frozenset()}
    asked = Verdict(notice=NOTICES["figure"], lacks="table")
    assert from_source(asked, ["article.md"], lacking) == asked
    assert from_source(asked, ["article.md", "mine.html"], lacking).notice is None
    assert from_source(Verdict(notice=NOTICES["diagram"], lacks="diagram"), ["article.md"],
                       lacking).notice is None


def test_the_articles_editorial_notes_are_what_marks_it_lacking(cases):
    _, _, assistant = cases["tables"]
    lacking = assistant.answerer.lacking
    assert lacking["table"] == {"corpus/devops-vs-dataops-vs-mlops.md"}
    assert EDITORIAL in ARTICLE.read_text(encoding="utf-8")


def test_utf16_and_cp1252_files_are_decoded_and_reported_and_binary_is_refused(cases):
    settings, report, _ = cases["encodings"]
    assert report.encodings == {"corpus/runbook-utf16.txt": "utf-16-le",
                                "corpus/checklist-cp1252.txt": "cp1252"}
    assert [s.split("/")[-1] for s in report.skipped] == [
        "logo.txt: binary file (NUL bytes; UTF-16 or UTF-32 text needs a byte-order mark)"]
    everything = "\n".join(chunks_of(settings))
    assert "The release manager\u2019s sign-off" in everything
    assert "\u2013 no exceptions." in everything


@pytest.mark.parametrize(("question", "fact", "source"), [
    ("What does the DevOps engineer do if the canary error rate passes 2 percent?", "Helm",
     "runbook-utf16.txt"),
    ("Whose sign-off is needed before a DataOps pipeline change reaches production?",
     "release manager", "checklist-cp1252.txt"),
])
def test_decoded_files_are_answered(cases, question, fact, source):
    answer = ask(cases, "encodings", question)
    assert fact in answer.answer
    assert answer.citations[0].source == f"corpus/{source}"


@pytest.mark.parametrize(("question", "facts"), [
    ("What tools do all three disciplines share?", ["Jenkins", "Kubernetes", "Prometheus"]),
    ("Who coined DataOps?", ["Lenny Liebmann"]),
    ("What are the four differences between DevOps, DataOps and MLOps?",
     ["artifact", "Testing", "Versioning", "Monitoring"]),
    ("How does testing differ between the three?", ["DataOps testing", "MLOps testing"]),
])
def test_the_article_three_times_gives_each_sentence_and_quote_once(cases, question, facts):
    answer = ask(cases, "copies", question)
    for fact in facts:
        assert fact in answer.answer
    said = [same_text(s) for line in MARKERS.sub("", answer.answer).splitlines()
            for s in sentences(re.sub(r"^- (?:[^:]{1,60}: )?", "", line))]
    assert len(said) == len(set(said)), answer.answer
    quotes = [same_text(c.quote) for c in answer.citations]
    assert len(quotes) == len(set(quotes)), quotes


def test_a_table_is_a_row_list_apart_from_the_lists_around_it():
    html = ("<h2>Teams</h2><ul><li>One list.</li></ul><table><caption>Rota</caption>"
            "<tr><th>Team</th><th>Rotation</th></tr><tr><td>Data</td><td></td></tr>"
            "<tr><td>Models</td><td>one week</td></tr></table><ul><li>After.</li></ul>")
    markdown, _ = html_to_markdown(html)
    assert markdown.split("\n\n") == ["## Teams", "- One list.", "Rota",
                                      "- Team: Data\n- Team: Models; Rotation: one week",
                                      "- After."]


def test_a_pipe_table_in_code_stays_as_written():
    fenced = "```\n| a | b |\n|---|---|\n| 1 | 2 |\n```"
    assert parse_sections(fenced)[0].blocks == [fenced]
    assert parse_sections("| a | b |\n|---|---|\n| 1 | 2 |\n")[0].blocks == ["- a: 1; b: 2"]

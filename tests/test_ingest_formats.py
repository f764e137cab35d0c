"""Files of every kind people bring, beside the article in one corpus: PDFs the test writes (with
an outline, without one, a scan without text, a damaged one), an HTML table with merged header
cells, Markdown with nested lists, text in several encodings. Each is ingested and asked what
it says; what the corpus does not say is declined."""

from __future__ import annotations

import codecs
import shutil
from pathlib import Path

import pytest
from fpdf import FPDF

from assistant.assistant import Assistant
from ingest.decoding import decode
from ingest.pipeline import run_ingest
from ingest.settings import CHECKOUT_DIR, Settings
from ingest.store import IndexStore

ARTICLE = CHECKOUT_DIR / "corpus" / "devops-vs-dataops-vs-mlops.md"
MERGED_HEADERS = """<html><body><h1>Pay survey</h1>
<table>
  <tr><th rowspan="2">Role</th><th colspan="2">Base pay</th><th rowspan="2">Responses</th></tr>
  <tr><th>Median</th><th>Mean</th></tr>
  <tr><td>DataOps engineer</td><td>$118,500</td><td>$121,900</td><td>64</td></tr>
  <tr><td>MLOps engineer</td><td>$163,250</td><td>$171,400</td><td>37</td></tr>
</table></body></html>"""
NESTED = """# Release runbook

Before every release the on-call engineer checks:

- the dashboards
  - the error budget panel of the billing service
  - the p99 latency panel
- the open incidents
  1. severity one incidents block the release
  2. severity two incidents need the release manager's approval
"""
TEAM = """# Platform team

## People

The team lead is Ingrid Solberg. Requests to delete personal data go to Marek Dvorak, the data
protection officer.

## Tool budget

| Tool | Owner team | Yearly cost |
|------|------------|-------------|
| Feast feature store | MLOps | $42,000 |
| Monte Carlo data observability | DataOps | $65,500 |

The feature store was chosen over Tecton in the 2026 review because of cost.

## Release checklist

- Build
  - Run unit tests with pytest
  - Scan the image with Trivy
- Deploy
  - Roll out to the canary pool first
  - Promote after 2 hours without alerts
- Announce the release in the #releases channel

## Operations

The backup window is 02:00-03:30 CET every night. Models are stored in MLflow version 2.9. If the
nightly ETL job fails twice, page Jürgen Müller, who owns the Köln warehouse.

## Node pools

| Pool | GPU type | Max nodes |
|------|----------|-----------|
| inference-small | NVIDIA T4 | 12 |
| training | NVIDIA H100 | 8 |
"""
RETENTION = "Retention policy\n\nThe archive storage costs \u20ac1,200 per month.\n"


def release_guide(path: Path) -> None:
    """Two pages under an outline: "Release checklist", and "Rollback" below it on page 2."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.set_title("Release guide")
    pdf.add_page()
    pdf.start_section("Release checklist")
    pdf.multi_cell(0, 8, "The release train leaves every Tuesday at 14:00 UTC. A change that "
                         "misses it waits for the next train.")
    pdf.add_page()
    pdf.start_section("Rollback", level=1)
    pdf.cell(0, 10, "Rollback", new_x="LMARGIN", new_y="NEXT")  # the heading printed, as PDFs do
    pdf.multi_cell(0, 8, "A rollback needs the approval of the duty manager. The duty manager "
                         "this quarter is Priya Nair.")
    pdf.output(str(path))


def plain_pdf(path: Path, pages: list[str]) -> None:
    """Pages of text (or none: an empty string draws only a rectangle, as a scan has no text)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 8, text) if text else pdf.rect(10, 10, 80, 120)
    pdf.output(str(path))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(settings, ingest report, assistant) for the article plus one file of each kind."""
    root = tmp_path_factory.mktemp("formats")
    folder = root / "corpus"
    folder.mkdir()
    shutil.copy(ARTICLE, folder / ARTICLE.name)
    release_guide(folder / "release-guide.pdf")
    plain_pdf(folder / "backups.pdf", ["Backups run nightly at 02:30 UTC.",
                                       "The vault key rotates every 90 days."])
    plain_pdf(folder / "scan.pdf", [""])
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage")
    (folder / "pay.html").write_text(MERGED_HEADERS, encoding="utf-8")
    (folder / "runbook.md").write_text(NESTED, encoding="utf-8")
    (folder / "team.md").write_text(TEAM, encoding="utf-8")
    (folder / "retention.txt").write_bytes(RETENTION.encode("cp1252"))
    settings = Settings(data_dir=root / "data", chroma_url=None, llm=None)
    report = run_ingest([folder], settings, show_progress=False)
    return settings, report, Assistant.load(settings)


def ask(built, question: str):
    return built[2].ask(question, session=question)


def test_pdfs_with_text_are_indexed_and_the_others_skipped_with_one_line_each(built):
    _, report, _ = built
    chunks = {f.source: f.chunks for f in report.per_file}
    assert chunks["corpus/release-guide.pdf"] == 2 and chunks["corpus/backups.pdf"] == 2
    skipped = {Path(line.split(": ", 1)[0]).name: line for line in report.skipped}
    assert set(skipped) == {"scan.pdf", "damaged.pdf"}
    assert "no text in its 1 page (a scan?" in skipped["scan.pdf"]
    assert "not a readable PDF" in skipped["damaged.pdf"]
    assert all("\n" not in line for line in report.skipped)
    assert "corpus/release-guide.pdf" not in report.encodings


def test_a_pdf_chunk_knows_its_page_and_its_outline_heading(built):
    got = IndexStore(built[0]).require_active().get(include=["metadatas"])["metadatas"]
    pages = {(m["section"], m["page"]) for m in got if m["source"].endswith(".pdf")}
    assert pages == {("Release checklist", 1), ("Release checklist > Rollback", 2),
                     ("page 1", 1), ("page 2", 2)}


@pytest.mark.parametrize(("question", "fact", "place"), [
    ("Who is the duty manager this quarter?", "Priya Nair", "Release checklist > Rollback, page 2"),
    ("When does the release train leave?", "Tuesday at 14:00 UTC", "Release checklist, page 1"),
    ("How often does the vault key rotate?", "90 days", "page 2"),
])
def test_a_pdf_answer_cites_its_page(built, question, fact, place):
    answer = ask(built, question)
    assert fact in answer.answer and answer.citations[0].place == place
    assert not answer.answer.startswith("Rollback")  # the printed heading is the section's
    assert answer.citations[0].page == int(place[-1])


def test_merged_header_cells_name_every_column(built):
    documents = IndexStore(built[0]).require_active().get(include=["documents"])["documents"]
    assert any("- Role: MLOps engineer; Base pay Median: $163,250; Base pay Mean: $171,400; "
               "Responses: 37" in document.splitlines() for document in documents)
    answer = ask(built, "What is the mean base pay of a DataOps engineer in the pay survey?")
    assert "$121,900" in answer.answer and answer.citations[0].source == "corpus/pay.html"


def test_nested_list_items_are_items_under_their_parent(built):
    answer = ask(built, "Which panels does the on-call engineer check before a release?")
    assert "- the error budget panel of the billing service" in answer.answer.splitlines()
    assert answer.citations[0].source == "corpus/runbook.md"
    answer = ask(built, "What do severity two incidents need before a release?")
    assert "release manager's approval" in answer.answer


@pytest.mark.parametrize("question", [
    "How many days of parental leave do we get?",
    "Can I leave early on Fridays?",
    "Who cleans the office kitchen?",
])
def test_what_neither_the_article_nor_the_users_files_say_is_declined(built, question):
    answer = ask(built, question)
    assert answer.abstained and not answer.citations, answer.answer
    assert answer.answer.startswith("Neither the article nor the other indexed files answer that")


@pytest.mark.parametrize(("encoded", "encoding"), [
    (codecs.BOM_UTF8 + "Café – “quoted”".encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF16_BE + "Café – “quoted”".encode("utf-16-be"), "utf-16-be"),
    (codecs.BOM_UTF16_LE + "Café – “quoted”".encode("utf-16-le"), "utf-16-le"),
    (codecs.BOM_UTF32_LE + "Café – “quoted”".encode("utf-32-le"), "utf-32-le"),
    ("Café – “quoted” in a Windows file".encode("cp1252"), "cp1252"),
    ("Café – costs €1,200 per month".encode("cp1252"), "cp1252"),  # not cp850's "Ç1,200"
])
def test_text_is_decoded_whatever_its_encoding(encoded, encoding):
    decoded = decode(encoded)
    assert decoded.encoding == encoding and decoded.text == encoded.decode(encoding).lstrip("\ufeff")


def test_binary_is_said_only_of_binary_data():
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").startswith("binary file")
    assert not isinstance(decode("naïve résumé".encode("latin-1")), str)


@pytest.mark.parametrize(("question", "fact"), [
    ("who is the team lead?", "Ingrid Solberg"),
    ("who handles requests to delete personal data?", "Marek Dvorak"),
    ("why was Feast chosen over Tecton?", "because of cost"),
    ("how many max nodes does the training pool have?", "Max nodes: 8"),
    ("how much does archive storage cost?", "\u20ac1,200 per month"),
    ("when is the backup window", "02:00-03:30 CET"),  # read as a how-to request
    ("what version of mlflow do we use?", "MLflow version 2.9"),  # read as a product choice
    ("who owns the Köln warehouse?", "Jürgen Müller"),  # a name entities.yaml does not know
])
def test_the_users_files_answer_what_the_article_cannot(built, question, fact):
    """Questions the article alone would decline ("not about DevOps ..."; "no count of nodes",
    "no price" without a dollar sign) are answered from the user's files."""
    answer = ask(built, question)
    assert not answer.abstained and fact in answer.answer, answer.answer
    assert answer.citations[0].source in ("corpus/team.md", "corpus/retention.txt")


def test_the_steps_of_a_users_list_are_all_there(built):
    """Short imperative steps are list items, never taken for set-up sentences ("Scan the image
    with Trivy" read as filler, and a list question got its first step only)."""
    steps = ["Run unit tests with pytest", "Scan the image with Trivy",
             "Roll out to the canary pool first", "Promote after 2 hours without alerts",
             "Announce the release in the #releases channel"]
    answer = ask(built, "what are the steps of the release checklist?")
    assert all(f"- {step}" in answer.answer for step in steps), answer.answer
    scanner = ask(built, "what scanner is used on the image?")
    assert scanner.answer.startswith("- Scan the image with Trivy")

"""The `ingest` command on bad input, broken set-ups and in a real process: one clear line each."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner


from ingest.cli import app
from ingest.embedding import file_sha256
from ingest.settings import CHECKOUT_DIR, MODEL_SHA256, Settings
from ingest.store import IndexStore

GOOD = "# Runbook\n\nRestart the worker when the queue stalls.\n"
HTML = """<html><head><title>On-call page</title><style>.alert { color: red }</style>
<script>var leaked = "SCRIPT_TEXT";</script></head>
<body><h1>Paging</h1><p>Page the on-call engineer for a customer-facing outage.</p>
<h2>Escalation</h2><ul><li>Escalate after fifteen minutes.</li><li>Call the lead.</li></ul>
<noscript>NOSCRIPT_TEXT</noscript></body></html>"""
TEXT = "Backups run nightly at two.\n\nRestores are tested every month.\n"
# file name -> (content, what the one-line message must say)
BAD_FILES = {
    "empty.md": (b"", "empty file"),
    "blank.txt": (b"  \n\n\t\n", "empty file"),
    "image.md": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "renamed.txt": (b"\x89PNG\r\n\x1a\n" + bytes(range(1, 256)) * 4, "binary file"),
    "table.csv": (b"a,b\n1,2\n", "unsupported file type '.csv'"),
    "big.md": (("# Big\n\n" + "Many words here. " * 300).encode(), "over the 4000-byte limit"),
    "headings.md": (b"# Intro\n\n## Empty\n\n###\n", "no text under any of its headings"),
}


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def one_line_about(stderr: str, name: str) -> str:
    lines = [line for line in stderr.splitlines() if name in line]
    assert len(lines) == 1, f"expected one line about {name}: {stderr!r}"
    return lines[0]


@pytest.fixture
def messy_folder(tmp_path, monkeypatch):
    """Three usable files (md, txt, html), every kind of bad file, and links to outside the folder."""
    monkeypatch.setenv("OPS_ASSISTANT_MAX_FILE_BYTES", "4000")
    folder = tmp_path / "messy"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD, encoding="utf-8")
    (folder / "notes.txt").write_text(TEXT, encoding="utf-8")
    (folder / "page.html").write_text(HTML, encoding="utf-8")
    for name, (content, _) in BAD_FILES.items():
        (folder / name).write_bytes(content)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nNot part of the corpus.\n", encoding="utf-8")
    (folder / "link.md").symlink_to(outside / "secret.md")
    (folder / "linked-dir").symlink_to(outside)
    return folder


def test_bad_files_get_one_line_each_and_the_rest_is_ingested(messy_folder):
    result = invoke("ingest", "--json", str(messy_folder))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files"] == ["messy/good.md", "messy/notes.txt", "messy/page.html"]
    for name, (_, reason) in BAD_FILES.items():
        line = one_line_about(result.stderr, name)
        assert reason in line and line.startswith("skipped ")
    for link in ("link.md", "linked-dir"):
        assert "links outside the folder" in one_line_about(result.stderr, link)
    assert len(result.stderr.splitlines()) == len(BAD_FILES) + 2
    assert "Traceback" not in result.output


# Files users have that read fine once decoded or once their empty headings are left out.
ODD_FILES = {
    "latin1.md": "# Caf\u00e9\n\nCr\u00e8me br\u00fbl\u00e9e \u2013 \u201cnever\u201d skip it.\n".encode("cp1252"),
    "wide.txt": b"\xff\xfe" + "Backups run nightly at two.\n".encode("utf-16-le"),
    "hollow.md": b"# Intro\n\nSome text.\n\n# Empty\n\n# Outro\n\nMore text.\n",
    "nameless.md": b"# Intro\n\nSome text.\n\n##\n\nOrphan text.\n",
}


def test_legacy_encodings_and_empty_headings_are_ingested_and_reported(tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    for name, content in ODD_FILES.items():
        (folder / name).write_bytes(content)
    result = invoke("ingest", str(folder))
    assert result.exit_code == 0, result.output
    assert "Ingested 4 file(s)" in result.stdout and "skipped" not in result.stderr
    assert "  odd/latin1.md: 1 chunk, read as cp1252 (not UTF-8)" in result.stdout
    assert "  odd/wide.txt: 1 chunk, read as utf-16-le (not UTF-8)" in result.stdout
    assert "  odd/hollow.md: 2 chunks\n    note: line 5: heading 'Empty' has no text under it" \
        in result.stdout
    assert ("  odd/nameless.md: 1 chunk\n    note: line 5: a heading without words in 'Intro'; "
            "ignored\n    note: 1 passage the same as in odd/hollow.md: indexed once, cited as that "
            "file") in result.stdout  # "Some text." is in both
    report = json.loads(invoke("ingest", "--json", str(folder)).stdout)
    assert report["encodings"] == {"odd/latin1.md": "cp1252", "odd/wide.txt": "utf-16-le"}
    assert len(report["notes"]) == 3 and report["skipped"] == []
    got = IndexStore(Settings()).require_active().get(include=["documents"])["documents"]
    assert "Cr\u00e8me br\u00fbl\u00e9e \u2013 \u201cnever\u201d skip it." in got and "Orphan text." in got
    assert got.count("Some text.") == 1


def test_txt_and_html_get_sensible_sections(messy_folder):
    assert invoke("ingest", "--quiet", str(messy_folder)).exit_code == 0
    got = IndexStore(Settings()).require_active().get(include=["documents", "metadatas"])
    chunks = {doc: meta for doc, meta in zip(got["documents"], got["metadatas"])}
    html = {doc: meta for doc, meta in chunks.items() if meta["source"] == "messy/page.html"}
    assert {doc: meta["section"] for doc, meta in html.items()} == {
        "Page the on-call engineer for a customer-facing outage.": "Paging",
        "- Escalate after fifteen minutes.\n- Call the lead.": "Paging > Escalation",
    }
    assert {meta["title"] for meta in html.values()} == {"On-call page"}
    text = {doc: meta["section"] for doc, meta in chunks.items() if meta["source"] == "messy/notes.txt"}
    assert text == {"Backups run nightly at two.": "notes", "Restores are tested every month.": "notes"}
    everything = " ".join(chunks)
    assert "SCRIPT_TEXT" not in everything and "NOSCRIPT_TEXT" not in everything and "color" not in everything


def test_a_mistyped_path_stops_the_ingest_and_keeps_every_indexed_file(tmp_path):
    """`ingest corpus myfilez` removed the files the index held from the other paths and exited 0
    (newcomer trial): a path that does not exist now changes nothing, with one line saying why."""
    good, other = tmp_path / "good", tmp_path / "other"
    for folder, name in ((good, "a.md"), (other, "b.md")):
        folder.mkdir()
        (folder / name).write_text(GOOD.replace("worker", name), encoding="utf-8")
    assert invoke("ingest", "-q", str(good), str(other)).exit_code == 0
    held = sorted(IndexStore(Settings()).manifest()["files"])
    result = invoke("ingest", str(good), str(tmp_path / "otherr"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert one_line_about(result.stderr, "otherr").startswith("Error: no such file or folder")
    assert "index is unchanged" in result.stderr and "Ingested" not in result.stdout
    assert held == ["good/a.md", "other/b.md"]
    assert sorted(IndexStore(Settings()).manifest()["files"]) == held


def test_a_file_named_twice_is_ingested_once(small_corpus):
    result = invoke("ingest", "--json", str(small_corpus), str(small_corpus), str(small_corpus / "beta.md"))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["files"] == ["docs/alpha.md", "docs/beta.md"] and report["chunks"] == 6


def test_nothing_ingestable_exits_non_zero_with_one_line(tmp_path):
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "table.csv").write_bytes(b"a,b\n1,2\n")
    result = invoke("ingest", str(tmp_path / "empty.md"), str(tmp_path / "table.csv"))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: nothing to ingest")
    assert "empty.md: empty file" in result.stderr and "unsupported file type" in result.stderr


def test_with_json_an_expected_error_is_also_a_json_object_on_stdout(tmp_path):
    """A script reading --json got nothing on stdout when ingest failed (second newcomer trial)."""
    result = invoke("ingest", "--json", str(tmp_path / "nowhere"))
    assert result.exit_code == 2 and result.stderr.startswith("Error: no such file or folder")
    assert json.loads(result.stdout) == {"error": result.stderr.strip().removeprefix("Error: ")}


def test_an_unreachable_server_is_one_line_naming_the_url_exit_2(monkeypatch, small_corpus, closed_chroma_url):
    monkeypatch.setenv("OPS_ASSISTANT_CHROMA_URL", closed_chroma_url)
    for args in (["ingest", str(small_corpus)], ["status"]):
        result = subprocess.run([sys.executable, "-m", "ingest", *args], capture_output=True,
                                text=True, timeout=120, env=os.environ)
        assert result.returncode == 2
        assert result.stderr.startswith(f"Error: cannot reach the Chroma server at {closed_chroma_url}")
        assert result.stderr.count("\n") == 1 and result.stdout == ""


@pytest.mark.parametrize("url", ["ftp://x", "localhost:8000", "http://"])
def test_an_invalid_server_url_is_a_clean_message(monkeypatch, url):
    monkeypatch.setenv("OPS_ASSISTANT_CHROMA_URL", url)
    result = invoke("status")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: invalid setting chroma_url:") and result.stderr.count("\n") == 1


def test_a_tampered_model_is_refused_naming_both_hashes(tampered_model, small_corpus):
    found = file_sha256(tampered_model)
    result = invoke("ingest", str(small_corpus))
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert f"sha256 is {found}, expected {MODEL_SHA256}" in result.stderr
    assert IndexStore(Settings()).active() is None
    reported = json.loads(invoke("status", "--json").stdout)
    assert reported["model_sha256"] == found and reported["model_ok"] is False
    onnx_dir = tampered_model.parent.parent / "onnx"  # emptied by the fixture: nothing exported
    assert reported["onnx_export"] == f"there is no ONNX export of the model in {onnx_dir}"


def test_quiet_prints_nothing_and_json_is_one_document(small_corpus):
    quiet = invoke("ingest", "--quiet", str(small_corpus))
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    report = json.loads(invoke("ingest", "--json", str(small_corpus)).stdout)
    assert report["unchanged"] == 6 and report["embedded"] == 0
    assert report["index"] == str(Settings().chroma_dir)


def test_python_m_ingest_help():
    result = subprocess.run([sys.executable, "-m", "ingest", "--help"], capture_output=True,
                            text=True, timeout=120, cwd=CHECKOUT_DIR)
    assert result.returncode == 0
    assert "ingest" in result.stdout and "status" in result.stdout
    assert "--quiet" in invoke("ingest", "--help").stdout


def test_files_the_index_no_longer_holds_are_named_with_how_to_keep_them(small_corpus, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "runbook.md").write_text(GOOD, encoding="utf-8")
    assert invoke("ingest", "--quiet", str(small_corpus)).exit_code == 0
    result = invoke("ingest", str(notes))
    assert result.exit_code == 0
    assert one_line_about(result.stderr, "docs/alpha.md") == (
        "removed from the index: docs/alpha.md, docs/beta.md (no longer in the paths given; to "
        "keep files, ingest all their paths together: `ops-assistant ingest PATH PATH ...`)")
    both = json.loads(invoke("ingest", "--json", str(small_corpus), str(notes)).stdout)
    assert both["dropped"] == [] and both["added"] == 6
    (small_corpus / "beta.md").unlink()
    alone = json.loads(invoke("ingest", "--json", str(small_corpus), str(notes)).stdout)
    assert alone["dropped"] == ["docs/beta.md"]


def test_an_empty_folder_is_named_in_the_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = invoke("ingest", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert f"nothing to ingest: no files found in {tmp_path / 'empty'}" in result.stderr


def test_re_ingest_in_a_new_process_reports_nothing_embedded_without_loading_torch(small_corpus):
    assert invoke("ingest", "--quiet", str(small_corpus)).exit_code == 0
    probe = ("import sys; from ingest.cli import app; "
             f"app(['ingest', '--json', {str(small_corpus)!r}], standalone_mode=False); "
             "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, env=os.environ, check=True)
    report, torch_loaded = result.stdout.splitlines()
    assert json.loads(report)["embedded"] == 0 and json.loads(report)["unchanged"] == 6
    assert torch_loaded == "False"

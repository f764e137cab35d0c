"""Every scripted dialog under tests/dialogs/ (one test each), and the dialog runner itself."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.dialogs import (DialogFileError, Expect, check, collect, exit_code, load_file,
                               run_dialog, run_files)
from assistant.dialogs_cli import describe, first_failure, junit
from ui.cli import app

DIALOG_DIR = Path(__file__).parent / "dialogs"
DIALOGS = [(path, dialog) for path in collect([DIALOG_DIR]) for dialog in load_file(path).dialogs]


def test_there_are_at_least_thirty_dialogs_in_several_files():
    assert len(DIALOGS) >= 30 and len({path for path, _ in DIALOGS}) >= 4


@pytest.mark.parametrize(("path", "dialog"), DIALOGS,
                         ids=[f"{p.stem}::{d.name}" for p, d in DIALOGS])
def test_dialog(corpus_assistant, path, dialog):
    result = run_dialog(corpus_assistant, dialog)
    failures = [f"turn {t.number} (line {t.line}) {t.user!r}: {describe(c)}"
                for t in result.turns for c in t.checks if not c.passed]
    assert result.passed, "\n".join(failures)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD = """
dialogs:
  - name: data scientist
    turns:
      - user: I'm a data scientist. Which Ops should I learn first?
        expect:
          recommendation: MLOps
          contains: Skip ahead to MLOps
"""

FAILING = """
dialogs:
  - name: wrong on purpose
    turns:
      - user: I'm a data scientist. Which Ops should I learn first?
        expect:
          recommendation: DevOps
          contains: Start with DevOps.
  - name: also wrong
    turns:
      - user: What is DataOps?
        expect: {contains: Patrick Debois}
"""


@pytest.mark.parametrize(("text", "line", "dialog", "problem"), [
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n        expect: {contains: [a, b}\n",
     5, "first", "YAML syntax"),
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n  - name: second\n    turns:\n"
     "      - user: hi\n        expect:\n          contian: x\n", 9, "second", "contian"),
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n        expect:\n"
     "          regex: '(unclosed'\n", 6, "first", "bad regular expression"),
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n        expect:\n"
     "          recommendation: Devops\n", 6, "first", "recommendation"),
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n  - name: first\n    turns:\n"
     "      - user: hi\n", 1, None, "two dialogs are named 'first'"),
    ("dialogs:\n  - name: empty\n    turns: []\n", 3, "empty", "turns"),
    ("dialogs:\n  - name: no user\n    turns:\n      - expect: {abstained: true}\n", 4, "no user",
     "user"),
    ("- just a list\n", 1, None, "expected a mapping"),
    ("dialogs:\n  - name: first\n    turns:\n      - user: hi\n        understood:\n"
     "          act: chitchat\n", 6, "first", "understood.act"),
])
def test_a_malformed_file_names_the_file_the_dialog_and_the_line(tmp_path, text, line, dialog,
                                                                   problem):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DialogFileError) as caught:
        load_file(path)
    error = caught.value
    assert (error.path, error.line, error.dialog) == (path, line, dialog)
    assert problem in str(error) and str(error).startswith(f"{path}:{line}: dialog ")


def test_cli_runs_the_good_files_reports_the_malformed_one_and_exits_2(indexed_settings, tmp_path):
    write(tmp_path, "a_good.yaml", GOOD)
    bad = write(tmp_path, "b_bad.yaml", GOOD.replace("contains:", "contians:"))
    junit_file, report_file = tmp_path / "dialogs.xml", tmp_path / "dialogs.json"
    result = CliRunner().invoke(app, ["dialogs", "run", str(tmp_path), "--junit", str(junit_file),
                                      "--report", str(report_file)])
    assert result.exit_code == 2, result.output
    assert f"{bad}:7: dialog 'data scientist': dialogs[1].turns[1].expect.contians" in result.output
    assert "PASS  data scientist" in result.output and "recommendation=MLOps" in result.output

    suites = ET.parse(junit_file).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == [str(tmp_path / "a_good.yaml"), str(bad)]
    assert suites[0].get("tests") == "1" and suites[0].get("failures") == "0"
    assert suites[0].find("testcase").get("name") == "data scientist"
    assert suites[1].get("errors") == "1" and ":7:" in suites[1].find("testcase/error").get("message")

    report = json.loads(report_file.read_text())
    assert report["exit_code"] == 2 and report["files"][1]["error_line"] == 7
    turn = report["files"][0]["dialogs"][0]["turns"][0]
    assert turn["user"].startswith("I'm a data scientist") and "Skip ahead to MLOps" in turn["answer"]
    assert turn["recommendation"] == "MLOps" and turn["abstained"] is False
    assert turn["citations"][0]["section"] == 'Which "Ops" Should You Learn First?'
    assert turn["latency_ms"] > 0 and turn["passed"] is True
    assert {(c["kind"], c["passed"]) for c in turn["checks"]} == {("recommendation", True),
                                                                  ("contains", True)}


def test_a_failing_assertion_reports_expected_against_actual(corpus_assistant, tmp_path):
    dialog = load_file(write(tmp_path, "failing.yaml", FAILING)).dialogs[0]
    result = run_dialog(corpus_assistant, dialog)
    assert not result.passed
    failed = {c.kind: c for c in result.turns[0].checks if not c.passed}
    assert failed["recommendation"].expected == "DevOps" and failed["recommendation"].actual == "MLOps"
    assert failed["contains"].expected == "Start with DevOps."
    assert "Skip ahead to MLOps" in failed["contains"].actual
    assert describe(failed["recommendation"]) == "recommendation: expected 'DevOps', got 'MLOps'"
    message = first_failure(result)
    assert message.startswith("turn 1 (line 4) \"I'm a data scientist.") and "expected" in message


UNDERSTOOD = """
dialogs:
  - name: what was understood
    turns:
      - user: Who ran the first DevOpsDays conference?
      - user: hi again! and where did he run it?
        understood:
          act: question
          questions: 1
          resolved: [Patrick Debois, DevOpsDays]
          background: null
        expect: {contains: Ghent}
  - name: misunderstood on purpose
    turns:
      - user: thanks a lot
        understood: {act: question, intent: thanks, disciplines: [DevOps]}
"""


def test_what_a_turn_was_understood_as_is_checked_beside_its_answer(corpus_assistant, tmp_path):
    right, wrong = load_file(write(tmp_path, "understood.yaml", UNDERSTOOD)).dialogs
    result = run_dialog(corpus_assistant, right)
    assert result.passed, [describe(c) for t in result.turns for c in t.checks if not c.passed]
    kinds = {c.kind for c in result.turns[1].checks}
    assert {"understood.act", "understood.questions", "understood.resolved",
            "understood.background", "contains"} <= kinds
    checks = {c.kind: c for c in run_dialog(corpus_assistant, wrong).turns[0].checks}
    assert not checks["understood.act"].passed and checks["understood.act"].actual == "small_talk"
    assert checks["understood.intent"].passed
    assert not checks["understood.disciplines"].passed and checks["understood.disciplines"].actual == []


def test_junit_failure_names_the_failing_turn_and_assertion(corpus_assistant, tmp_path):
    path = write(tmp_path, "failing.yaml", FAILING)
    results = run_files(lambda: corpus_assistant, [path])
    assert exit_code(results) == 1
    cases = junit(results).getroot().findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["wrong on purpose", "also wrong"]
    message = cases[1].find("failure").get("message")
    assert message.startswith("turn 1 (line 10) 'What is DataOps?': contains: expected 'Patrick Debois'")


def test_fail_fast_stops_at_the_first_failing_dialog(corpus_assistant, tmp_path):
    failing = write(tmp_path, "a.yaml", FAILING)
    good = write(tmp_path, "b.yaml", GOOD)
    everything = run_files(lambda: corpus_assistant, [failing, good])
    assert [len(r.dialogs) for r in everything] == [2, 1] and exit_code(everything) == 1
    stopped = run_files(lambda: corpus_assistant, [tmp_path], fail_fast=True)
    assert [len(r.dialogs) for r in stopped] == [1]


def test_all_good_exits_0_and_the_assistant_is_not_loaded_for_malformed_files_only(
        corpus_assistant, tmp_path):
    assert exit_code(run_files(lambda: corpus_assistant, [write(tmp_path, "g.yaml", GOOD)])) == 0
    bad = write(tmp_path, "bad.yaml", "dialogs: [")

    def never():
        raise AssertionError("no file parses, so no assistant is needed")

    results = run_files(never, [bad])
    assert exit_code(results) == 2 and results[0].error_line == 1


@pytest.fixture(scope="module")
def scientist_answer(corpus_assistant):
    return corpus_assistant.ask("I'm a data scientist. Which Ops should I learn first?",
                                session="dialogs-check")


@pytest.mark.parametrize(("expect", "passes"), [
    ({"contains": "SKIP AHEAD to mlops"}, True),
    ({"contains": "Skip ahead to MLOps. You'll pick up"}, True),  # spans an [n] marker
    ({"contains": ["Skip ahead", "Start with DevOps."]}, False),
    ({"contains_all": ["Skip ahead", "sequentially wastes time"]}, True),
    ({"contains_all": ["Skip ahead", "natural extension"]}, False),
    ({"contains_any": ["natural extension", "sequentially"]}, True),
    ({"contains_any": ["natural extension", "Start with DevOps."]}, False),
    ({"not_contains": "natural extension"}, True),
    ({"not_contains": ["natural extension", "skip ahead"]}, False),
    ({"regex": r"skip ahead to \w+ops\."}, True),
    ({"regex": r"^Skip"}, False),
    ({"cites_section": "Which \"Ops\" Should You Learn First?"}, True),
    ({"cites_section": "The Four Differences That Actually Matter"}, False),
    ({"min_citations": 1}, True),
    ({"min_citations": 2}, False),
    ({"max_citations": 1}, True),
    ({"max_citations": 0}, False),
    ({"recommendation": "MLOps"}, True),
    ({"recommendation": None}, False),
    ({"recommendation": "DevOps"}, False),
    ({"abstained": False}, True),
    ({"abstained": True}, False),
    ({"max_latency_ms": 60_000}, True),
    ({"max_latency_ms": 0.0001}, False),
    ({}, True),
])
def test_each_expectation_can_pass_and_fail(scientist_answer, expect, passes):
    results = check(Expect.model_validate(expect), scientist_answer)
    assert bool(results) == bool(expect)
    assert all(r.passed for r in results) == passes

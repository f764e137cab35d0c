"""`ops-assistant dialogs run PATH...`: play scripted dialogs and report on every turn.

Prints a per-turn report with what was expected against what came back for each failure;
`--junit` writes JUnit XML (a suite per file, a case per dialog) for CI, `--report` a JSON record
of every turn. Exit code: 0 all pass, 1 a dialog failed, 2 a file is malformed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli import load_assistant
from ingest.cli import expected_errors

if TYPE_CHECKING:  # the dialog runner is imported when a command runs, not for every command
    from assistant.dialogs import CheckResult, DialogResult, FileResult, TurnResult

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Scripted multi-turn dialogs with expectations (see docs/dialogs.md).")
EXCERPT = 240  # characters of an answer shown next to a failed expectation


def describe(check: CheckResult) -> str:
    """One failed expectation: what was expected and what came back."""
    got = check.actual
    if isinstance(got, str) and len(got) > EXCERPT:
        got = got[:EXCERPT] + "..."
    return f"{check.kind}: expected {check.expected!r}, got {got!r}"


def first_failure(dialog: DialogResult) -> str:
    """The failing turn and assertion of a dialog, as one line (the JUnit failure message)."""
    turn = next(t for t in dialog.turns if not t.passed)
    check = next(c for c in turn.checks if not c.passed)
    return f"turn {turn.number} (line {turn.line}) {turn.user!r}: {describe(check)}"


def text_report(results: list[FileResult]) -> list[str]:
    """The lines printed by `dialogs run`: every file, dialog and turn; details under failures."""
    lines = []
    for result in results:
        lines.append(result.path)
        if result.error:
            lines.append(f"  ERROR {result.error}")
        for dialog in result.dialogs:
            status = "PASS" if dialog.passed else "FAIL"
            lines.append(f"  {status}  {dialog.name}  ({_count(dialog.turns, 'turn')}, "
                         f"{dialog.seconds:.2f} s)")
            lines += _dialog_lines(dialog)
    return lines


def _turn_lines(turn: TurnResult) -> list[str]:
    status = "ok  " if turn.passed else "FAIL"
    got = (f"recommendation={turn.recommendation}, {_count(turn.citations, 'citation')}"
           + (", abstained" if turn.abstained else "") + f", {turn.latency_ms:.0f} ms")
    lines = [f"    {status} turn {turn.number} [{turn.session}] {turn.user[:60]!r} -> {got}"]
    return lines + [f"         {describe(c)}" for c in turn.checks if not c.passed]


def _count(items: list, noun: str) -> str:
    return f"{len(items)} {noun}{'s' * (len(items) != 1)}"


def summary(results: list[FileResult]) -> str:
    dialogs = [d for r in results for d in r.dialogs]
    failed = sum(not d.passed for d in dialogs)
    malformed = _count([r for r in results if r.error], "malformed file")
    return f"{len(dialogs) - failed} of {len(dialogs)} dialogs passed, {failed} failed, {malformed}"


def junit(results: list[FileResult]) -> ET.ElementTree:
    """JUnit XML: a testsuite per file, a testcase per dialog; a malformed file is an error."""
    root = ET.Element("testsuites", name="ops-assistant dialogs")
    for result in results:
        failures, errors = sum(not d.passed for d in result.dialogs), int(bool(result.error))
        suite = ET.SubElement(root, "testsuite", name=result.path,
                              tests=str(len(result.dialogs) + errors), failures=str(failures),
                              errors=str(errors), time=f"{sum(d.seconds for d in result.dialogs):.3f}")
        classname = Path(result.path).stem
        if result.error:
            case = ET.SubElement(suite, "testcase", classname=classname, name="(load file)")
            ET.SubElement(case, "error", type="DialogFileError", message=result.error)
        for dialog in result.dialogs:
            case = ET.SubElement(suite, "testcase", classname=classname, name=dialog.name,
                                 file=result.path, line=str(dialog.line), time=f"{dialog.seconds:.3f}")
            if not dialog.passed:
                failure = ET.SubElement(case, "failure", type="AssertionError",
                                        message=first_failure(dialog))
                failure.text = "\n".join(_dialog_lines(dialog))
    ET.indent(root)
    return ET.ElementTree(root)


def _dialog_lines(dialog: DialogResult) -> list[str]:
    return [line for turn in dialog.turns for line in _turn_lines(turn)]


def json_report(results: list[FileResult]) -> dict:
    """Every file, dialog and turn: user text, answer, citations, recommendation, abstained,
    latency, and each assertion with its result."""
    from assistant.dialogs import exit_code

    return {"exit_code": exit_code(results), "summary": summary(results),
            "files": [r.model_dump(mode="json") for r in results]}


@app.command("run")
def run_command(
    paths: Annotated[list[Path], typer.Argument(help="Dialog files, or folders of *.yaml files.")],
    junit_file: Annotated[Path | None, typer.Option("--junit", help="Write JUnit XML here.")] = None,
    report_file: Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")] = None,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first failure.")] = False,
) -> None:
    """Run scripted dialogs; exit 0 when all pass, 1 when one fails, 2 for a malformed file."""
    from assistant.dialogs import exit_code, run_files

    def load():
        with expected_errors():
            return load_assistant()

    results = run_files(load, paths, fail_fast)
    for line in text_report(results):
        typer.echo(line)
    typer.echo(summary(results))
    if junit_file:
        junit(results).write(junit_file, encoding="utf-8", xml_declaration=True)
    if report_file:
        report_file.write_text(json.dumps(json_report(results), indent=2), encoding="utf-8")
    raise typer.Exit(exit_code(results))

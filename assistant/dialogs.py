"""Scripted dialogs: multi-turn conversations in YAML with expectations on every turn.

The format is documented in docs/dialogs.md. A file holds many dialogs; each dialog runs in fresh
sessions of one Assistant (a turn may name its own session, so two conversations can interleave
in one dialog). Files are parsed into pydantic models; YAML marks keep the line of every mapping
and key, so a malformed file is reported with its file, dialog and line.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import yaml
from pydantic import (BaseModel, Field, ValidationError, computed_field,
                      field_validator)

from assistant.dialog_checks import (KEYS, LINE, CheckResult, Expect, Understood, _Located, check,
                                     check_understood)
from assistant.schema import Citation


class DialogFileError(Exception):
    """A dialog file that cannot be read or does not follow the format."""

    def __init__(self, path: Path, line: int | None, dialog: str | None, problem: str):
        self.path, self.line, self.dialog, self.problem = path, line, dialog, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: dialog {dialog or '(none)'!r}: {problem}")


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that records the line of each mapping and of each of its keys."""

    def construct_mapping(self, node, deep=False):
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        mapping[KEYS] = {k.value: k.start_mark.line + 1 for k, _ in node.value
                         if isinstance(k, yaml.ScalarNode)}
        return mapping


class DialogTurn(_Located):
    """One user message, the session it goes to, what it must be understood as and what its
    answer must satisfy."""

    user: str
    session: str = "main"
    understood: Understood | None = None
    expect: Expect = Expect()


class Dialog(_Located):
    name: str = Field(min_length=1)
    description: str = ""
    tags: list[str] = []
    turns: list[DialogTurn] = Field(min_length=1)


class DialogFile(_Located):
    dialogs: list[Dialog] = Field(min_length=1)

    @field_validator("dialogs")
    @classmethod
    def _unique_names(cls, dialogs: list[Dialog]) -> list[Dialog]:
        seen = set()
        for dialog in dialogs:
            if dialog.name in seen:
                raise ValueError(f"two dialogs are named {dialog.name!r}")
            seen.add(dialog.name)
        return dialogs


def load_file(path: Path) -> DialogFile:
    """Parse one dialog file; DialogFileError names the file, the dialog and the line."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except (OSError, UnicodeDecodeError) as error:
        raise DialogFileError(path, None, None, f"cannot read: {error}") from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise DialogFileError(path, line, _dialog_above(text, line), f"YAML syntax: {error.problem}")
    if not isinstance(raw, dict):
        raise DialogFileError(path, 1, None, "expected a mapping with a 'dialogs' list")
    try:
        return DialogFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        line, dialog, where = _locate(raw, first["loc"])
        raise DialogFileError(path, line, dialog, f"{where}: {first['msg']}") from None


def _locate(raw: dict, loc: tuple) -> tuple[int, str | None, str]:
    """The line, the dialog's name and a readable path of a validation error's location."""
    node, line, dialog, parts = raw, raw.get(LINE), None, []
    for step in loc:
        if isinstance(node, dict):
            line = node.get(KEYS, {}).get(step, node.get(LINE, line))
            parts.append(str(step))
        elif isinstance(node, list) and isinstance(step, int):
            parts[-1] += f"[{step + 1}]"
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(node, dict):
            line = node.get(LINE, line)
            if len(parts) == 1 and parts[0].startswith("dialogs["):
                dialog = node.get("name")
    return line, dialog, ".".join(parts) or "file"


def _dialog_above(text: str, line: int | None) -> str | None:
    """For a file that does not parse: the last dialog name that starts above the bad line."""
    names = [m.group(1).strip("'\" ") for m in re.finditer(r"(?m)^\s*-?\s*name:\s*(.+)$",
                                                           "\n".join(text.splitlines()[:line]))]
    return names[-1] if names else None


def collect(paths: list[Path]) -> list[Path]:
    """The dialog files named, with folders expanded to their *.yaml and *.yml files, sorted."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            files.append(path)
    return files


class TurnResult(BaseModel):
    number: int
    line: int
    session: str
    user: str
    answer: str
    citations: list[Citation]
    recommendation: str | None
    abstained: bool
    rewritten_query: str
    latency_ms: float
    checks: list[CheckResult]

    @computed_field
    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)


class DialogResult(BaseModel):
    name: str
    line: int
    seconds: float
    turns: list[TurnResult]

    @computed_field
    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.turns)


class FileResult(BaseModel):
    path: str
    error: str | None = None
    error_line: int | None = None
    dialogs: list[DialogResult] = []


def run_dialog(assistant, dialog: Dialog) -> DialogResult:
    """Play the dialog turn by turn in fresh sessions and check every answer."""
    started = time.perf_counter()
    prefix = f"dialog-{uuid.uuid4().hex[:12]}"
    turns = []
    for number, turn in enumerate(dialog.turns, 1):
        session = f"{prefix}:{turn.session}"
        understood = assistant.understand(turn.user, session=session) if turn.understood else None
        answer = assistant.ask(turn.user, session=session)
        turns.append(TurnResult(
            number=number, line=turn.line, session=turn.session, user=turn.user,
            answer=answer.answer, citations=answer.citations,
            recommendation=answer.recommendation, abstained=answer.abstained,
            rewritten_query=answer.rewritten_query, latency_ms=answer.latency_ms,
            checks=check(turn.expect, answer)
            + (check_understood(turn.understood, understood) if understood else [])))
    for session in {t.session for t in dialog.turns}:
        assistant.reset(f"{prefix}:{session}")
    return DialogResult(name=dialog.name, line=dialog.line, turns=turns,
                        seconds=round(time.perf_counter() - started, 3))


def run_files(assistant_factory, paths: list[Path], fail_fast: bool = False) -> list[FileResult]:
    """Load every file, then run the dialogs of those that parse; a malformed file is reported
    and the others still run. `assistant_factory` is called once, only if a file parses."""
    loaded = []
    for path in collect(paths):
        try:
            loaded.append((path, load_file(path), None))
        except DialogFileError as error:
            loaded.append((path, None, error))
    assistant = assistant_factory() if any(f for _, f, _ in loaded) else None
    results = []
    for path, parsed, error in loaded:
        result = FileResult(path=str(path), error=str(error) if error else None,
                            error_line=error.line if error else None)
        results.append(result)
        if error and fail_fast:
            return results
        for dialog in parsed.dialogs if parsed else []:
            result.dialogs.append(run_dialog(assistant, dialog))
            if fail_fast and not result.dialogs[-1].passed:
                return results
    return results


def exit_code(results: list[FileResult]) -> int:
    """2 when a file is malformed, else 1 when a dialog failed, else 0."""
    if any(r.error for r in results):
        return 2
    return 1 if any(not d.passed for r in results for d in r.dialogs) else 0

#!/usr/bin/env bash
# Create .venv with the pinned dependencies, or reuse it when it is already complete.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "ops-assistant needs Python >= 3.11 (found $("$python" --version))" >&2; exit 1; }

stamp=.venv/.installed
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -c1-16)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  # the ONNX export of the verified model (answering and ingest run it): checked, made if missing;
  # then the language classifiers trained over it (assistant/nlu.py), if missing
  .venv/bin/python -m ingest.onnx_export
  exec .venv/bin/python -m assistant.nlu
fi
echo "setting up .venv (first run takes a few minutes)" >&2
"$python" -m venv .venv
.venv/bin/pip install -q --upgrade pip
# torch first and pinned: this machine's CPU build; a loose torch would pull a multi-GB CUDA build.
.venv/bin/pip install -q torch==2.13.0
.venv/bin/pip install -q -r requirements.lock
.venv/bin/pip install -q --no-deps -e .
.venv/bin/python -m ingest.onnx_export
.venv/bin/python -m assistant.nlu
echo "$want" > "$stamp"

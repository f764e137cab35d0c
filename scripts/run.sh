#!/usr/bin/env bash
# Set up, build the index if it is missing or stale, and start the assistant (embedded Chroma).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export ANONYMIZED_TELEMETRY=False
if .venv/bin/ops-assistant status --json | .venv/bin/python -c 'import json,sys; sys.exit(json.load(sys.stdin)["stale"])'; then
  echo "index is up to date" >&2
else
  .venv/bin/ops-assistant ingest
fi
exec .venv/bin/ops-assistant ui "$@"

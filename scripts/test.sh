#!/usr/bin/env bash
# Set up everything the tests need (Python packages, Debian's chromium) and run the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
  sudo=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium
fi
export ANONYMIZED_TELEMETRY=False
exec .venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# The README's test command: install what is needed, then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --dev
exec python3 -m pytest "$@"

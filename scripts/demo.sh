#!/usr/bin/env bash
# The README's demo command: install, train any missing default model on the
# bundled corpus (with progress), then serve the app on http://127.0.0.1:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec lyricist demo "$@"

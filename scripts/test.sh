#!/usr/bin/env bash
# The whole test suite: installs the moto AWS emulator (pinned, from PyPI) into a local
# virtualenv, starts it on a free loopback port, runs `cargo test`, and stops it.
# Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
# Reuse a build directory outside the clone so repeated runs are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/warden/target}"

source scripts/moto.sh
export WARDEN_TEST_ENDPOINT="$MOTO_URL"
export WARDEN_TEST_PYTHON="$WARDEN_VENV_PY"

cargo test "$@"

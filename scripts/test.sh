#!/usr/bin/env bash
# Builds psafe and runs every test: unit tests (GoogleTest) and end-to-end tests that
# start psafed as a process over real TLS (pytest). Exit status is ctest's.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset debug
cmake --build --preset debug
ctest --preset debug

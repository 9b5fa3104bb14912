#!/usr/bin/env bash
# Builds psafed (release) and serves it from ./data (override: PSAFE_DATA_DIR).
# First run: creates the data directory and prints the administrator's API key,
# password and OAuth client ONCE; later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA_DIR="${PSAFE_DATA_DIR:-data}"
LISTEN="${PSAFE_LISTEN:-127.0.0.1:8443}"

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target psafed psrun2

PSAFED=build/release/src/psafed
if [ ! -f "$DATA_DIR/psafe.db" ]; then
  "$PSAFED" init --demo --data-dir "$DATA_DIR" --listen "$LISTEN"
  echo
fi
echo "Serving on https://$LISTEN (Ctrl-C stops gracefully)."
exec "$PSAFED" serve --data-dir "$DATA_DIR" --listen "$LISTEN"

#!/usr/bin/env bash
# Runs testssl.sh (Debian package) against psafed with its generated TLS material and
# fails on any finding of severity MEDIUM or higher.
#   scripts/testssl.sh [BUILD_DIR]    # default build/debug; run scripts/test.sh first
# The full JSON report is left in BUILD_DIR/testssl/report.json.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD="${1:-build/debug}"
bash scripts/install-deps.sh
OUT="$BUILD/testssl"
rm -rf "$OUT" && mkdir -p "$OUT"

"$BUILD/src/psafed" init --data-dir "$OUT/data" --json >/dev/null
exec 3< <("$BUILD/src/psafed" serve --data-dir "$OUT/data" --listen 127.0.0.1:0 2>"$OUT/psafed.log")
PSAFED_PID=$!
trap 'kill $PSAFED_PID 2>/dev/null || true' EXIT
read -r -t 30 line <&3 || { echo "psafed did not start:"; cat "$OUT/psafed.log"; exit 1; }
PORT="$(sed -E 's|.*://127\.0\.0\.1:([0-9]+)/.*|\1|' <<<"$line")"
echo "== testssl.sh against psafed on 127.0.0.1:$PORT"

# --add-ca: trust the generated CA, as a client following the README does.
# testssl exits non-zero on some findings by design; the JSON is what is judged.
testssl --quiet --color 0 --warnings off --add-ca "$OUT/data/tls/ca.pem" \
  --jsonfile "$OUT/report.json" "127.0.0.1:$PORT" >"$OUT/report.txt" 2>&1 || true

python3 - "$OUT/report.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
if not any(f["id"] == "protocol_negotiated" or f["id"].startswith("cipher") for f in findings):
    sys.exit("testssl.sh produced no TLS findings at all: did it reach psafed?")
# FATAL: testssl.sh could not finish a check, so the scan proves nothing.
bad = [f for f in findings if f["severity"] in ("MEDIUM", "HIGH", "CRITICAL", "FATAL")]
for f in findings:
    if f["severity"] not in ("OK", "INFO"):
        print(f"  {f['severity']:8} {f['id']}: {f['finding']}")
print(f"{len(findings)} findings, {len(bad)} of severity MEDIUM or higher (or FATAL)")
sys.exit(1 if bad else 0)
PY

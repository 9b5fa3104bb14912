#!/usr/bin/env bash
# Runs every benchmark (docs/BENCHMARKS.md) and writes bench/results/<date>.md.
# Installs what it needs from Debian (nginx-light, hyperfine), builds the `bench` preset
# (release build + tools), then hands over to bench/run.py.
#   BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 32), BENCH_ACCOUNTS (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
missing=()
for p in nginx-light hyperfine; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
cmake --preset bench >/dev/null
cmake --build --preset bench
exec /usr/bin/python3 bench/run.py "$@"

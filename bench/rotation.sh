#!/usr/bin/env bash
# The rotation benchmark (docs/BENCHMARKS.md, "Rotation"): psafed rotates
# BENCH_ROTATION_ACCOUNTS (1000) accounts on one real sshd with [rotation] workers =
# BENCH_ROTATION_WORKERS (8) while credential reads run; writes bench/results/<date>-rotation.md.
# Needs root (Linux users, sshd). Installs only scripts/install-deps.sh's packages and builds
# nothing with CMake: it uses build/bench (the `bench` preset: release psafed + load
# generator) when that has been built, else build/debug/src/psafed with the load generator
# compiled on its own (bench/loadgen.cc against build/debug's Asio library, once, cached).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench/rotation.sh creates Linux users and runs sshd: run it as root" >&2
  exit 2
fi
bash scripts/install-deps.sh

if [ -x build/bench/src/psafed ] && [ -x build/bench/bench/psafe-loadgen ]; then
  echo "using build/bench (release)"
elif [ -x build/debug/src/psafed ]; then
  echo "using build/debug/src/psafed (no build/bench: run 'cmake --preset bench && cmake --build --preset bench' for release numbers)"
  if [ -z "${LOADGEN:-}" ]; then
    cache="${TMPDIR:-/tmp}/psafe-rotation-bench"
    mkdir -p "$cache"
    LOADGEN="$cache/psafe-loadgen"
    if [ ! -x "$LOADGEN" ] || [ bench/loadgen.cc -nt "$LOADGEN" ]; then
      echo "compiling bench/loadgen.cc -> $LOADGEN"
      nice -n 19 g++ -std=c++20 -O2 -w -DBOOST_ASIO_NO_DEPRECATED -DBOOST_ASIO_SEPARATE_COMPILATION \
        -DBOOST_BEAST_SEPARATE_COMPILATION bench/loadgen.cc build/debug/src/libpsafe_asio.a \
        -lboost_json -lssl -lcrypto -pthread -o "$LOADGEN.tmp"
      mv "$LOADGEN.tmp" "$LOADGEN"
    fi
    export LOADGEN
  fi
else
  echo "no psafed build: build the bench (or debug) preset first" >&2
  exit 2
fi
exec /usr/bin/python3 bench/rotation.py "$@"

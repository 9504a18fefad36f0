#!/usr/bin/env bash
# Runs the benchmarks on NP ranks (default 2) through scripts/mpirun.sh and keeps each
# benchmark's output in bench/out/<name>.txt (rewritten on every run of this script).
# Timings are measured here, never asserted in tests. Build first: `make build`.
# Each benchmark adds its own `run` lines below.
set -euo pipefail
cd "$(dirname "$0")/.."
NP=${NP:-2}
mkdir -p bench/out
declare -A started=()

# run <bench name> [args...]: one run, output shown and appended to bench/out/<name>.txt.
run() {
  local name=$1
  shift
  local out="bench/out/$name.txt"
  if [ -z "${started[$name]:-}" ]; then
    : >"$out"
    started[$name]=1
  fi
  echo "== scripts/mpirun.sh -n $NP bin/$name $*" | tee -a "$out"
  scripts/mpirun.sh -n "$NP" "bin/$name" "$@" 2>&1 | tee -a "$out"
}

# Distributed median, k = 10^6 values x d = 32: regenerating source, then a stored array.
run bench_median -k 1000000 -d 32
run bench_median -k 1000000 -d 32 -stored

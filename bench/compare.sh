#!/usr/bin/env bash
# stratsim side by side with what a user would use instead (docs/performance.md, "Side by side"):
# the per-labeler MLE against sklearn's LogisticRegression (lbfgs), the policy LP against scipy's
# HiGHS, the coordinate-wise median against numpy. Both sides solve the same data (written by
# bin/bench_compare, read by bench/compare.py), one process each, on one core. The pairs run
# interleaved ROUNDS times (default 5), so load from other jobs hits both sides alike; the
# script prints each round's ratio (alternative time / stratsim time) and their median, min
# and max, and the load average. Output also in bench/out/compare.txt.
# Usage: bench/compare.sh [ROUNDS]   (needs python3-sklearn and python3-scipy: `make bench`)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
PY=${PYTHON:-/usr/bin/python3}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 # one core each side
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
mkdir -p bench/out
OUT=bench/out/compare.txt
: >"$OUT"
say() { echo "$*" | tee -a "$OUT"; }

# pair <label> <stratsim args> <python args>: one round of a pair, its ratio kept under label
declare -A ratios=()
pair() {
  local label=$1 sargs=$2 pargs=$3 s p
  s=$(scripts/mpirun.sh -n 1 bin/bench_compare $sargs "$DIR")
  p=$($PY bench/compare.py $pargs "$DIR")
  say "  $s | $p"
  ratios[$label]+="$(awk -v a="$s" -v b="$p" 'BEGIN { split(a, x, " "); split(b, y, " "); printf "%.4g ", y[3] / x[3] }')"
}

say "bench/compare.sh: $ROUNDS interleaved rounds, $(getconf _NPROCESSORS_ONLN) cores, $(uptime | sed 's/.*load/load/')"
for r in $(seq "$ROUNDS"); do
  say "round $r ($(uptime | sed 's/.*load average: //'))"
  pair "MLE n=1000 d=32 (sklearn lbfgs / stratsim, per labeler)" "mle 1000 32 100" "mle 1000 32 100"
  pair "MLE n=200 d=16 (sklearn lbfgs / stratsim, per labeler)" "mle 200 16 300" "mle 200 16 300"
  for sa in "16 4" "256 8"; do # the Table 1 preset's size, and a larger one
    lpdims=$(scripts/mpirun.sh -n 1 bin/bench_compare lp $sa 16 "$DIR" | awk '{print $5, $6}')
    pair "policy LP S,A=${sa/ /,} d=16 (scipy HiGHS / stratsim simplex)" "lp $sa 16" "lp $lpdims"
  done
  pair "median k=10^6 d=32 (numpy / stratsim, one rank)" "median 1000000 32" "median 1000000 32"
done
say "ratios (> 1: stratsim faster), median [min, max] over $ROUNDS rounds:"
for label in "${!ratios[@]}"; do
  say "  $label: $(echo "${ratios[$label]}" | tr ' ' '\n' | grep . | sort -g |
    awk '{ v[NR] = $1 } END { printf "%.3g [%.3g, %.3g]", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[1], v[NR] }')"
done
say "load after: $(uptime | sed 's/.*load average: //')"

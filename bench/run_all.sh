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

# protocol <output name> <label> <config> [stratsim args...]: wall time of a whole stratsim run.
protocol() {
  local name=$1 label=$2 config=$3
  shift 3
  local start end
  start=$(date +%s%N)
  scripts/mpirun.sh -n "$NP" bin/stratsim run "$config" --force --quiet \
    --set output.dir=bench/out/results "$@" >/dev/null
  end=$(date +%s%N)
  echo "$label: $(( (end - start) / 1000000 )) ms wall on $NP ranks" | tee -a "bench/out/$name.txt"
}

# Distributed median, k = 10^6 values x d = 32: regenerating source, then a stored array.
run bench_median -k 1000000 -d 32
run bench_median -k 1000000 -d 32 -stored

# Bandit (docs/performance.md, "Bandit"): ns per round per arm (OptGTM, LinUCB; preset and
# K=1000 d=20, on rank 0 alone), strong scaling at K=10^4 d=32, peak RSS at T=10^4 and
# T=10^7 (separate processes: a peak only grows), and the whole paper_fig1 protocol.
run bench_bandit round
run bench_bandit scaling 300
run bench_bandit rss 10000
run bench_bandit rss 10000000
protocol bench_bandit "bandit paper_fig1 (default layout)" configs/bandit/paper_fig1.yaml
protocol bench_bandit "bandit paper_fig1 (parallel.groups=$NP)" configs/bandit/paper_fig1.yaml \
  --set parallel.groups="$NP"

# RLHF (docs/performance.md, "RLHF"): MLE us per labeler at n=1000 d=32 (rank 0 alone),
# 10^5 labelers n=200 d=16 (time, peak RSS per rank; memory per labeler is O(d)), and the
# whole Table 1 protocol.
run bench_rlhf mle 1000 32 2000
run bench_rlhf labelers 10000 200 16
run bench_rlhf labelers 100000 200 16
protocol bench_rlhf "rlhf table1 (4 n x 5 seeds x 4 algorithms, SPSA 200 steps)" configs/rlhf/table1.yaml

# Side by side with sklearn (MLE), scipy HiGHS (policy LP) and numpy (median), 3 interleaved
# rounds (docs/performance.md, "Side by side"; output in bench/out/compare.txt).
bench/compare.sh 3

# Planner and MDPs (docs/performance.md, "Planner and MDPs"): (a) the certified planner beside the
# dense simplex, H = 1, S = 500, A = 10, d = 16, box; (c) weak scaling, 25 000 states per rank,
# 10 pricing passes (pass BENCH_MDP_WEAK="1 2 4 8" to vary the rank counts). (b), the 10^6-state
# solve, takes ~7 min on a quiet machine (~6 min of CPU per rank), more under load: `scripts/mpirun.sh -n 2 bin/bench_mdp solve -S 1000000 -A 10 -H 10 -d 32 -b 4 -alpha_rule auto`.
run bench_mdp dense -reps 20
# the machine's floor for the backward sums' random reads: 8 MB (the value array of (b)) and 2 MB
run bench_mdp gather -n 1000000
run bench_mdp gather -n 250000
for P in ${BENCH_MDP_WEAK:-$NP}; do
  NP=$P run bench_mdp solve -S $((25000 * P)) -A 10 -H 10 -d 32 -b 4 -max_passes 10
done

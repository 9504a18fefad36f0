#!/usr/bin/env bash
# One integration pass under AddressSanitizer + UndefinedBehaviorSanitizer (issue 11): the
# stratsim of build/asan (`make asan-integration` builds it) runs each experiment's quick
# preset on 2 ranks, then a sample of bad inputs, injected failures and a memory refusal.
# Each run must end with the expected exit code and without any sanitizer report (memory
# errors, undefined behaviour, leaks of our own allocations: tests/lsan.supp lists Open MPI's).
# Prints PASS/FAIL per check and "N passed, M failed"; exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."
OUT=tests/out/asan
rm -rf "$OUT"
mkdir -p "$OUT"
MPI=scripts/mpirun.sh
S=build/asan/bin/stratsim
[ -x "$S" ] || { echo "missing $S (make asan-integration builds it)"; exit 2; }
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=0
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1
export OPENBLAS_NUM_THREADS=1
pass=0
fail=0
ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; [ -f "${2:-}" ] && grep -E -m 20 "ERROR|SUMMARY|runtime error|#[0-9]+ |stratsim: error" "$2" | sed 's/^/    /'; fail=$((fail + 1)); }

# check NAME WANT_RC NP ARGS...: exit code WANT_RC and no sanitizer report
check() {
  local name=$1 want=$2 np=$3 t0=$SECONDS
  shift 3
  timeout 600 $MPI -n "$np" "$S" "$@" >"$OUT/$name.log" 2>&1
  local rc=$?
  if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)" "$OUT/$name.log"; then
    ko "asan: $name: sanitizer report" "$OUT/$name.log"
  elif [ $rc -ne "$want" ]; then
    ko "asan: $name: exit $rc, want $want" "$OUT/$name.log"
  else ok "asan: $name (exit $rc, no sanitizer report, $((SECONDS - t0)) s)"; fi
}

start=$(date +%s)
check facility-demo 0 2 run configs/demo.yaml --out "$OUT/facility" --quiet --set seeds=2
check bandit-quick 0 2 run configs/bandit/quick.yaml --out "$OUT/bandit" --quiet
check rlhf-quick 0 2 run configs/rlhf/quick.yaml --out "$OUT/rlhf" --quiet --set rlhf.spsa.steps=5
# same results as the regular build where both ran (tests/out from tests/run_integration.sh)
if [ -f tests/out/demo/facility_runs.csv ] && [ -f "$OUT/facility/facility_runs.csv" ]; then
  head -n 5 tests/out/demo/facility_runs.csv >"$OUT/want.csv"
  if head -n 5 "$OUT/facility/facility_runs.csv" | cmp -s - "$OUT/want.csv"; then ok "asan: facility rows match the regular build"
  else ko "asan: facility rows differ from the regular build"; fi
fi

printf 'experiment: rlhf\nrlhf:\n  d: 2\n  env: {type: csv, file: %s, states: 2, actions: 2}\n' "$OUT/bad_features.csv" >"$OUT/bad_csv.yaml"
printf 's,a,phi_1,phi_2\n0,0,1,2\n0,1,3,junk\n' >"$OUT/bad_features.csv"
check bad-unknown-key 2 2 validate tests/data/bad_unknown_key.yaml
check bad-missing-file 2 2 run tests/data/does_not_exist.yaml --out "$OUT/missing"
check bad-set-value 2 2 run configs/demo.yaml --set facility.agents=-3 --out "$OUT/badset"
check bad-set-yaml 2 2 validate configs/demo.yaml --set 'facility.mechanisms=[mean, {a: 1'
check bad-sweep-type 2 2 validate configs/rlhf/quick.yaml --set 'rlhf.algorithms=[nope]'
check bad-features-csv 2 2 run "$OUT/bad_csv.yaml" --out "$OUT/badcsv" --quiet
check bad-memory-limit 2 2 run configs/bandit/quick.yaml --set bandit.K=100000 --set bandit.d=1000 \
  --set bandit.theta_source=random --out "$OUT/toolarge"
STRATSIM_FAIL_RANK=1 check injected-failure 1 2 run configs/demo.yaml --out "$OUT/injected" --quiet
STRATSIM_FAIL_RANK=1 STRATSIM_FAIL_ALLOC=40 check injected-alloc 1 2 run tests/data/alloc_rlhf.yaml \
  --out "$OUT/alloc" --quiet --force
echo "$pass passed, $fail failed in $(( $(date +%s) - start )) s"
[ $fail -eq 0 ]

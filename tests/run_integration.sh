#!/usr/bin/env bash
# Multi-rank integration tests: rank-count agreement, repeatability, collective error
# handling, the output contract, and every tests/mpi program at 1-4 ranks.
# Prints PASS/FAIL per check and ends with "N passed, M failed"; exits non-zero on failure.
set -u
cd "$(dirname "$0")/.."
OUT=tests/out
rm -rf "$OUT"
mkdir -p "$OUT"
MPI=scripts/mpirun.sh
pass=0
fail=0

ok() { echo "PASS: $1"; pass=$((pass + 1)); }
ko() { echo "FAIL: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 20 "$2" | sed 's/^/    /'; fail=$((fail + 1)); }

# run NAME CMD...: the command must succeed; its output goes to $OUT/NAME.log
run() {
  local name=$1
  shift
  if timeout 600 "$@" >"$OUT/$name.log" 2>&1; then return 0; fi
  ko "$name: command failed: $*" "$OUT/$name.log"
  return 1
}

# same_csvs A B: every CSV in A exists in B with identical bytes (and there is at least one)
same_csvs() {
  local n=0 f
  for f in "$1"/*.csv; do
    [ -f "$f" ] || return 1
    cmp -s "$f" "$2/$(basename "$f")" || { echo "differs: $f vs $2/$(basename "$f")"; return 1; }
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] && [ "$(ls "$1"/*.csv | wc -l)" -eq "$(ls "$2"/*.csv | wc -l)" ]
}

# --- rank counts and group layouts give byte-identical results -----------------------
rank_identity() {
  local label=$1 config=$2
  shift 2
  local base="$OUT/$label-np1" good=1
  run "$label-np1" $MPI -n 1 bin/stratsim run "$config" --out "$base" --quiet "$@" || return
  for np in 2 3 4; do
    run "$label-np$np" $MPI -n $np bin/stratsim run "$config" --out "$OUT/$label-np$np" --quiet "$@" || { good=0; continue; }
    same_csvs "$base" "$OUT/$label-np$np" >"$OUT/$label-cmp$np.log" 2>&1 || { ko "$label: 1 vs $np ranks differ" "$OUT/$label-cmp$np.log"; good=0; }
  done
  [ $good = 1 ] && ok "$label: byte-identical CSVs on 1, 2, 3 and 4 ranks"
}
rank_identity facility tests/data/facility_ranks.yaml

if run facility-groups-clamped $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml \
    --set parallel.groups=8 --out "$OUT/facility-groups-clamped" --quiet; then
  if same_csvs "$OUT/facility-np1" "$OUT/facility-groups-clamped" >"$OUT/groups-clamped.cmp" 2>&1 &&
     grep -q '"groups": 2' "$OUT/facility-groups-clamped/manifest.json"; then
    ok "facility: 8 groups on 2 ranks run as 2 groups and match 1 rank"
  else ko "facility: clamped groups" "$OUT/groups-clamped.cmp"; fi
fi

for groups in 2 4; do
  if run "facility-groups$groups" $MPI -n 4 bin/stratsim run tests/data/facility_ranks.yaml \
      --set parallel.groups=$groups --out "$OUT/facility-groups$groups" --quiet; then
    if same_csvs "$OUT/facility-np1" "$OUT/facility-groups$groups" >"$OUT/groups$groups.cmp" 2>&1; then
      ok "facility: 4 ranks in $groups groups match 1 rank"
    else ko "facility: $groups groups differ from 1 rank" "$OUT/groups$groups.cmp"; fi
  fi
done

if run facility-repeat $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml --out "$OUT/facility-repeat" --quiet; then
  if same_csvs "$OUT/facility-np2" "$OUT/facility-repeat" >"$OUT/repeat.cmp" 2>&1; then
    ok "facility: two runs on 2 ranks are byte-identical"
  else ko "facility: repeated run differs" "$OUT/repeat.cmp"; fi
fi

# --- the demo shows what it is for ----------------------------------------------------
if run demo $MPI -n 2 bin/stratsim run configs/demo.yaml --out "$OUT/demo" --quiet; then
  if /usr/bin/python3 - "$OUT/demo/facility_runs.csv" >"$OUT/demo-check.log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
gain = {}
for r in rows:
    if r["condition"] == "truthful":
        gain.setdefault(r["mechanism"], []).append(float(r["max_gain"]))
assert len(gain["mean"]) >= 3, gain
assert min(gain["mean"]) > 0, "mean should be manipulable in every seed"
assert max(gain["median"]) == 0, "median should give no agent a gain"
PY
  then ok "demo: the mean is manipulable in every seed, the median in none"
  else ko "demo: summary does not show mean manipulable / median not" "$OUT/demo-check.log"; fi
fi

if /usr/bin/python3 analysis/facility_summary.py "$OUT/demo" >"$OUT/demo-analysis.log" 2>&1 &&
   [ "$(grep -c '^| mea\|^| med' "$OUT/demo-analysis.log")" -eq 4 ] && [ -s "$OUT/demo/facility_gains.png" ]; then
  ok "analysis/facility_summary.py: table of 4 rows and the gains plot"
else ko "analysis/facility_summary.py" "$OUT/demo-analysis.log"; fi

# --- bad input: one message, exit 2 on every rank, nothing created ---------------------
bad_config() {
  local label=$1 np=$2
  shift 2
  local out="$OUT/$label-results"
  timeout 60 $MPI -n "$np" bin/stratsim run "$@" --out "$out" >"$OUT/$label.out" 2>"$OUT/$label.err"
  local rc=$? n
  n=$(grep -c '^stratsim: error:' "$OUT/$label.err")
  if [ $rc -eq 2 ] && [ "$n" -eq 1 ] && [ ! -e "$out" ]; then
    ok "$label: exit 2 on $np ranks, one message, no results directory"
  else
    ko "$label: rc=$rc (want 2), $n messages (want 1), results dir $( [ -e "$out" ] && echo created || echo absent)" "$OUT/$label.err"
  fi
}
bad_config bad-unknown-key 4 tests/data/bad_unknown_key.yaml
bad_config bad-missing-file 4 tests/data/does_not_exist.yaml
bad_config bad-set 4 configs/demo.yaml --set facility.agents=-3
bad_config bad-groups 2 configs/demo.yaml --set parallel.groups=0
if grep -q "tests/data/bad_unknown_key.yaml:4:3: facility.dimz: unknown key; did you mean 'facility.dims'?" "$OUT/bad-unknown-key.err"; then
  ok "bad config message names file:line:column, the key and the nearest key"
else ko "bad config message is not as documented" "$OUT/bad-unknown-key.err"; fi

# --- a run failure on one rank: every rank exits 1, manifest says failed, no CSVs -------
fail_out="$OUT/injected"
STRATSIM_FAIL_RANK=1 timeout 60 $MPI -n 3 bin/stratsim run configs/demo.yaml --out "$fail_out" --quiet \
  >"$OUT/injected.out" 2>"$OUT/injected.err"
rc=$?
if [ $rc -eq 1 ] && grep -q '"status": "failed"' "$fail_out/manifest.json" 2>/dev/null &&
   ! ls "$fail_out"/*.csv >/dev/null 2>&1 && [ "$(grep -c '^stratsim: error:' "$OUT/injected.err")" -eq 1 ]; then
  ok "failure on rank 1 of 3: exit 1, one message, manifest failed, no CSV written"
else ko "injected failure: rc=$rc" "$OUT/injected.err"; fi

# --- an allocation failing on one rank anywhere in a run: every rank exits 1 with one ----
# message and the manifest says failed; nothing hangs. STRATSIM_FAIL_ALLOC=n makes rank 1's
# allocation n fail (counted from the start of the run); the lists cover setup, the
# collective phases and output of each simulator (a run past its last allocation completes).
alloc_fail() {
  local label=$1 config=$2 n rc bad=""
  shift 2
  for n in "$@"; do
    local out="$OUT/alloc-$label-$n"
    STRATSIM_FAIL_RANK=1 STRATSIM_FAIL_ALLOC=$n timeout 30 $MPI -n 2 bin/stratsim run "$config" \
      --out "$out" --force --quiet >"$out.out" 2>"$out.err"
    rc=$?
    [ $rc -eq 0 ] && continue
    if [ $rc -ne 1 ] || [ "$(grep -c '^stratsim: error:' "$out.err")" -ne 1 ] ||
       ! grep -q '"status": "failed"' "$out/manifest.json" 2>/dev/null; then
      bad="$bad $n(rc=$rc)"
    fi
  done
  if [ -z "$bad" ]; then ok "$label: an allocation failing on rank 1 of 2 ends every rank with exit 1, one message"
  else echo "failing allocations:$bad" >"$OUT/alloc-$label.log"; ko "$label: allocation failures mishandled" "$OUT/alloc-$label.log"; fi
}
alloc_fail facility tests/data/alloc_facility.yaml $(seq 0 3 66)
alloc_fail rlhf tests/data/alloc_rlhf.yaml 0 1 2 3 4 5 8 12 20 31 39 45 60 100 200 300 400
alloc_fail bandit tests/data/alloc_bandit.yaml 0 3 6 10 20 40 60

# --- the run directory is never overwritten without --force ----------------------------
if run exists-first $MPI -n 1 bin/stratsim run configs/demo.yaml --out "$OUT/exists" --quiet; then
  before=$(md5sum "$OUT/exists/facility_runs.csv")
  $MPI -n 2 bin/stratsim run configs/demo.yaml --out "$OUT/exists" --quiet --set seed=5 >"$OUT/exists.out" 2>"$OUT/exists.err"
  rc=$?
  if [ $rc -eq 2 ] && [ "$before" = "$(md5sum "$OUT/exists/facility_runs.csv")" ] && grep -q -- "--force" "$OUT/exists.err"; then
    ok "existing run directory: exit 2 and untouched without --force"
  else ko "existing run directory: rc=$rc" "$OUT/exists.err"; fi
  if run exists-force $MPI -n 2 bin/stratsim run configs/demo.yaml --out "$OUT/exists" --quiet --set seed=5 --force &&
     [ "$before" != "$(md5sum "$OUT/exists/facility_runs.csv")" ] && grep -q '"seed": 5' "$OUT/exists/manifest.json"; then
    ok "--force replaces the run directory"
  else ko "--force did not replace the results" "$OUT/exists-force.log"; fi
fi

# --- manifest, sweep index, PETSc options -----------------------------------------------
if run sweep-index $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml --sweep-index 4 --set output.dir="$OUT/sweep" --quiet; then
  m="$OUT/sweep/facility_ranks/point-4/manifest.json"
  if [ -f "$m" ] && grep -q '"sweep_index": 4' "$m" && grep -q '"status": "completed"' "$m" &&
     [ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "agents") c = i; next } { print $c }' \
          "$OUT/sweep/facility_ranks/point-4/facility_runs.csv" | sort -u)" = "40" ]; then
    ok "--sweep-index 4 runs point 4 alone (agents=40) into point-4/"
  else ko "--sweep-index output" "$OUT/sweep-index.log"; fi
fi
if /usr/bin/python3 - "$OUT/facility-np2/manifest.json" >"$OUT/manifest.log" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for key in ["config", "overrides", "git_describe", "compiler", "cflags", "petsc_version", "mpi_version",
            "ranks", "seed", "slurm", "start_time", "end_time", "phases", "status"]:
    assert key in m, key
assert m["status"] == "completed" and m["ranks"] == 2, m
assert m["config"]["facility"]["agents"] == 37
assert "facility_dynamics" in m["phases"] and m["phases"]["facility_dynamics"]["max"] >= m["phases"]["facility_dynamics"]["min"]
PY
then ok "manifest.json has the contract's fields"; else ko "manifest.json" "$OUT/manifest.log"; fi
if run log-view $MPI -n 2 bin/stratsim run configs/demo.yaml --out "$OUT/logview" --quiet -log_view &&
   grep -q "facility_dynamics" "$OUT/log-view.log" && grep -q "facility_truthful" "$OUT/log-view.log"; then
  ok "-log_view shows a PETSc event per phase"
else ko "-log_view" "$OUT/log-view.log"; fi

# --- every multi-rank test program at 1..4 ranks ------------------------------------------
for prog in bin/mpi_*; do
  [ -x "$prog" ] || continue
  name=$(basename "$prog")
  for np in 1 2 3 4; do
    if run "$name-np$np" $MPI -n $np "$prog"; then ok "$name on $np ranks"; fi
  done
done

# --- SLURM: jobs/*.sbatch on a private test cluster ---------------------------------------
# STRATSIM_SKIP_SLURM=1 leaves it out (developers running several checkouts at once: the
# cluster's ports are fixed); CI never sets it.
if [ -x tests/slurm/test_slurm.sh ] && [ -z "${STRATSIM_SKIP_SLURM:-}" ]; then
  if timeout 600 tests/slurm/test_slurm.sh >"$OUT/slurm.log" 2>&1; then
    ok "slurm: every jobs/*.sbatch with -N 2 (srun and mpirun) on a 2-node test cluster ($(grep -c "^PASS" "$OUT/slurm.log") checks)"
  else ko "slurm: tests/slurm/test_slurm.sh (log: $OUT/slurm.log)" "$OUT/slurm.log"; fi
fi

# --- experiment presets added by the simulators register themselves here ----------------
for extra in tests/integration.d/*.sh; do
  [ -f "$extra" ] || continue
  . "$extra"
done

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]

#!/usr/bin/env bash
# Integration test of the batch scripts on a private single-node SLURM cluster
# (jobs/testcluster/start.sh; stopped again on exit, whatever happens).
#
# usage: tests/slurm/test_slurm.sh          (as root, from anywhere; needs bin/stratsim,
#                                            builds nothing)
#   1. sbatch -n 2 --wait jobs/run.sbatch configs/demo.yaml: the job succeeds, manifest.json
#      says completed, 2 ranks, and the SLURM job id;
#   2. jobs/submit_sweep.sh on a 2-point sweep (facility.agents: [11, 21]): point-0 and
#      point-1 record array task ids 0 and 1 and their facility_runs.csv 11 and 21 agents.
# Prints PASS:/FAIL: per check, then "N passed, M failed"; exits non-zero on any failure.
# Without the SLURM/munge binaries it prints SKIP and fails, unless STRATSIM_SLURM_OPTIONAL=1
# (then exit 0).
#
# Environment: STRATSIM_SLURM_OPTIONAL; STRATSIM_TEST_TIMEOUT (seconds per job, default 60).
# The cluster uses ports 16827/16828 and tests/out/slurm/cluster, so it can run beside a
# developer's cluster started by jobs/testcluster/start.sh with its defaults.
set -u

cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
root=$PWD
python=/usr/bin/python3
job_timeout=${STRATSIM_TEST_TIMEOUT:-60}
work=$root/tests/out/slurm
cluster=$work/cluster

passed=0 failed=0
pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

missing=()
for b in sbatch srun sinfo scontrol slurmctld slurmd munged munge; do
    command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing+=("$b")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "SKIP: SLURM test cluster: missing ${missing[*]} (Debian: apt-get install slurm-wlm munge)"
    if [ "${STRATSIM_SLURM_OPTIONAL:-0}" = 1 ]; then
        echo "SKIP: STRATSIM_SLURM_OPTIONAL=1, not a failure"
        exit 0
    fi
    fail "SLURM binaries present (set STRATSIM_SLURM_OPTIONAL=1 to skip)"
    finish
fi
if [ ! -x bin/stratsim ]; then
    fail "bin/stratsim exists (run make build first)"
    finish
fi

# Fresh work dir; the cluster dir is reused (start.sh stops any leftover instance in it).
rm -rf "$work/demo" "$work/sweep" "$work"/*.out "$work/sweep.yaml"
mkdir -p "$work"

export STRATSIM_SLURMCTLD_PORT=${STRATSIM_SLURMCTLD_PORT:-16827}
export STRATSIM_SLURMD_PORT=${STRATSIM_SLURMD_PORT:-16828}
trap 'jobs/testcluster/stop.sh "$cluster" >/dev/null 2>&1' EXIT
trap 'exit 130' INT TERM
if env_line=$(jobs/testcluster/start.sh "$cluster" 2> "$work/start.log"); then
    eval "$env_line"
    pass "test cluster started ($env_line)"
else
    cat "$work/start.log"
    fail "test cluster started (see $work/start.log and $cluster/log/)"
    finish
fi

# jget FILE PYTHON-EXPR: evaluate EXPR with m = the parsed JSON file; prints the result.
jget() {
    "$python" -c 'import json, sys
m = json.load(open(sys.argv[1]))
print(json.dumps(eval(sys.argv[2])))' "$1" "$2" 2>/dev/null
}
# csv_agents FILE: the distinct values of the agents column, space separated.
csv_agents() {
    "$python" -c 'import csv, sys
print(" ".join(sorted({r["agents"] for r in csv.DictReader(open(sys.argv[1]))})))' "$1" 2>/dev/null
}
# job_state ID: the final state of a job (or of all array tasks), from scontrol.
job_state() { scontrol -o show job "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | sort -u | tr '\n' ' '; }

# 1. One job, two ranks.
demo=$work/demo
out=$(timeout "$job_timeout" sbatch --parsable --wait -n 2 -o "$work/run-%j.out" \
      jobs/run.sbatch configs/demo.yaml --out "$demo" --quiet 2> "$work/run-sbatch.err")
rc=$?
job_id=${out%%;*}
if [ $rc -eq 0 ]; then
    pass "run.sbatch job $job_id exited 0"
else
    fail "run.sbatch job ${job_id:-?} exited $rc (124 = timed out after ${job_timeout}s); state: $(job_state "$job_id")"
    cat "$work/run-sbatch.err" "$work/run-$job_id.out" 2>/dev/null | tail -20
fi
manifest=$demo/manifest.json
check "run dir $demo has manifest.json" test -s "$manifest"
check "manifest status is \"completed\"" test "$(jget "$manifest" 'm["status"]')" = '"completed"'
check "manifest ranks is 2" test "$(jget "$manifest" 'm["ranks"]')" = 2
recorded=$(jget "$manifest" 'm["slurm"]["job_id"]')
check "manifest slurm.job_id is the job's id ($recorded, submitted $job_id)" \
      test -n "$job_id" -a "$recorded" = "\"$job_id\""

# 2. A two-point sweep as a job array.
sweep_out=$work/sweep
cat > "$work/sweep.yaml" <<YAML
# Written by tests/slurm/test_slurm.sh.
experiment: facility
name: sweep
seed: 1
seeds: 1
output:
  dir: $sweep_out
facility:
  agents: 11
  mechanisms: [median]
sweep:
  facility.agents: [11, 21]
YAML
out=$(timeout "$job_timeout" jobs/submit_sweep.sh --wait -n 1 -o "$work/sweep-%A_%a.out" -- \
      "$work/sweep.yaml" --quiet 2> "$work/submit-sweep.err")
rc=$?
array_id=${out%%;*}
if [ $rc -eq 0 ]; then
    pass "submit_sweep.sh array job $array_id exited 0"
else
    fail "submit_sweep.sh array job ${array_id:-?} exited $rc; state: $(job_state "$array_id")"
    cat "$work/submit-sweep.err" "$work"/sweep-*.out 2>/dev/null | tail -20
fi
check "submit_sweep.sh asked for --array=0-1" grep -q -- '--array=0-1 ' "$work/submit-sweep.err"
for i in 0 1; do
    agents=$(( i == 0 ? 11 : 21 ))
    m=$sweep_out/sweep/point-$i/manifest.json
    check "point-$i manifest status is \"completed\"" test "$(jget "$m" 'm["status"]')" = '"completed"'
    check "point-$i manifest records array_task_id $i" test "$(jget "$m" 'm["slurm"]["array_task_id"]')" = "\"$i\""
    check "point-$i manifest records array_job_id $array_id" \
          test -n "$array_id" -a "$(jget "$m" 'm["slurm"]["array_job_id"]')" = "\"$array_id\""
    check "point-$i facility_runs.csv has agents $agents" \
          test "$(csv_agents "$sweep_out/sweep/point-$i/facility_runs.csv")" = "$agents"
done

# 3. Clean shutdown: no daemon of this cluster left.
jobs/testcluster/stop.sh "$cluster" 2> "$work/stop.log"
left=$(ps -eo pid=,args= | grep -F "$cluster" | grep -v grep)
check "stop.sh left no daemons running${left:+: $left}" test -z "$left"
finish

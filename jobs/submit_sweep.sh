#!/usr/bin/env bash
# Submit a config's sweep as a SLURM array: one array task per sweep point.
#
# usage (from the repository root):
#   jobs/submit_sweep.sh CONFIG [STRATSIM RUN ARGS]...
#   jobs/submit_sweep.sh [SBATCH OPTIONS]... -- CONFIG [STRATSIM RUN ARGS]...
# e.g.
#   jobs/submit_sweep.sh configs/facility/agents.yaml --set seeds=50
#   jobs/submit_sweep.sh -n 4 --time=02:00:00 -- configs/facility/agents.yaml
#
# `stratsim validate CONFIG` (given the same --set overrides, which can pin swept keys and
# so shrink the sweep) reports "N sweep points"; the job array is then
# --array=0-(N-1)[%MAX] of jobs/sweep_array.sbatch, each task running
# `stratsim run CONFIG --sweep-index $SLURM_ARRAY_TASK_ID ARGS...`.
# Prints the array job id on stdout (with --wait: after the array has finished, and the
# exit code is the highest of the array tasks', as sbatch --wait does).
#
# Environment:
#   STRATSIM               the binary (default bin/stratsim)
#   STRATSIM_ARRAY_MAX     at most this many array tasks at once (the %MAX suffix)
set -u

die() { echo "submit_sweep.sh: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
stratsim=${STRATSIM:-bin/stratsim}

sbatch_opts=()
if [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; then
    # Leading options are for sbatch and must end with "--".
    while [ $# -gt 0 ] && [ "$1" != -- ]; do sbatch_opts+=("$1"); shift; done
    [ $# -gt 0 ] || die "sbatch options must be followed by -- CONFIG"
    shift
fi
[ $# -gt 0 ] || die "usage: jobs/submit_sweep.sh [SBATCH OPTIONS... --] CONFIG [STRATSIM RUN ARGS]..."
config=$1; shift
run_args=("$@")
[ -x "$stratsim" ] || die "$stratsim not found in $PWD (run from the repository root, or set STRATSIM)"
[ -r "$config" ] || die "cannot read config $config"

# validate takes only the --set overrides of the run arguments.
validate_args=()
has_out=0
set -- "${run_args[@]}"
while [ $# -gt 0 ]; do
    case $1 in
        --set) [ $# -ge 2 ] || die "--set needs a value"; validate_args+=(--set "$2"); shift 2 ;;
        --set=*) validate_args+=("$1"); shift ;;
        --sweep-index|--sweep-index=*) die "--sweep-index is set per array task; do not pass it" ;;
        --out|--out=*) has_out=1; shift ;;
        *) shift ;;
    esac
done

out=$(OPENBLAS_NUM_THREADS=1 "$stratsim" validate "$config" "${validate_args[@]}" 2>&1)
rc=$?
[ $rc -eq 0 ] || { echo "$out" >&2; die "config does not validate (exit $rc)"; }
points=$(printf '%s\n' "$out" | sed -n 's/.*: ok (experiment [^;]*; \([0-9][0-9]*\) sweep points\{0,1\} x .*/\1/p' | head -n1)
[ -n "$points" ] && [ "$points" -ge 1 ] || die "could not read the number of sweep points from: $out"

# --out names one run dir; several array tasks would fight over it.
[ "$has_out" = 1 ] && [ "$points" -gt 1 ] && \
    die "--out would be shared by all $points sweep points; use --set output.dir=DIR (runs go to DIR/<name>/point-<I>/)"
range="0-$((points - 1))"
[ -n "${STRATSIM_ARRAY_MAX:-}" ] && range="$range%$STRATSIM_ARRAY_MAX"
echo "submit_sweep.sh: $out" >&2
echo "submit_sweep.sh: sbatch --array=$range ${sbatch_opts[*]} jobs/sweep_array.sbatch $config ${run_args[*]}" >&2
sbatch --parsable --array="$range" "${sbatch_opts[@]}" "$here/sweep_array.sbatch" "$config" "${run_args[@]}"

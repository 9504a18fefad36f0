#!/usr/bin/env bash
# Run `stratsim run ...` through jobs/launch.sh so that a SLURM job survives its time limit
# and preemption (docs/checkpoint.md). Used by jobs/run.sbatch and jobs/sweep_array.sbatch,
# which ask for `#SBATCH --signal=B:USR1@120` and `#SBATCH --requeue`.
#
# usage: jobs/resumable.sh STRATSIM run ARGS...
#
# - SIGUSR1 (sent to this batch shell 120 s before the time limit) and SIGTERM (scancel,
#   preemption) are forwarded to the launcher, which forwards them to every rank; stratsim
#   saves its finished tasks to DIR/checkpoint.bin and exits with code 3.
# - After SIGUSR1 and exit 3, the job requeues itself (scontrol requeue), at most
#   STRATSIM_MAX_REQUEUES times (default 10; 0 turns it off). After SIGTERM it does not: a
#   preempted job is requeued by SLURM (--requeue), a cancelled one stays cancelled.
# - A requeued start (SLURM_RESTART_COUNT > 0) adds --resume-auto: the run directory's
#   unfinished run of the same config continues from its checkpoint, at whatever rank count
#   the new allocation has.
# Exits with stratsim's exit code.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
[ $# -ge 2 ] || { echo "resumable.sh: usage: jobs/resumable.sh STRATSIM run ARGS..." >&2; exit 2; }
prog=$1 cmd=$2
shift 2
extra=()
if [ "${SLURM_RESTART_COUNT:-0}" -gt 0 ]; then
    echo "resumable.sh: restart ${SLURM_RESTART_COUNT} of job ${SLURM_JOB_ID:-?}: continuing with --resume-auto" >&2
    extra=(--resume-auto)
fi

# STRATSIM_STATUS_FILE: rank 0 writes the run's final status there. Under srun
# --kill-on-bad-exit, the first rank to exit 3 after the checkpoint gets the others killed, and
# srun's exit code is then not 3; the status file still says "checkpointed".
status_file=$(mktemp "${TMPDIR:-/tmp}/stratsim-status.XXXXXX") || exit 1
export STRATSIM_STATUS_FILE=$status_file
warned=0 pid=
forward() { # forward SIGNAL: to the launcher (bash runs traps only between waits)
    [ "$1" = USR1 ] && warned=1
    [ -n "$pid" ] && kill -"$1" "$pid" 2>/dev/null
}
trap 'forward USR1' USR1
trap 'forward TERM' TERM
"$here/launch.sh" -- "$prog" "$cmd" "$@" "${extra[@]}" &
pid=$!
wait "$pid"
rc=$?
while kill -0 "$pid" 2>/dev/null; do # a trap interrupted wait: wait on
    wait "$pid"
    rc=$?
done

if [ $rc -ne 0 ] && [ $rc -ne 3 ] && grep -q '^checkpointed' "$status_file" 2>/dev/null; then
    echo "resumable.sh: the launcher exited $rc, but the run checkpointed (a rank was ended after it saved): exit 3" >&2
    rc=3
fi
rm -f "$status_file"

max=${STRATSIM_MAX_REQUEUES:-10}
if [ $rc -eq 3 ] && [ $warned = 1 ] && [ -n "${SLURM_JOB_ID:-}" ] && [ "${SLURM_RESTART_COUNT:-0}" -lt "$max" ]; then
    echo "resumable.sh: checkpointed at the time-limit warning; requeueing job $SLURM_JOB_ID" >&2
    scontrol requeue "$SLURM_JOB_ID" || echo "resumable.sh: scontrol requeue failed; resume by hand with: stratsim run --resume DIR" >&2
fi
exit $rc

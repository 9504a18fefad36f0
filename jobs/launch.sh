#!/usr/bin/env bash
# Start an MPI program the way the job scripts do: one place that knows the launchers.
#
# usage: jobs/launch.sh [-n RANKS] [-N NODES] -- PROGRAM [ARGS]...
#
# Inside a SLURM allocation (SLURM_JOB_ID set):
#   STRATSIM_LAUNCHER=srun (default)  srun --mpi=$STRATSIM_SRUN_MPI --kill-on-bad-exit=1
#                                     [-n RANKS] [-N NODES] $STRATSIM_SRUN_FLAGS PROGRAM...
#   STRATSIM_LAUNCHER=mpirun          mpirun [-n RANKS] [--map-by node when -N is given]
#                                     $STRATSIM_MPIRUN_FLAGS PROGRAM... (Open MPI reads the
#                                     allocation and starts its daemons through srun; as root
#                                     it adds --allow-run-as-root)
# Outside SLURM: scripts/mpirun.sh -n RANKS (oversubscribing as needed).
#
# STRATSIM_SRUN_MPI is srun's --mpi plugin: pmix (default; what Debian's Open MPI is built
# for), pmi2 (MPI libraries built with PMI-2 support, e.g. MPICH or an Open MPI built with
# --with-pmi), or whatever `srun --mpi=list` shows on your cluster.
# Without -n: every task of the allocation. Exits with the launcher's exit code.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ranks= nodes=
while [ $# -gt 0 ]; do
    case $1 in
        -n) ranks=$2; shift 2 ;;
        -N) nodes=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "launch.sh: unknown option $1 (usage: jobs/launch.sh [-n R] [-N NODES] -- PROGRAM ARGS...)" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "launch.sh: no program" >&2; exit 2; }

if [ -z "${SLURM_JOB_ID:-}" ]; then
    exec "$here/../scripts/mpirun.sh" -n "${ranks:-1}" "$@"
fi
case ${STRATSIM_LAUNCHER:-srun} in
    srun)
        read -r -a extra <<< "${STRATSIM_SRUN_FLAGS:-}"
        exec srun --mpi="${STRATSIM_SRUN_MPI:-pmix}" --kill-on-bad-exit=1 \
            ${ranks:+-n "$ranks"} ${nodes:+-N "$nodes"} "${extra[@]}" "$@" ;;
    mpirun)
        read -r -a extra <<< "${STRATSIM_MPIRUN_FLAGS:-}"
        root=()
        [ "$(id -u)" -eq 0 ] && root=(--allow-run-as-root)
        map=()
        # spread RANKS over NODES round-robin by node, as srun -N would
        [ -n "$nodes" ] && [ -n "$ranks" ] && [ "$nodes" -gt 1 ] && map=(--map-by node)
        exec mpirun "${root[@]}" ${ranks:+-n "$ranks"} "${map[@]}" "${extra[@]}" "$@" ;;
    *)
        echo "launch.sh: STRATSIM_LAUNCHER must be srun or mpirun, not '$STRATSIM_LAUNCHER'" >&2
        exit 2 ;;
esac

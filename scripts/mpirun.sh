#!/usr/bin/env bash
# mpirun with the flags this machine needs: --oversubscribe (more ranks than cores is fine
# for tests) and --allow-run-as-root when root. Extra flags: STRATSIM_MPIRUN_FLAGS.
flags="--oversubscribe"
[ "$(id -u)" -eq 0 ] && flags="$flags --allow-run-as-root"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
exec mpirun $flags ${STRATSIM_MPIRUN_FLAGS:-} "$@"

#!/usr/bin/env bash
# mpirun with the flags this machine needs: --oversubscribe (more ranks than cores is fine
# for tests) and --allow-run-as-root when root. Extra flags: STRATSIM_MPIRUN_FLAGS.
# stderr goes through scripts/mpirun_quiet.py, which drops only the two boxes Open MPI adds
# when a rank exits non-zero ("Primary job terminated normally, but..." and "mpirun detected
# that one or more processes exited with non-zero status..."): after a bad input the user
# sees stratsim's one "stratsim: error:" line, and the exit code is mpirun's. Signals sent to
# this script (TERM, INT, HUP, USR1, USR2) reach mpirun. STRATSIM_MPIRUN_RAW=1: plain mpirun.
flags="--oversubscribe"
[ "$(id -u)" -eq 0 ] && flags="$flags --allow-run-as-root"
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
here=$(dirname "${BASH_SOURCE[0]}")
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3)
if [ "${STRATSIM_MPIRUN_RAW:-0}" = 1 ] || [ -z "$py" ]; then
  exec mpirun $flags ${STRATSIM_MPIRUN_FLAGS:-} "$@"
fi
exec "$py" "$here/mpirun_quiet.py" mpirun $flags ${STRATSIM_MPIRUN_FLAGS:-} "$@"

# Sourced by the checkpoint tests (tests/integration.d/checkpoint_*.sh).
# wait_running DIR PID: waits until DIR/manifest.json says "running" (mpirun and the ranks
# handle signals by then; a signal before that killed mpirun itself in CI, exit 138), until the
# process PID has ended, or 12 s.
wait_running() {
  local n=0
  until grep -q '"status": "running"' "$1/manifest.json" 2>/dev/null || ! kill -0 "$2" 2>/dev/null ||
        [ $n -ge 600 ]; do
    sleep 0.02; n=$((n + 1))
  done
}

# ckp_rank_pid MPIRUN_PID RANK: the PID of that stratsim rank (empty if not found)
ckp_rank_pid() {
  local p
  for p in $(pgrep -P "$1" 2>/dev/null); do
    if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=$2"; then
      echo "$p"
      return
    fi
  done
}

# kill_rank MPIRUN_PID RANK: SIGKILLs that rank of the background mpirun, waits for mpirun and
# then (up to 10 s) for every rank to end. Sets killed_pid (empty: the rank was not found) and
# killed_rc (mpirun's exit status).
kill_rank() {
  local all n=0
  all=$(pgrep -P "$1" 2>/dev/null | tr '\n' ' ')
  killed_pid=$(ckp_rank_pid "$1" "$2")
  [ -n "$killed_pid" ] && kill -KILL "$killed_pid"
  wait "$1"
  killed_rc=$?
  # shellcheck disable=SC2086
  while [ -n "$all" ] && kill -0 $all 2>/dev/null && [ $n -lt 500 ]; do sleep 0.02; n=$((n + 1)); done
}

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

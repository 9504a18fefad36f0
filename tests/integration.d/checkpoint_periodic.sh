# Periodic in-task checkpoints (issue 11; docs/checkpoint.md), sourced by tests/run_integration.sh.
# One long task per run (the configs of checkpoint_intask.sh: one RLHF seed with 300 SPSA steps
# and two aggregators, one bandit seed with 200 epochs) with `checkpoint.every: 0.3`. One rank is
# SIGKILLed (no chance to save) as soon as the first periodic in-task checkpoint is on disk: the
# file's header counts one in-task state ("SPSA step 63 of 2000 (pessimistic_sw)") and no finished
# task. Copies of the killed directory are resumed on the same rank count (2) and on another (1
# or 3); each resume must say it continued task 0 at the saved state, and the CSV files must be
# byte-identical to an uninterrupted run WITHOUT checkpoint.every. Then a run with two rank
# groups (parallel.groups=2: each group's periodic in-task states, handed to world rank 0,
# docs/checkpoint.md) must finish with the same CSVs. About 30 s on 2 busy cores.

ckp_dir=$OUT/ckpt_periodic
mkdir -p "$ckp_dir"

. tests/wait_running.sh

# ckp_one NAME WHAT VICTIM RESUME_RANKS... -- CONFIG ARGS...: a reference without
# checkpoint.every, a run with it SIGKILLed (rank VICTIM) after its first periodic in-task
# checkpoint (WHAT: "SPSA step"), and a resume of a copy on each RESUME_RANKS.
ckp_one() {
  local name=$1 what=$2 victim=$3 afters=()
  shift 3
  while [ "$1" != -- ]; do afters+=("$1"); shift; done
  shift
  local ref="$ckp_dir/$name-ref" dir="$ckp_dir/$name" log="$OUT/ckp-$name.log"
  rm -rf "$ref" "$dir" "$dir".r*
  run "ckp-$name-ref" $MPI -n 2 bin/stratsim run "$@" --out "$ref" --quiet || return
  STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "$@" --set checkpoint.every=${CKP_EVERY:-0.3} --out "$dir" >"$log" 2>&1 &
  local mpirun=$! n=0
  # the file itself (mpirun forwards the ranks' stderr late): its header's in-task state count
  until [ "$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')" = 1 ] ||
        ! kill -0 $mpirun 2>/dev/null || [ $n -ge 3000 ]; do
    sleep 0.02; n=$((n + 1))
  done
  kill_rank $mpirun "$victim" # the other rank may outlive mpirun a moment, holding the run's lock
  local pid=$killed_pid rc=$killed_rc
  local saved=$(grep -a -o -E "$what [0-9]+ of [0-9]+( \([a-z_ 0-9]*\))?" "$dir/checkpoint.bin" 2>/dev/null | head -1)
  # the file: 0 finished tasks (offset 40), 1 in-task state (offset 112)
  local fin=$(od -An -t u8 -j 40 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  local parts=$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  if [ -z "$pid" ] || [ $rc = 0 ] || [ -z "$saved" ] || [ "$fin" != 0 ] || [ "$parts" != 1 ] ||
     grep -q '"status": "completed"' "$dir/manifest.json"; then
    ko "checkpoint_periodic $name: no SIGKILL after a periodic in-task checkpoint (exit $rc, saved '$saved', file $fin tasks + $parts states)" "$log"
    return
  fi
  local np how="" bad=""
  for np in "${afters[@]}"; do cp -a "$dir" "$dir.r$np"; done
  for np in "${afters[@]}"; do
    local rlog="$OUT/ckp-$name-r$np.log"
    if ! $MPI -n "$np" bin/stratsim run --resume "$dir.r$np" >"$rlog" 2>&1; then
      bad="$bad; resume on $np failed"
    elif ! grep -q "^stratsim: resumed task 0 at $saved" "$rlog"; then
      bad="$bad; the resume on $np did not continue task 0 at $saved"
    elif ! same_csvs "$ref" "$dir.r$np" >>"$rlog" 2>&1 || [ -e "$dir.r$np/checkpoint.bin" ]; then
      bad="$bad; resumed on $np: CSVs differ from the uninterrupted run"
    fi
    how="$how, resumed on $np"
  done
  if [ -n "$bad" ]; then
    ko "checkpoint_periodic $name${bad}" "$log"
  else
    ok "checkpoint_periodic $name: SIGKILL of rank $victim on 2 ranks (exit $rc) after the periodic checkpoint at $saved$how: resumed mid-task, CSVs identical"
  fi
}

# (2000 SPSA steps, ~3.5 s: with 300 the task once ended, at load 1 in CI, before its first
# periodic checkpoint at 0.3 s, session 7)
ckp_rlhf=(configs/rlhf/quick.yaml --sweep-index 0 --set seeds=1 --set rlhf.spsa.steps=2000
          --set 'rlhf.algorithms=[naive_mle,pessimistic_sw]')
# (2000 epochs: 200 took 0.37 s at load 1 and ended before the test's SIGKILL, session 7)
ckp_bandit=(configs/bandit/quick.yaml --sweep-index 0 --set seeds=1 --set bandit.epochs=2000 --set bandit.T=1000
            --set bandit.write_arms=true)
# the periodic checkpoint may land in SPSA or, at load, earlier in a planner pass of the truthful
# conditions' policy solves (fresh-clone CI of 5309759): both are in-task states to resume from
ckp_one rlhf "(SPSA step|planner pass)" 1 2 1 -- "${ckp_rlhf[@]}"
ckp_one bandit "bandit epoch" 0 2 3 -- "${ckp_bandit[@]}"
# an MDP task without SPSA (truthful reports): four policy solves of about 40 planner passes each,
# saved at a planner pass (keyed by the solve's index in the task); S = 60000 states, so that the
# task lasts a few seconds (at S = 5000 it took under a second on session 9's machine and
# finished before the signals)
ckp_mdp=(configs/rlhf/mdp_small.yaml --set seeds=1 --set rlhf.strategy=truthful --set rlhf.env.states=60000
         --set rlhf.d=16 --set rlhf.horizon=5 --set 'rlhf.algorithms=[maxmin,pessimistic_sw]')
# (its passes are fast: a shorter period, so that a save lands inside the task)
CKP_EVERY=0.05 ckp_one mdp "planner pass" 1 2 1 -- "${ckp_mdp[@]}"
# the same task stopped by SIGUSR1 inside a solve (checkpoint_intask.sh's cki_one, sourced before
# this file), resumed on 1 rank; and stopped again early in a resume on 2 ranks (while it
# recomputes the solves before the saved one: the saved solve's state is kept), then resumed on 1
if declare -F cki_one >/dev/null; then
  cki_one mdp-other "planner pass" 1 -- "${ckp_mdp[@]}"
  cki_one mdp-twice "planner pass" 2 1 -- "${ckp_mdp[@]}"
fi

# two rank groups: each runs its own task; with checkpoint.every each group agrees on its own
# periodic in-task checkpoints and its leader hands the state to world rank 0, which writes the
# file (docs/checkpoint.md); the run must neither hang nor change its results
ckp_groups() {
  local ref="$ckp_dir/groups-ref" dir="$ckp_dir/groups" log="$OUT/ckp-groups.log"
  local args=(configs/rlhf/quick.yaml --sweep-index 0 --set seeds=2 --set rlhf.spsa.steps=600)
  rm -rf "$ref" "$dir"
  run ckp-groups-ref $MPI -n 2 bin/stratsim run "${args[@]}" --out "$ref" --quiet || return
  if ! timeout 300 $MPI -n 2 bin/stratsim run "${args[@]}" --set parallel.groups=2 --set checkpoint.every=0.05 \
       --out "$dir" >"$log" 2>&1; then
    ko "checkpoint_periodic groups: the run with 2 groups and checkpoint.every failed" "$log"
  elif ! grep -q "checkpoint: task 1 saved at SPSA step" "$log"; then
    ko "checkpoint_periodic groups: no periodic in-task checkpoint of group 1's task" "$log"
  elif same_csvs "$ref" "$dir" >>"$log" 2>&1 && [ ! -e "$dir/checkpoint.bin" ]; then
    ok "checkpoint_periodic groups: 2 rank groups with checkpoint.every 0.05: $(grep -c "checkpoint: task . saved at" "$log") in-task states written (both groups), no hang, CSVs identical"
  else
    ko "checkpoint_periodic groups: CSVs differ" "$log"
  fi
}
ckp_groups

# In-task checkpoints (issue 11; docs/checkpoint.md), sourced by tests/run_integration.sh.
# One long task per run -- one seed of RLHF with 6000 SPSA steps and two aggregators (300 steps
# took 0.2 s after session 9's faster MLE and planner, too short to be hit by the signal), one
# bandit seed with 800 epochs of 1000 rounds (shorter runs ended before the signal in CI:
# 200 epochs did on session 9's faster machine) -- stopped by SIGUSR1 to mpirun in the middle
# of the task (the only task: nothing can be saved at task granularity). The checkpoint must hold
# the task's in-task state, the resume must say where it continued ("resumed task 0 at SPSA step
# 2127 of 6000 (naive_mle)") and the CSV files must be byte-identical to an uninterrupted run, on the
# same and on another rank count. One run is stopped twice: the resumed run stops again and
# saves a later state. About 60 s on 2 busy cores.

. tests/wait_running.sh
cki_dir=$OUT/ckpt_intask
mkdir -p "$cki_dir"

# cki_one NAME WHAT RESUME_RANKS... -- CONFIG ARGS...: an uninterrupted run on 2 ranks, then a
# run stopped by SIGUSR1 mid-task and resumed on each RESUME_RANKS in turn (every resume but
# the last is stopped again). WHAT is the position's name in the log ("SPSA step").
cki_one() {
  local name=$1 what=$2 afters=() t0 wall
  shift 2
  while [ "$1" != -- ]; do afters+=("$1"); shift; done
  shift
  # one reference per experiment (NAME up to its first "-"), with its wall time
  local ref="$cki_dir/${name%%-*}-ref" dir="$cki_dir/$name" log="$OUT/cki-$name.log"
  rm -rf "$dir"
  if [ ! -f "$ref.wall" ]; then
    t0=$(date +%s.%N)
    run "cki-${name%%-*}-ref" $MPI -n 2 bin/stratsim run "$@" --out "$ref" --quiet || return
    awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }' >"$ref.wall"
  fi
  wall=$(cat "$ref.wall")
  # the stop: SIGUSR1 to mpirun once the run is under way (its manifest says "running": mpirun
  # and the ranks handle signals by then; a signal before that killed mpirun itself in CI, exit
  # 138), then 30%, 20%, 10% or 5% of the reference's wall time later (a run that finished
  # first is tried again sooner; the state must be mid-task)
  local try rc frac
  for frac in 0.3 0.2 0.1 0.05; do
    rm -rf "$dir"
    STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "$@" --out "$dir" >"$log" 2>&1 &
    local mpirun=$!
    wait_running "$dir" $mpirun
    sleep "$(awk -v w="$wall" -v f=$frac 'BEGIN { printf "%.2f", w * f }')"
    kill -USR1 $mpirun 2>/dev/null
    wait $mpirun
    rc=$?
    [ $rc = 3 ] && grep -q "checkpoint: task 0 saved at $what" "$log" && break
  done
  if [ $rc != 3 ] || ! grep -q '"status": "checkpointed"' "$dir/manifest.json" ||
     [ "$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" | tr -d ' ')" != 1 ]; then
    ko "checkpoint_intask $name: no in-task state saved after 4 tries (exit $rc)" "$log"
    return
  fi
  local saved=$(sed -n "s/^stratsim: checkpoint: task 0 saved at \(.*\)$/\1/p" "$log" | tail -1) np i=0 how=""
  for np in "${afters[@]}"; do
    i=$((i + 1))
    if [ $i -lt ${#afters[@]} ]; then # stopped again: the resumed run saves a later state
      STRATSIM_MPIRUN_RAW=1 $MPI -n "$np" bin/stratsim run --resume "$dir" >>"$log" 2>&1 &
      local mpirun=$!
      wait_running "$dir" $mpirun # (as above: not before the resumed run is under way)
      sleep "$(awk -v w="$wall" 'BEGIN { printf "%.2f", w * 0.05 }')"
      kill -USR1 $mpirun 2>/dev/null
      wait $mpirun
      how="$how, resumed on $np (exit $?)"
      continue
    fi
    if ! $MPI -n "$np" bin/stratsim run --resume "$dir" >>"$log" 2>&1; then
      ko "checkpoint_intask $name: resume on $np ranks failed" "$log"
      return
    fi
    how="$how, resumed on $np"
  done
  if ! grep -q "^stratsim: resumed task 0 at $saved" "$log"; then
    ko "checkpoint_intask $name: the resume did not continue task 0 at $saved" "$log"
  elif same_csvs "$ref" "$dir" >>"$log" 2>&1 && [ ! -e "$dir/checkpoint.bin" ]; then
    ok "checkpoint_intask $name: SIGUSR1 on 2 ranks, saved at $saved$how: resumed mid-task, CSVs identical"
  else
    ko "checkpoint_intask $name: resumed CSVs differ from the uninterrupted run" "$log"
  fi
}

cki_rlhf=(configs/rlhf/quick.yaml --sweep-index 0 --set seeds=1 --set rlhf.spsa.steps=6000
          --set 'rlhf.algorithms=[naive_mle,pessimistic_sw]')
cki_bandit=(configs/bandit/quick.yaml --sweep-index 0 --set seeds=1 --set bandit.epochs=800 --set bandit.T=1000
            --set bandit.write_arms=true)
cki_one rlhf-same "SPSA step" 2 -- "${cki_rlhf[@]}"
cki_one rlhf-other "SPSA step" 1 -- "${cki_rlhf[@]}"
cki_one bandit-same "bandit epoch" 2 -- "${cki_bandit[@]}"
cki_one bandit-twice "bandit epoch" 2 4 -- "${cki_bandit[@]}"

# A bandit rollout checkpointed in the middle of its rounds (issue 11; docs/checkpoint.md), sourced
# by tests/run_integration.sh after checkpoint.sh, checkpoint_intask.sh and checkpoint_periodic.sh,
# whose helpers it uses. One truthful OptGTM task of configs/bandit/quick.yaml (point 0) with
# T = 5000000 rounds and 40 arms (1500000 finished before the signals on session 9's faster
# machine; the two-group case has T = 4000000 per seed): one rollout, the only task, so whatever
# is saved is the rollout's state at a block of rounds (the learners' ridge states, the regret, the curve...).
#  - 5 kills at seeded random moments, with T = 2000000 (checkpoint.sh's ck_experiment: SIGTERM to one rank,
#    SIGUSR1 to mpirun, SIGKILL of one rank with checkpoint.every, SIGKILL of rank 0 during its
#    second checkpoint write, SIGTERM during a write), resumed on 1, 4, 2, 1, 2 ranks;
#  - SIGUSR1 to mpirun, the resume on 2 ranks stopped again, then resumed on 3
#    (checkpoint_intask.sh's cki_one: the log must say "resumed task 0 at bandit round ...");
#  - SIGKILL of rank 1 after the first periodic in-task checkpoint (checkpoint.every 0.3),
#    copies resumed on 2 and 1 ranks (checkpoint_periodic.sh's ckp_one);
#  - two rank groups (parallel.groups 2, two seeds: each group in its own rollout) stopped by
#    SIGUSR1: both rollouts' states saved, resumed on 1 rank;
#  - two rank groups with checkpoint.every 0.3: world rank 0 writes the states the group leaders
#    hand over; as soon as the file holds both, rank 1 is SIGKILLed; copies resumed on 1 and 3.
# Every resumed run's CSV files must be byte-identical to the uninterrupted run's. About 60 s
# on 2 busy cores.

. tests/wait_running.sh
ckr_args=(configs/bandit/quick.yaml --sweep-index 0 --set seeds=1 --set bandit.strategy=truthful
          --set bandit.T=5000000 --set bandit.K=40 --set bandit.write_arms=true)
ckr_groups_args=("${ckr_args[@]}" --set seeds=2 --set bandit.T=4000000) # both two-group cases: one reference
if declare -F ck_experiment >/dev/null; then
  ck_experiment rollout "${ckr_args[@]}" --set bandit.T=2000000 # (the kills land inside its rollout)
fi
if declare -F cki_one >/dev/null; then
  cki_one rollout "bandit round" 2 3 -- "${ckr_args[@]}"
fi
if declare -F ckp_one >/dev/null; then
  ckp_one rollout "bandit round" 1 2 1 -- "${ckr_args[@]}"
fi

# two groups, each in the rollout of its own task, stopped by SIGUSR1: two in-task states
ckr_groups() {
  local ref="$OUT/ckpt_rollout_groups-ref" dir="$OUT/ckpt_rollout_groups" log="$OUT/ckr-groups.log"
  local args=("${ckr_groups_args[@]}") tries
  rm -rf "$ref" "$dir"
  run ckr-groups-ref $MPI -n 2 bin/stratsim run "${args[@]}" --out "$ref" --quiet || return
  for tries in 1 2 3; do
    rm -rf "$dir"
    STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "${args[@]}" --set parallel.groups=2 --out "$dir" >"$log" 2>&1 &
    local mpirun=$!
    wait_running "$dir" $mpirun
    sleep 0.5
    kill -USR1 $mpirun 2>/dev/null
    wait $mpirun
    [ $? = 3 ] && [ "$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')" = 2 ] && break
  done
  local saved=$(grep -c "checkpoint: task . saved at bandit round" "$log")
  if [ "$saved" != 2 ]; then
    ko "checkpoint_rollout groups: 2 groups stopped by SIGUSR1 did not save both rollouts ($saved states)" "$log"
  elif ! $MPI -n 1 bin/stratsim run --resume "$dir" >>"$log" 2>&1; then
    ko "checkpoint_rollout groups: the resume on 1 rank failed" "$log"
  elif [ "$(grep -c "^stratsim: resumed task . at bandit round" "$log")" != 2 ]; then
    ko "checkpoint_rollout groups: the resume did not continue both rollouts" "$log"
  elif same_csvs "$ref" "$dir" >>"$log" 2>&1 && [ ! -e "$dir/checkpoint.bin" ]; then
    ok "checkpoint_rollout groups: 2 groups, each stopped in its rollout by SIGUSR1 ($(sed -n 's/^stratsim: checkpoint: task \(.\) saved at \(.*\)$/task \1 at \2/p' "$log" | tr '\n' ';' | sed 's/;$//')), resumed on 1 rank: CSVs identical"
  else
    ko "checkpoint_rollout groups: CSVs differ" "$log"
  fi
}
ckr_groups

# two groups with periodic in-task checkpoints: each group's leader hands its rollout's state to
# world rank 0 (docs/checkpoint.md); SIGKILL once the file holds both tasks' states
ckr_groups_periodic() {
  local ref="$OUT/ckpt_rollout_groups-ref" dir="$OUT/ckpt_rollout_gper" log="$OUT/ckr-gper.log" n=0
  local args=("${ckr_groups_args[@]}")
  [ -d "$ref" ] || run ckr-groups-ref $MPI -n 2 bin/stratsim run "${args[@]}" --out "$ref" --quiet || return
  rm -rf "$dir" "$dir".r*
  STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "${args[@]}" --set parallel.groups=2 --set checkpoint.every=0.3 \
    --out "$dir" >"$log" 2>&1 &
  local mpirun=$!
  until [ "$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')" = 2 ] ||
        ! kill -0 $mpirun 2>/dev/null || [ $n -ge 3000 ]; do
    sleep 0.02; n=$((n + 1))
  done
  kill_rank $mpirun 1
  local pid=$killed_pid rc=$killed_rc
  local fin=$(od -An -t u8 -j 40 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  local parts=$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  if [ -z "$pid" ] || [ $rc = 0 ] || [ "$fin" != 0 ] || [ "$parts" != 2 ]; then
    ko "checkpoint_rollout groups periodic: no SIGKILL after both groups' periodic checkpoints (exit $rc, file $fin tasks + $parts states)" "$log"
    return
  fi
  local np bad="" saved=$(grep -a -o -E "bandit round [0-9]+ of [0-9]+" "$dir/checkpoint.bin" | tr '\n' ';')
  for np in 1 3; do cp -a "$dir" "$dir.r$np"; done
  for np in 1 3; do
    local rlog="$OUT/ckr-gper-r$np.log"
    if ! $MPI -n $np bin/stratsim run --resume "$dir.r$np" >"$rlog" 2>&1; then bad="$bad; resume on $np failed"
    elif [ "$(grep -c "^stratsim: resumed task [01] at bandit round" "$rlog")" != 2 ]; then bad="$bad; the resume on $np did not continue both tasks"
    elif ! same_csvs "$ref" "$dir.r$np" >>"$rlog" 2>&1; then bad="$bad; resumed on $np: CSVs differ"
    fi
  done
  if [ -n "$bad" ]; then ko "checkpoint_rollout groups periodic${bad}" "$log"
  else ok "checkpoint_rollout groups periodic: 2 groups, checkpoint.every 0.3, SIGKILL of rank 1 (exit $rc) with both tasks' states on disk (${saved%;}), resumed on 1 and 3: both continued mid-rollout, CSVs identical"
  fi
}
ckr_groups_periodic

# Checkpoint and resume (issue 11; docs/checkpoint.md), sourced by tests/run_integration.sh.
# For each experiment (facility, bandit, rlhf, rlhf MDP): an uninterrupted reference run, then
# 5 runs killed at seeded random moments -- SIGTERM to one rank, SIGUSR1 to mpirun (forwarded
# to every rank), SIGKILL of one rank with periodic checkpoints, SIGKILL of rank 0 while it
# writes its second checkpoint (STRATSIM_CHECKPOINT_DELAY holds the write half-way), SIGTERM
# during a checkpoint write -- each resumed at another rank count (1, 2 or 4) with
# `stratsim run --resume DIR`; the CSV files must be byte-identical to the reference. Then the
# refusals (exit 2, checkpoint and manifest untouched): another config, another format
# version, a corrupted and a truncated checkpoint, a completed run; and --resume-auto.
# Small configs with many tasks; about 2 minutes on 2 busy cores.

ck_dir=$OUT/ckpt
mkdir -p "$ck_dir"
RANDOM=1101 # the kill moments and ranks are reproducible

# ck_ranks MPIRUN_PID: the PIDs of the stratsim ranks that mpirun started, as "rank pid" lines
ck_ranks() {
  local p r
  for p in $(pgrep -P "$1" 2>/dev/null); do
    r=$(tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | sed -n 's/^OMPI_COMM_WORLD_RANK=//p')
    [ -n "$r" ] && echo "$r $p"
  done
}

# ck_wait_tmp DIR N: waits (at most 20 s) until the N-th checkpoint write has started in DIR
ck_wait_tmp() {
  local seen=0 waited=0 was=0 now
  while [ $waited -lt 400 ]; do
    now=0
    ls "$1"/.checkpoint.bin.tmp.* >/dev/null 2>&1 && now=1
    [ $now = 1 ] && [ $was = 0 ] && seen=$((seen + 1))
    [ $seen -ge "$2" ] && return 0
    was=$now
    sleep 0.05
    waited=$((waited + 1))
  done
  return 1
}

# ck_kill NAME VARIANT NP_AFTER CONFIG ARGS...: one killed run and its resume
ck_kill() {
  local name=$1 variant=$2 after=$3 config=$4
  shift 4
  local dir="$ck_dir/$name" log="$OUT/ck-$name.log" delay rc victim extra=() env=()
  rm -rf "$dir"
  # a moment in 30-90% of the reference run's wall time (the load of the machine varies)
  delay=$(awk -v r=$RANDOM -v t="$ck_T" 'BEGIN { printf "%.2f", t * (0.3 + 0.6 * r / 32767) }')
  case $variant in
    kill | killwrite | termwrite) extra=(--set checkpoint.every=0.3) ;;
  esac
  case $variant in
    killwrite | termwrite) env=(STRATSIM_CHECKPOINT_DELAY=0.8) ;;
  esac
  # STRATSIM_MPIRUN_RAW=1: $! is mpirun itself, whose children are the ranks
  env "${env[@]}" STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "$config" "$@" "${extra[@]}" --out "$dir" --quiet >"$log" 2>&1 &
  local mpirun=$!
  local during=0
  case $variant in
    killwrite) ck_wait_tmp "$dir" 2 && during=1 || sleep "$delay" ;;
    termwrite) ck_wait_tmp "$dir" 1 || sleep "$delay" ;;
    *) sleep "$delay" ;;
  esac
  victim=$((RANDOM % 2))
  [ $variant = killwrite ] && victim=0
  local ranks=$(ck_ranks $mpirun)
  local pid=$(echo "$ranks" | awk -v r=$victim '$1 == r { print $2 }') all=$(echo "$ranks" | awk '{ print $2 }' | tr '\n' ' ')
  if [ -z "$pid" ] && [ $variant != usr1 ] && kill -0 $mpirun 2>/dev/null; then
    kill -TERM $mpirun; wait $mpirun
    ko "checkpoint $name: rank $victim of mpirun $mpirun not found" "$log"
    return
  fi
  case $variant in
    term | termwrite) [ -n "$pid" ] && kill -TERM "$pid" ;;
    usr1) kill -USR1 $mpirun ;;
    kill | killwrite) [ -n "$pid" ] && kill -KILL "$pid" ;;
  esac
  wait $mpirun
  rc=$?
  # a rank may outlive mpirun a moment (a SIGKILLed peer: mpirun's SIGTERM to the other rank only
  # sets its flag), holding the run's lock: wait for every rank to be gone (at most 20 s)
  local n=0
  while [ -n "${all// /}" ] && kill -0 $all 2>/dev/null && [ $n -lt 1000 ]; do sleep 0.02; n=$((n + 1)); done
  local status=$(sed -n 's/^  "status": "\(.*\)",$/\1/p' "$dir/manifest.json" 2>/dev/null)
  local saved=$(sed -n 's/^  "tasks_checkpointed": \([0-9]*\),$/\1/p' "$dir/manifest.json" 2>/dev/null)
  # the run completed and the signal reached a rank in MPI/PETSc finalize, after the last safe
  # point (exit 143 or 137 from mpirun): the results stand, as when it finished first
  if [ $rc != 0 ] && [ "$status" = completed ] && [ ! -f "$dir/checkpoint.bin" ]; then rc=0; fi
  case $variant:$rc in
    term:3 | usr1:3 | termwrite:3)
      # checkpointed: finished tasks or in-task states saved (checkpoint_intask.sh)
      if ! { [ "$status" = checkpointed ] && [ -f "$dir/checkpoint.bin" ]; } &&
         ! { [ "$status" = interrupted ] && [ ! -f "$dir/checkpoint.bin" ]; }; then
        ko "checkpoint $name: exit 3 but manifest '$status' with $saved tasks saved" "$log"
        return
      fi ;;
    *:0) ;; # finished before the signal: the resume must then refuse, the CSVs stand
    term:* | termwrite:* | usr1:*) ko "checkpoint $name: $variant gave exit $rc (manifest '$status')" "$log"; return ;;
    kill:* | killwrite:*) ;;
    *) ko "checkpoint $name: $variant gave exit $rc" "$log"; return ;;
  esac
  if [ $during = 1 ] && [ ! -f "$dir/checkpoint.bin" ]; then
    ko "checkpoint $name: killed during the second checkpoint write, the first checkpoint is gone" "$log"
    return
  fi
  local before=$( [ -f "$dir/checkpoint.bin" ] && echo "checkpoint of $(od -An -t u8 -j 40 -N 8 "$dir/checkpoint.bin" | tr -d ' ') tasks + $(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" | tr -d ' ') in progress$(grep -a -o -E "bandit round [0-9]+" "$dir/checkpoint.bin" | head -1 | sed 's/^/ at /')" || echo "no checkpoint")
  if [ $rc != 0 ] && [ ! -f "$dir/manifest.json" ]; then
    # SIGKILL before the run wrote its manifest: nothing to resume, the run starts again
    before="killed before its manifest: started again"
    rm -rf "$dir"
    if ! $MPI -n "$after" bin/stratsim run "$config" "$@" --out "$dir" --quiet >>"$log" 2>&1; then
      ko "checkpoint $name: new run on $after ranks failed" "$log"
      return
    fi
  elif [ $rc != 0 ]; then
    if ! $MPI -n "$after" bin/stratsim run --resume "$dir" --quiet >>"$log" 2>&1; then
      ko "checkpoint $name: resume on $after ranks failed" "$log"
      return
    fi
  fi
  if same_csvs "$ck_dir/$name-ref" "$dir" >>"$log" 2>&1 && [ ! -e "$dir/checkpoint.bin" ]; then
    ok "checkpoint $name: $variant after ${delay}s on 2 ranks (exit $rc, $before), resumed on $after: CSVs identical"
  else
    ko "checkpoint $name: resumed CSVs differ from the uninterrupted run" "$log"
  fi
}

# ck_experiment LABEL CONFIG ARGS...: the reference and 5 killed-and-resumed runs
ck_experiment() {
  local label=$1 config=$2
  shift 2
  local t0=$(date +%s.%N)
  run "ck-$label-ref" $MPI -n 2 bin/stratsim run "$config" "$@" --out "$ck_dir/$label-ref" --quiet || return
  ck_T=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
  # ck_kill names its reference by its own first argument's stem: NAME-ref
  local v i=0 afters=(1 4 2 1 2)
  for v in term usr1 kill killwrite termwrite; do
    ln -sfn "$label-ref" "$ck_dir/$label-$v-ref"
    ck_kill "$label-$v" $v "${afters[$i]}" "$config" "$@"
    i=$((i + 1))
  done
}

ck_experiment facility tests/data/facility_ranks.yaml --set seeds=40
ck_experiment bandit configs/bandit/quick.yaml --set seeds=32 --set bandit.T=300 --set bandit.epochs=2
ck_experiment rlhf configs/rlhf/quick.yaml --set seeds=8 --set rlhf.spsa.steps=4
ck_experiment mdp configs/rlhf/mdp_small.yaml --set seeds=12 --set rlhf.spsa.steps=1

# --- refusals: exit 2, nothing touched --------------------------------------------------
ck_refuse() { # ck_refuse WHAT DIR EXPECTED_MESSAGE
  local sums=$(md5sum "$2/checkpoint.bin" "$2/manifest.json" "$2/config.yaml" 2>/dev/null)
  $MPI -n 2 bin/stratsim run --resume "$2" --quiet >"$OUT/ck-refuse.log" 2>&1
  local rc=$?
  if [ $rc = 2 ] && grep -q "$3" "$OUT/ck-refuse.log" && [ "$sums" = "$(md5sum "$2/checkpoint.bin" "$2/manifest.json" "$2/config.yaml" 2>/dev/null)" ] &&
     [ ! -e "$2/.stratsim.lock" ]; then
    ok "checkpoint refused ($1): exit 2, '$3', nothing touched"
  else ko "checkpoint refusal ($1): exit $rc" "$OUT/ck-refuse.log"; fi
}
# a checkpointed run to damage: SIGUSR1 to one rank once a checkpoint exists (each checkpoint
# write held 0.5 s, so the run cannot finish before the signal: it once did in CI)
ck_make() { # ck_make DIR SEED
  rm -rf "$1"
  STRATSIM_CHECKPOINT_DELAY=0.5 STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml --set seeds=30 --set seed=$2 --set checkpoint.every=0.05 \
    --out "$1" --quiet >"$OUT/ck-make.log" 2>&1 &
  local mpirun=$! n=0
  while [ ! -f "$1/checkpoint.bin" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
  kill -USR1 $mpirun
  wait $mpirun
  [ -f "$1/checkpoint.bin" ]
}
if ck_make "$ck_dir/base" 11 && ck_make "$ck_dir/other" 12; then
  for what in config version corrupt truncate; do
    cp -r "$ck_dir/base" "$ck_dir/r-$what"
  done
  cp "$ck_dir/other/checkpoint.bin" "$ck_dir/r-config/checkpoint.bin"
  ck_refuse "another config" "$ck_dir/r-config" "checkpoint of another config"
  # a checkpoint of format version 1 (finished tasks only; before in-task states)
  printf '\001' | dd of="$ck_dir/r-version/checkpoint.bin" bs=1 seek=8 conv=notrunc status=none
  ck_refuse "format version 1" "$ck_dir/r-version" "checkpoint format version 1 .*reads version 3 only"
  size=$(stat -c %s "$ck_dir/r-corrupt/checkpoint.bin")
  byte=$(od -An -t u1 -j $((size / 2)) -N 1 "$ck_dir/r-corrupt/checkpoint.bin" | tr -d ' ')
  printf "\\$(printf %03o $(((byte + 1) % 256)))" | dd of="$ck_dir/r-corrupt/checkpoint.bin" bs=1 seek=$((size / 2)) conv=notrunc status=none
  ck_refuse "one byte changed" "$ck_dir/r-corrupt" "checksum mismatch"
  truncate -s $((size - 100)) "$ck_dir/r-truncate/checkpoint.bin"
  ck_refuse "truncated" "$ck_dir/r-truncate" "truncated"
  # --resume-auto (what the sbatch scripts use when requeued) continues the same run
  if $MPI -n 1 bin/stratsim run tests/data/facility_ranks.yaml --set seeds=30 --set seed=11 --set checkpoint.every=0.05 \
       --out "$ck_dir/base" --quiet --resume-auto >"$OUT/ck-auto.log" 2>&1 &&
     grep -q '"tasks_resumed": [1-9]' "$ck_dir/base/manifest.json" && [ ! -e "$ck_dir/base/checkpoint.bin" ] &&
     $MPI -n 1 bin/stratsim run tests/data/facility_ranks.yaml --set seeds=30 --set seed=11 --out "$ck_dir/base-ref" \
       --quiet >>"$OUT/ck-auto.log" 2>&1 && same_csvs "$ck_dir/base-ref" "$ck_dir/base" >>"$OUT/ck-auto.log" 2>&1; then
    ok "checkpoint: --resume-auto continues a checkpointed run (identical CSVs)"
  else ko "checkpoint: --resume-auto" "$OUT/ck-auto.log"; fi
  ck_refuse "a completed run" "$ck_dir/base" "nothing to resume"
  # jobs/resumable.sh (the sbatch scripts' launcher) forwards SIGUSR1 to the ranks, and a
  # requeued start (SLURM_RESTART_COUNT > 0) continues the run
  rm -rf "$ck_dir/job"
  # (a checkpoint every 0.05 s, each write held 0.5 s: the run, 0.2 s without them, cannot finish
  # before the signal; with checkpoint.every=0.2 it once ended before its first checkpoint in CI)
  STRATSIM_CHECKPOINT_DELAY=0.5 jobs/resumable.sh bin/stratsim run tests/data/facility_ranks.yaml --set seeds=30 --set seed=11 \
    --set checkpoint.every=0.05 --out "$ck_dir/job" --quiet >"$OUT/ck-job.log" 2>&1 &
  job=$! n=0
  while [ ! -f "$ck_dir/job/checkpoint.bin" ] && [ $n -lt 200 ]; do sleep 0.05; n=$((n + 1)); done
  kill -USR1 $job
  wait $job
  rc=$?
  if [ $rc = 3 ] && grep -q '"status": "checkpointed"' "$ck_dir/job/manifest.json" &&
     SLURM_RESTART_COUNT=1 jobs/resumable.sh bin/stratsim run tests/data/facility_ranks.yaml --set seeds=30 \
       --set seed=11 --set checkpoint.every=0.05 --out "$ck_dir/job" --quiet >>"$OUT/ck-job.log" 2>&1 &&
     grep -q '"tasks_resumed": [1-9]' "$ck_dir/job/manifest.json" && same_csvs "$ck_dir/base-ref" "$ck_dir/job" >>"$OUT/ck-job.log" 2>&1; then
    ok "checkpoint: jobs/resumable.sh forwards SIGUSR1 (exit 3, checkpointed) and a requeued start resumes (identical CSVs)"
  else ko "checkpoint: jobs/resumable.sh (exit $rc)" "$OUT/ck-job.log"; fi
else
  ko "checkpoint: could not make a checkpointed run to damage" "$OUT/ck-make.log"
fi

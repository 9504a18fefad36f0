# Sourced by tests/run_integration.sh (uses ok, ko, run, same_csvs, $OUT, $MPI).
# The finish hooks read typed records, not the CSV text (issue 8 point 4; stratsim/table.h,
# docs/checkpoint.md): each experiment's summary is checked against the CSV files it wrote,
# parsed independently here (tests/check_summary.py), on 1 rank and on 3 ranks in 2 groups
# (the same summary); no run directory holds a file of the internal records; and a run killed
# after its checkpoint held finished tasks (rlhf) or an in-task state (bandit: its earlier
# epochs' rows and records inside the state) prints, resumed on another rank count, the
# summary of the uninterrupted run, which agrees with its CSV files. About 30-50 s on 2 busy
# cores.
. tests/wait_running.sh
rec_dir=$OUT/records
mkdir -p "$rec_dir"
rec_summary() { grep -v -e '^results: ' -e '^stratsim' "$1"; } # the summary lines of a run's output

rec_case() { # NAME ARGS...: the summary against the CSV files, on 1 and 3 ranks
  local name=$1
  shift
  rm -rf "$rec_dir/$name-1" "$rec_dir/$name-3"
  run "rec-$name-1" bin/stratsim run "$@" --out "$rec_dir/$name-1" --quiet || return
  run "rec-$name-3" $MPI -n 3 bin/stratsim run "$@" --set parallel.groups=2 --out "$rec_dir/$name-3" --quiet || return
  local bad=""
  [ -n "$(find "$rec_dir/$name-1" "$rec_dir/$name-3" -name '*record*')" ] && bad="$bad; a records file was written"
  grep '"files"' "$rec_dir/$name-1/manifest.json" | grep -q record && bad="$bad; the manifest lists records"
  "${PYTHON:-python3}" tests/check_summary.py "$rec_dir/$name-1" "$OUT/rec-$name-1.log" >"$OUT/rec-$name-py.log" 2>&1 ||
    bad="$bad; the summary disagrees with the CSV files"
  cmp -s <(rec_summary "$OUT/rec-$name-1.log") <(rec_summary "$OUT/rec-$name-3.log") ||
    bad="$bad; the summary differs on 3 ranks in 2 groups"
  same_csvs "$rec_dir/$name-1" "$rec_dir/$name-3" >/dev/null || bad="$bad; CSVs differ on 3 ranks"
  if [ -z "$bad" ]; then ok "records $name: summary = the CSV files' statistics, same on 1 and 3 ranks (2 groups), no records file"
  else ko "records $name${bad}" "$OUT/rec-$name-py.log"; fi
}
rec_case facility configs/demo.yaml --set seeds=3
rec_case bandit configs/bandit/quick.yaml --set seeds=2 --set bandit.epochs=2
rec_case rlhf configs/rlhf/quick.yaml --set seeds=3
rec_case mdp configs/rlhf/mdp_small.yaml --set seeds=1

# rec_resume NAME OFFSET RESUME_RANKS ARGS...: a reference on 2 ranks, then the same run with
# checkpoint.every killed (SIGKILL of rank 1) as soon as its checkpoint's count at OFFSET (40:
# finished tasks, 112: in-task states) is >= 1, resumed on RESUME_RANKS: the same summary.
rec_resume() {
  local name=$1 off=$2 np=$3
  shift 3
  local ref="$rec_dir/$name-ref" dir="$rec_dir/$name-kill" log="$OUT/rec-$name-kill.log" n=0
  rm -rf "$ref" "$dir"
  run "rec-$name-ref" $MPI -n 2 bin/stratsim run "$@" --out "$ref" --quiet || return
  STRATSIM_MPIRUN_RAW=1 $MPI -n 2 bin/stratsim run "$@" --set checkpoint.every=0.05 --out "$dir" --quiet >"$log" 2>&1 &
  local mpirun=$!
  until [ "$(od -An -t u8 -j "$off" -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')" -ge 1 ] 2>/dev/null ||
        ! kill -0 $mpirun 2>/dev/null || [ $n -ge 3000 ]; do
    sleep 0.02; n=$((n + 1))
  done
  kill_rank $mpirun 1
  local pid=$killed_pid rc=$killed_rc
  local fin=$(od -An -t u8 -j 40 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  local parts=$(od -An -t u8 -j 112 -N 8 "$dir/checkpoint.bin" 2>/dev/null | tr -d ' ')
  if [ -z "$pid" ] || [ $rc = 0 ] || [ -z "$fin" ]; then
    ko "records $name: not killed after a checkpoint (exit $rc)" "$log"
    return
  fi
  if ! $MPI -n "$np" bin/stratsim run --resume "$dir" --quiet >"$OUT/rec-$name-resume.log" 2>&1; then
    ko "records $name: the resume on $np ranks failed" "$OUT/rec-$name-resume.log"
  elif ! cmp -s <(rec_summary "$OUT/rec-$name-ref.log") <(rec_summary "$OUT/rec-$name-resume.log") ||
       [ -z "$(rec_summary "$OUT/rec-$name-ref.log")" ]; then
    diff <(rec_summary "$OUT/rec-$name-ref.log") <(rec_summary "$OUT/rec-$name-resume.log") >"$OUT/rec-$name-diff.log"
    ko "records $name: the resumed run's summary differs from the uninterrupted run's" "$OUT/rec-$name-diff.log"
  elif ! "${PYTHON:-python3}" tests/check_summary.py "$dir" "$OUT/rec-$name-resume.log" >"$OUT/rec-$name-py.log" 2>&1; then
    ko "records $name: the resumed run's summary disagrees with its CSV files" "$OUT/rec-$name-py.log"
  elif ! same_csvs "$ref" "$dir" >/dev/null; then
    ko "records $name: the resumed run's CSVs differ" "$OUT/rec-$name-resume.log"
  else
    ok "records $name: killed with $fin finished tasks and $parts in-task states in its checkpoint, resumed on $np ranks: the same summary and CSVs"
  fi
}
rec_resume rlhf-tasks 40 1 configs/rlhf/quick.yaml --sweep-index 0 --set seeds=4 --set rlhf.spsa.steps=100
rec_resume bandit-intask 112 3 configs/bandit/quick.yaml --sweep-index 0 --set seeds=1 --set bandit.epochs=400 --set bandit.T=1000

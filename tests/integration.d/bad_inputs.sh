# Bad inputs (issue 7): every case of tests/data/bad_inputs.tsv must end with its exit code on
# every rank (no hang: each run has a timeout), print exactly one "stratsim: error:" line that
# contains the expected text, and leave its scratch directory exactly as it was (no results
# directory, no half-written files, the user's files untouched, no lock left behind).
# Then: relative data paths from another working directory, --force on a real run keeps the
# user's files, `run --help`, scripts/mpirun.sh without Open MPI's boilerplate, and the table
# of docs/reliability.md equal to the one generated from the TSV.
# Sourced by tests/run_integration.sh; also runs alone: bash tests/integration.d/bad_inputs.sh
if ! declare -F ok >/dev/null; then
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2
  OUT=tests/out
  MPI=scripts/mpirun.sh
  pass=0 fail=0 standalone=1
  ok() { echo "PASS: $1"; pass=$((pass + 1)); }
  ko() { echo "FAIL: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 20 "$2" | sed 's/^/    /'; fail=$((fail + 1)); }
  run() { local name=$1; shift; timeout 600 "$@" >"$OUT/$name.log" 2>&1 && return 0; ko "$name: command failed: $*" "$OUT/$name.log"; return 1; }
  same_csvs() {
    local n=0 f
    for f in "$1"/*.csv; do cmp -s "$f" "$2/$(basename "$f")" || { echo "differs: $f"; return 1; }; n=$((n + 1)); done
    [ "$n" -gt 0 ] && [ "$(ls "$1"/*.csv | wc -l)" -eq "$(ls "$2"/*.csv | wc -l)" ]
  }
  mkdir -p "$OUT"
fi
BAD=$OUT/bad
rm -rf "$BAD"
mkdir -p "$BAD"
D=tests/data/bad
bad_t0=$SECONDS

# --- setups named in the TSV's setup column; W is the case's scratch directory ------------
setup_foreign() { mkdir -p "$W/paper/figs"; echo 'my thesis' >"$W/paper/thesis.tex"; echo png >"$W/paper/figs/a.png"; }
setup_fifo() { mkfifo "$W/fifo"; }
setup_file() { echo 'not a directory' >"$W/file.txt"; }
setup_big() { head -c 2097152 /dev/zero | tr '\0' '#' >"$W/big.yaml"; }
setup_deep() {
  { printf 'experiment: facility\nfacility: {agents: '; head -c 100000 /dev/zero | tr '\0' '['
    head -c 100000 /dev/zero | tr '\0' ']'; printf '}\n'; } >"$W/deep.yaml"
}
setup_csvfifo() {
  mkfifo "$W/features.fifo"
  sed 's/file: [^,]*,/file: features.fifo,/' "$D/rlhf_csv.yaml" >"$W/fifo.yaml"
}
setup_oldrun() {
  mkdir "$W/out"
  printf '{\n  "format": "stratsim-run-1",\n  "status": "completed",\n  "files": ["facility_runs.csv"]\n}\n' >"$W/out/manifest.json"
  echo 'mechanism,seed' >"$W/out/facility_runs.csv"
}
dead_pid() { sh -c 'exit 0' & local p=$!; wait $p; echo $p; }
setup_stalelock() { mkdir "$W/out"; echo "host $(hostname) pid $(dead_pid)" >"$W/out/.stratsim.lock"; }
setup_otherlock() { mkdir "$W/out"; echo "host node-elsewhere pid 4242" >"$W/out/.stratsim.lock"; }
setup_garbledlock() { mkdir "$W/out"; echo "garbage" >"$W/out/.stratsim.lock"; }
# a real first run that holds the lock while the case runs; killed afterwards
setup_livelock() {
  bin/stratsim run configs/demo.yaml --set facility.agents=200001 --set seeds=100 --out "$W/out" --quiet \
    >"$W.first.log" 2>&1 &
  BGPID=$!
  local i
  for i in $(seq 200); do [ -f "$W/out/.stratsim.lock" ] && break; sleep 0.1; done
  SNAP=0
  EXTRA="process $BGPID on $(hostname)"
}

snap() { (cd "$W" && find . -printf '%y %p %s\n' | sort && find . -type f -exec md5sum {} + | sort); }

# bad_case ID AREA NP SETUP COMMAND EXIT MESSAGE: one row of the TSV
bad_case() {
  local id=$1 np=$3 setup=$4 cmd=$5 want=$6 msg=$7
  W=$BAD/$id SNAP=1 EXTRA= BGPID=
  mkdir -p "$W"
  [ "$setup" = - ] || "setup_$setup"
  local before after launcher=bin/stratsim rc n why=
  before=$(snap)
  [ "$np" -gt 1 ] && launcher="$MPI -n $np bin/stratsim"
  eval "timeout 60 $launcher $cmd" >"$W.out" 2>"$W.err" </dev/null
  rc=$?
  [ -n "$BGPID" ] && { kill "$BGPID" 2>/dev/null; wait "$BGPID" 2>/dev/null; }
  after=$(snap)
  n=$(grep -c '^stratsim: error:' "$W.err")
  [ "$rc" -eq 124 ] && why="$why; timed out (a rank hung)"
  [ "$rc" -ne "$want" ] && why="$why; exit $rc, want $want"
  [ "$n" -ne 1 ] && why="$why; $n 'stratsim: error:' lines, want 1"
  grep -q 'stratsim: error:' "$W.out" && why="$why; an error on stdout"
  grep -qF -- "$msg" "$W.err" || why="$why; message lacks: $msg"
  [ -n "$EXTRA" ] && ! grep -qF -- "$EXTRA" "$W.err" && why="$why; message lacks: $EXTRA"
  [ "$SNAP" = 1 ] && [ "$before" != "$after" ] && why="$why; the scratch directory changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -n 3 | tr '\n' ' ')"
  printf %s "${why#; }" >"$W.why"
}

# the cases run BAD_JOBS at a time (each in its own scratch directory), then are tallied in order
bad_ok=0 bad_n=0
declare -a bad_np
while IFS=$'\t' read -r id area np setup cmd want msg input; do
  case $id in ''|'#'*|id) continue ;; esac
  bad_n=$((bad_n + 1))
  while [ "$(jobs -rp | wc -l)" -ge "${BAD_JOBS:-3}" ]; do wait -n; done
  bad_case "$id" "$area" "$np" "$setup" "$cmd" "$want" "$msg" &
done <tests/data/bad_inputs.tsv
wait
while IFS=$'\t' read -r id area np rest; do
  case $id in ''|'#'*|id) continue ;; esac
  if [ -f "$BAD/$id.why" ] && [ ! -s "$BAD/$id.why" ]; then
    bad_ok=$((bad_ok + 1)); bad_np[$np]=$(( ${bad_np[$np]:-0} + 1 ))
  else ko "bad input $id ($np rank(s)): $(cat "$BAD/$id.why" 2>/dev/null || echo 'no result')" "$BAD/$id.err"; fi
done <tests/data/bad_inputs.tsv
if [ "$bad_ok" -eq "$bad_n" ] && [ "$bad_n" -ge 60 ]; then
  ok "bad inputs: all $bad_n cases of tests/data/bad_inputs.tsv exit as listed with one message and touch nothing (${bad_np[1]:-0} on 1 rank, ${bad_np[2]:-0} on 2, ${bad_np[4]:-0} on 4)"
else ko "bad inputs: $bad_ok of $bad_n cases as listed (need all, and at least 60)"; fi

# --- relative data paths resolve against the config file's folder ---------------------------
# the same config run from the repository root and from another working directory
mkdir -p "$BAD/elsewhere/deeper"
if run bad-relpath-root bin/stratsim run tests/data/bad/rlhf_csv.yaml --out "$BAD/relpath-root" --quiet &&
   run bad-relpath-elsewhere sh -c "cd $BAD/elsewhere/deeper && $PWD/bin/stratsim run ../../../../../tests/data/bad/rlhf_csv.yaml --out ../relpath-elsewhere --quiet"; then
  if same_csvs "$BAD/relpath-root" "$BAD/elsewhere/relpath-elsewhere" >"$BAD/relpath.cmp" 2>&1 &&
     grep -q 'tests/data/bad/features_good.csv' "$BAD/elsewhere/relpath-elsewhere/config.yaml"; then
    ok "relative data path: the features file is found next to the config from another working directory (same CSVs)"
  else ko "relative data path: runs from two directories differ" "$BAD/relpath.cmp"; fi
fi

# --- --force on a real run directory removes only what stratsim wrote ------------------------
F=$BAD/force-run
if run bad-force-first bin/stratsim run configs/demo.yaml --set seeds=1 --set facility.agents=31 --out "$F" --quiet; then
  echo 'my notes' >"$F/notes.txt"; mkdir "$F/mine"; echo x >"$F/mine/plot.png"; echo 'a,b' >"$F/my_table.csv"
  if run bad-force-second bin/stratsim run configs/demo.yaml --set seeds=1 --set facility.agents=31 --out "$F" --quiet --force &&
     [ "$(cat "$F/notes.txt")" = 'my notes' ] && [ -f "$F/mine/plot.png" ] && [ -f "$F/my_table.csv" ] &&
     [ -f "$F/facility_runs.csv" ] && [ ! -e "$F/.stratsim.lock" ]; then
    ok "--force on a run directory replaces the run and keeps the user's files (notes.txt, mine/, my_table.csv)"
  else ko "--force on a run directory: the user's files or the new run are missing" "$OUT/bad-force-second.log"; fi
fi

# --- run --help, and a sweep at the cap validates without checking every point -----------------
if bin/stratsim run --help >"$BAD/run-help.out" 2>"$BAD/run-help.err" && grep -q '^usage: stratsim run CONFIG' "$BAD/run-help.out" &&
   grep -q -- '--sweep-index I' "$BAD/run-help.out" && [ ! -s "$BAD/run-help.err" ]; then
  ok "stratsim run --help: exit 0, the run help on stdout"
else ko "stratsim run --help" "$BAD/run-help.err"; fi
if timeout 60 bin/stratsim validate "$D/sweep_tasks.yaml" --set seeds=1 >"$BAD/cap.out" 2>&1 &&
   grep -q '1000000 sweep points x 1 seed = 1000000 tasks' "$BAD/cap.out"; then
  ok "validate of 10^6 points (the cap) passes: each swept value is checked once, not each point"
else ko "validate of 10^6 points" "$BAD/cap.out"; fi

# --- scripts/mpirun.sh: stratsim's one line, not Open MPI's boxes; exit codes and signals kept ---
STRATSIM_MPIRUN_RAW=1 timeout 60 $MPI -n 2 bin/stratsim validate configs/demo.yaml --set facility.agents=-3 >/dev/null 2>"$BAD/raw.err"
raw_rc=$?
timeout 60 $MPI -n 2 bin/stratsim validate configs/demo.yaml --set facility.agents=-3 >/dev/null 2>"$BAD/quiet.err"
quiet_rc=$?
if [ $raw_rc -eq 2 ] && [ $quiet_rc -eq 2 ] && grep -q 'Primary job' "$BAD/raw.err" &&
   [ "$(wc -l <"$BAD/quiet.err")" -eq 1 ] && grep -q '^stratsim: error: --set facility.agents=-3' "$BAD/quiet.err"; then
  ok "scripts/mpirun.sh: an exit-2 error is stratsim's one line (plain mpirun adds $(($(wc -l <"$BAD/raw.err") - 1)) lines), exit 2 kept"
else ko "scripts/mpirun.sh: rc $quiet_rc (raw $raw_rc), $(wc -l <"$BAD/quiet.err") lines" "$BAD/quiet.err"; fi
STRATSIM_FAIL_RANK=1 timeout 60 $MPI -n 2 bin/stratsim run configs/demo.yaml --set seeds=1 --out "$BAD/failed-run" --quiet >/dev/null 2>"$BAD/fail.err"
fail_rc=$?
timeout 60 $MPI -n 2 sh -c 'echo "rank says hi" >&2; exit 5' >/dev/null 2>"$BAD/five.err"
five_rc=$?
if [ $fail_rc -eq 1 ] && [ "$(grep -c . "$BAD/fail.err")" -eq 1 ] && [ $five_rc -eq 5 ] &&
   [ "$(grep -c 'rank says hi' "$BAD/five.err")" -eq 2 ] && [ "$(wc -l <"$BAD/five.err")" -eq 2 ]; then
  ok "scripts/mpirun.sh: exit 1 (run failure) and 5 kept, the ranks' own stderr lines passed through"
else ko "scripts/mpirun.sh: exit $fail_rc (want 1) and $five_rc (want 5)" "$BAD/five.err"; fi
$MPI -n 2 sleep 30 >/dev/null 2>&1 &
wrapper=$!
for i in $(seq 50); do mpirun_pid=$(pgrep -P $wrapper -x mpirun); [ -n "$mpirun_pid" ] && break; sleep 0.1; done
sleep 1
kill -TERM $wrapper
timeout 30 tail --pid=$wrapper -f /dev/null
wait $wrapper
term_rc=$?
sleep 0.5
if [ -n "$mpirun_pid" ] && ! kill -0 "$mpirun_pid" 2>/dev/null && [ $term_rc -ne 0 ] && [ $term_rc -ne 124 ]; then
  ok "scripts/mpirun.sh: SIGTERM reaches mpirun, which ends its ranks (exit $term_rc)"
else
  ko "scripts/mpirun.sh: SIGTERM: exit $term_rc, mpirun ${mpirun_pid:-not found} $(kill -0 "${mpirun_pid:-0}" 2>/dev/null && echo 'still running')"
  [ -n "$mpirun_pid" ] && kill "$mpirun_pid" 2>/dev/null
fi

# --- docs/reliability.md begins with the table of these cases ----------------------------------
if ${PYTHON:-/usr/bin/python3} scripts/bad_inputs_table.py --check docs/reliability.md >"$BAD/table.log" 2>&1 &&
   [ "$(sed -n 1p docs/reliability.md)" = "# Reliability" ] &&
   [ "$(sed -n '/^<!-- bad-inputs table/,/^<!-- end of the bad-inputs table/p' docs/reliability.md | grep -c '^| [0-9]')" -eq "$bad_n" ]; then
  ok "docs/reliability.md begins with the table of all $bad_n bad inputs (generated from the TSV)"
else ko "docs/reliability.md: the table is not the one generated from tests/data/bad_inputs.tsv" "$BAD/table.log"; fi
echo "bad inputs: $((SECONDS - bad_t0)) s"

if [ "${standalone:-0}" = 1 ]; then
  echo "$pass passed, $fail failed"
  [ $fail -eq 0 ]
fi

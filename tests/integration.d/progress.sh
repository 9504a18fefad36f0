# Sourced by tests/run_integration.sh: progress (issue 7, point 10). With parallel.groups: 2 on
# 4 ranks, the progress lines on stderr count the tasks of both groups (18 here, not the 9 of
# rank 0's group), carry an ETA, only grow, and end at "100.0% (18/18 tasks)"; --quiet prints
# nothing on stderr. STRATSIM_PROGRESS_INTERVAL=0 (a test hook) prints a line on every update
# instead of at most one every 3 s, so the check does not depend on the machine's speed.
if STRATSIM_PROGRESS_INTERVAL=0 run progress-groups $MPI -n 4 bin/stratsim run tests/data/facility_ranks.yaml \
    --set parallel.groups=2 --out "$OUT/progress-groups"; then
  if /usr/bin/python3 - "$OUT/progress-groups.log" >"$OUT/progress-groups.check" 2>&1 <<'PY'
import re, sys
lines = [l for l in open(sys.argv[1]) if l.startswith("stratsim: ") and "tasks)" in l]
pat = re.compile(r"stratsim: +([0-9.]+)% \((\d+)/(\d+) tasks\) elapsed [0-9.]+ s(, ETA [0-9.]+ s)?$")
got = [pat.match(l.rstrip("\n")) for l in lines]
assert lines and all(got), [l for l, g in zip(lines, got) if not g][:3]
done = [int(g.group(2)) for g in got]
assert all(int(g.group(3)) == 18 for g in got), "total is not 18 tasks"
assert done == sorted(done), done
assert done[-1] == 18 and float(got[-1].group(1)) == 100.0, lines[-1]
assert all(g.group(4) for g in got if int(g.group(2)) > 0), "a line without an ETA"
assert all(float(g.group(1)) < 100 for g in got if int(g.group(2)) < 18), "100% before every task is done"
print(len(lines), "lines")
PY
  then ok "progress: parallel.groups=2 on 4 ranks counts all 18 tasks, with an ETA ($(cat "$OUT/progress-groups.check"))"
  else ko "progress: lines with parallel.groups=2" "$OUT/progress-groups.check"; fi
fi
if STRATSIM_PROGRESS_INTERVAL=0 $MPI -n 2 bin/stratsim run tests/data/facility_ranks.yaml --out "$OUT/progress-quiet" \
    --quiet >"$OUT/progress-quiet.out" 2>"$OUT/progress-quiet.err" && [ ! -s "$OUT/progress-quiet.err" ] &&
   grep -q "^results: " "$OUT/progress-quiet.out"; then
  ok "progress: --quiet prints nothing on stderr (the summary still goes to stdout)"
else ko "progress: --quiet" "$OUT/progress-quiet.err"; fi

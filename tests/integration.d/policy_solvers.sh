# Sourced by tests/run_integration.sh: the RLHF policy solvers (rlhf.policy.method) in whole runs,
# each with its own settings (docs/plugins.md). A few seconds.
# 1. The planner reads its own keys: rlhf.policy.max_passes = 1 stops every non-linear solve after
#    one pricing pass (passes = 1, relative_gap > tol, converged = 0), and the run still exits 0.
# 2. The dense solver: rlhf_solves.csv names the solver that ran (dense for the non-linear
#    aggregators; planner for the linear ones, whose greedy policy is the default solver's single
#    pass), every solve certified, and the CSVs byte-identical on 1 and 3 ranks.
PS_SETS="--set seeds=1 --set rlhf.spsa.steps=4 --set rlhf.strategy=truthful"
# shellcheck disable=SC2086
if run ps-max-passes $MPI -n 2 bin/stratsim run configs/rlhf/quick.yaml $PS_SETS \
     --set rlhf.policy.max_passes=1 --out "$OUT/ps-max-passes" --quiet; then
  if /usr/bin/python3 - "$OUT/ps-max-passes" >"$OUT/ps-max-passes.chk" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/rlhf_solves.csv")))
lin = {"naive_mle", "median_mle"}
other = [r for r in rows if r["algorithm"] not in lin]
assert rows and other, rows
assert all(r["method"] == "planner" and r["passes"] == "1" for r in rows), rows
assert all(r["converged"] == "0" and float(r["relative_gap"]) > 1e-6 for r in other), other
PY
  then ok "policy solvers: the planner reads rlhf.policy.max_passes (1 pass: uncertified, exit 0)"
  else ko "policy solvers: rlhf.policy.max_passes = 1 not in effect" "$OUT/ps-max-passes.chk"; fi
fi
ps_good=1
for np in 1 3; do
  # shellcheck disable=SC2086
  run ps-dense-np$np $MPI -n $np bin/stratsim run configs/rlhf/quick.yaml $PS_SETS \
    --set rlhf.policy.method=dense --out "$OUT/ps-dense-np$np" --quiet || ps_good=0
done
if [ $ps_good = 1 ]; then
  if same_csvs "$OUT/ps-dense-np1" "$OUT/ps-dense-np3" >"$OUT/ps-dense.chk" 2>&1 &&
     /usr/bin/python3 - "$OUT/ps-dense-np1" >>"$OUT/ps-dense.chk" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/rlhf_solves.csv")))
lin = {"naive_mle", "median_mle"}
assert rows and all(r["converged"] == "1" for r in rows), rows
assert all(r["method"] == ("planner" if r["algorithm"] in lin else "dense") for r in rows), rows
assert any(r["method"] == "dense" for r in rows), rows
PY
  then ok "policy solvers: dense names itself in rlhf_solves.csv, certified, CSVs identical on 1 and 3 ranks"
  else ko "policy solvers: the dense runs" "$OUT/ps-dense.chk"; fi
fi

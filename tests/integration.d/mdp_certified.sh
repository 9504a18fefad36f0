# Sourced by tests/run_integration.sh: every policy solve of a small scaling-like MDP is certified
# (configs/scaling/mdp_states.yaml at S = 500: H = 10, d = 32, A = 10, b = 4, c_f = 1e-4, every
# aggregator). Its confidence box is ~[-6e19, 6e19] per coordinate, so the pessimistic value is ~0
# while the values of the columns are ~1e21: before the planner floored the relative gap's
# denominator at 1e-6 of the columns' largest |W| (docs/mdp.md), pessimistic_momle and
# pessimistic_sw ended with relative_gap ~1 and converged = 0 at every size of the preset.
if run mdp-certified-scaling $MPI -n 2 bin/stratsim run configs/scaling/mdp_states.yaml \
     --set rlhf.env.states=500 \
     --set 'rlhf.algorithms=[naive_mle,median_mle,pessimistic_sw,maxmin,pessimistic_momle]' \
     --out "$OUT/mdp-certified-scaling" --quiet; then
  if /usr/bin/python3 - "$OUT/mdp-certified-scaling" >"$OUT/mdp-certified-scaling.chk" 2>&1 <<'PY'
import csv, sys
d = sys.argv[1]
solves = list(csv.DictReader(open(d + "/rlhf_solves.csv")))
runs = list(csv.DictReader(open(d + "/rlhf_runs.csv")))
assert len(solves) == 5 * 2 and len(runs) == len(solves), (len(solves), len(runs))
bad = [s for s in solves if s["converged"] != "1" or float(s["relative_gap"]) > 1e-6
       or int(s["passes"]) >= 10000 or s["horizon"] != "10"]
assert not bad, bad
bad = [r for r in runs if r["converged"] != "1" or float(r["relative_gap"]) > 1e-6]
assert not bad, bad
PY
  then ok "mdp scaling-like (S = 500, H = 10, d = 32, box ~1e19): every policy solve certified"
  else ko "mdp scaling-like: uncertified policy solves" "$OUT/mdp-certified-scaling.chk"; fi
fi

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

# An instance that cannot be certified within rlhf.policy.max_passes (here 5) is loud, not fatal:
# exit 0 with every result, converged = 0 in the CSVs, a "warning:" line in the summary and the
# same text in manifest.json's "warnings" (docs/mdp.md).
if run mdp-uncertified-warning $MPI -n 2 bin/stratsim run configs/scaling/mdp_states.yaml \
     --set rlhf.env.states=500 --set rlhf.policy.max_passes=5 \
     --out "$OUT/mdp-uncertified-warning" --quiet; then
  if /usr/bin/python3 - "$OUT/mdp-uncertified-warning" "$OUT/mdp-uncertified-warning.log" \
       >"$OUT/mdp-uncertified-warning.chk" 2>&1 <<'PY'
import csv, json, sys
d, log = sys.argv[1], open(sys.argv[2]).read()
want = "2 of 2 policy solves not certified (relative gap > rlhf.policy.tol = 1e-06"
assert "warning: " + want in log, log
m = json.load(open(d + "/manifest.json"))
assert m["status"] == "completed" and len(m["warnings"]) == 1 and m["warnings"][0].startswith(want), m.get("warnings")
solves = list(csv.DictReader(open(d + "/rlhf_solves.csv")))
assert len(solves) == 2 and all(s["converged"] == "0" and s["passes"] == "5" for s in solves), solves
PY
  then ok "mdp: uncertified solves (max_passes 5) warn in the summary and manifest.json, exit 0"
  else ko "mdp: uncertified solves not reported" "$OUT/mdp-uncertified-warning.chk"; fi
fi
if [ -f "$OUT/mdp-certified-scaling/manifest.json" ] &&
   /usr/bin/python3 -c 'import json,sys; sys.exit("warnings" in json.load(open(sys.argv[1])))' \
     "$OUT/mdp-certified-scaling/manifest.json"; then
  ok "mdp: no \"warnings\" in the manifest when every solve is certified"
else ko "mdp: unexpected warnings (or no manifest) for the certified run"; fi

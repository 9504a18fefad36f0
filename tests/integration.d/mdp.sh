# Sourced by tests/run_integration.sh: RLHF in a tabular MDP (configs/rlhf/mdp_small.yaml, H = 3)
# gives byte-identical CSVs on 1, 2, 3 and 4 ranks (uneven state blocks: chunks of 7 states, so
# backward induction and the occupancy pass exchange values through the PETSc scatters), every
# policy solve is certified (relative gap <= rlhf.policy.tol = 1e-6), and bad MDP settings are
# config errors (exit 2 on every rank).
rank_identity mdp configs/rlhf/mdp_small.yaml
if [ -f "$OUT/mdp-np1/rlhf_runs.csv" ]; then
  if /usr/bin/python3 - "$OUT/mdp-np1/rlhf_runs.csv" "$OUT/mdp-np1/rlhf_solves.csv" >"$OUT/mdp-certified.log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2 * 5 * 2, len(rows)  # seeds x algorithms x conditions
bad = [r for r in rows if r["converged"] != "1" or float(r["relative_gap"]) > 1e-6]
assert not bad, bad[:3]
solves = list(csv.DictReader(open(sys.argv[2])))
assert len(solves) == len(rows) and all(s["horizon"] == "3" and int(s["passes"]) >= 1 for s in solves)
PY
  then ok "mdp: every policy solve certified (relative gap <= 1e-6), horizon 3"
  else ko "mdp: uncertified policy solves" "$OUT/mdp-certified.log"; fi
fi
bad_config bad-mdp-contextual-horizon 2 configs/rlhf/mdp_small.yaml --set rlhf.env.model=contextual
bad_config bad-mdp-horizon0 2 configs/rlhf/mdp_small.yaml --set rlhf.horizon=0
bad_config bad-mdp-dense 2 configs/rlhf/mdp_small.yaml --set rlhf.policy.method=dense

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

# Explicit MDPs (CSV): the same CSVs on 1 and 3 ranks, then bad files as config errors that name
# the file, the line and the row.
if run mdp-explicit-np1 $MPI -n 1 bin/stratsim run tests/data/mdp_explicit.yaml --out "$OUT/mdp-explicit-np1" --quiet &&
   run mdp-explicit-np3 $MPI -n 3 bin/stratsim run tests/data/mdp_explicit.yaml --out "$OUT/mdp-explicit-np3" --quiet; then
  if same_csvs "$OUT/mdp-explicit-np1" "$OUT/mdp-explicit-np3" >"$OUT/mdp-explicit.cmp" 2>&1; then
    ok "mdp explicit (CSV transitions and features): byte-identical CSVs on 1 and 3 ranks"
  else ko "mdp explicit: 1 vs 3 ranks differ" "$OUT/mdp-explicit.cmp"; fi
fi
mdp_bad() { # label, sed expression applied to the transitions, expected message fragment
  local label=$1 expr=$2 want=$3 dir="$OUT/$1-data"
  mkdir -p "$dir"
  sed "$expr" tests/data/mdp_explicit/transitions.csv >"$dir/transitions.csv"
  bad_config "$label" 2 tests/data/mdp_explicit.yaml --set "rlhf.mdp.transitions=$dir/transitions.csv"
  if grep -q -- "$want" "$OUT/$label.err"; then ok "$label: the message names file, line and row"
  else ko "$label: expected '$want' in the message" "$OUT/$label.err"; fi
}
mdp_bad bad-mdp-rowsum '3s/0.5$/0.49/' "transitions.csv:2: transition row (s=0, a=0) sums to 0.98999999999999999"
mdp_bad bad-mdp-negative '7s/^1,1,1,1.0$/1,1,1,-1.0/' "transitions.csv:7: probability -1 of row (s=1, a=1) is negative"
mdp_bad bad-mdp-successor '4s/^0,1,3,1.0$/0,1,4,1.0/' "transitions.csv:4: successor 4 of row (s=0, a=1) outside the states"
mdp_bad bad-mdp-shape '5s/^1,0,0,0.25$/1,0,0.25/' "transitions.csv:5: expected 4 values s,a,next,p, found 3"
mdp_bad bad-mdp-missing-row '7d' "transitions.csv:7: row (s=1, a=1) has no transitions"
mdp_bad bad-mdp-trailing '4s/^0,1,3,1.0$/0,1,3,1.0abc/' "transitions.csv:4: unexpected 'abc' after the numbers"
mdp_bad bad-mdp-trailing-word '4s/^0,1,3,1.0$/0,1,3,1.0 junk/' "transitions.csv:4: unexpected 'junk' after the numbers"
mdp_bad bad-mdp-empty-file '2,$d' "transitions.csv: no transitions (expected rows s,a,next,p for all S\*A = 8 pairs)"
bad_config bad-mdp-features-shape 2 tests/data/mdp_explicit.yaml --set rlhf.d=3

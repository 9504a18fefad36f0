# Sourced by tests/run_integration.sh: experiment rlhf gives byte-identical CSVs (runs, labelers,
# table and the comparisons/estimates/environment/policies dumps) on 1, 2, 3 and 4 ranks, with
# 4 ranks split into 2 and 4 task groups / SPSA evaluation groups, and every policy solve
# certified. Bit-identity holds because every sum over labelers is exact (xsum) or in labeler
# order, sums over states go by fixed chunks, and the small policy LP / active-set problem is
# solved identically on every rank from replicated data.
rank_identity rlhf tests/data/rlhf_ranks.yaml
for groups in 2 4; do
  if run "rlhf-spsa-groups$groups" $MPI -n 4 bin/stratsim run tests/data/rlhf_ranks.yaml \
      --set rlhf.spsa.groups=$groups --out "$OUT/rlhf-spsa-groups$groups" --quiet; then
    if same_csvs "$OUT/rlhf-np1" "$OUT/rlhf-spsa-groups$groups" >"$OUT/rlhf-spsa-groups$groups.cmp" 2>&1; then
      ok "rlhf: 4 ranks with $groups SPSA evaluation groups match 1 rank"
    else ko "rlhf: $groups SPSA groups differ from 1 rank" "$OUT/rlhf-spsa-groups$groups.cmp"; fi
  fi
done
if [ -f "$OUT/rlhf-np1/rlhf_runs.csv" ]; then
  if /usr/bin/python3 - "$OUT/rlhf-np1/rlhf_runs.csv" >"$OUT/rlhf-certified.log" 2>&1 <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 2 * 2 * 6 * 2, len(rows)  # n x seeds x algorithms x conditions
bad = [r for r in rows if r["converged"] != "1" or abs(float(r["relative_gap"])) > 1e-9]
assert not bad, bad[:3]
PY
  then ok "rlhf: every policy solve certified (relative gap <= 1e-9)"
  else ko "rlhf: uncertified policy solves" "$OUT/rlhf-certified.log"; fi
fi

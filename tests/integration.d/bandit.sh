# Sourced by tests/run_integration.sh: the bandit preset agrees across rank counts and layouts.
rank_identity bandit configs/bandit/quick.yaml
if run bandit-groups $MPI -n 4 bin/stratsim run configs/bandit/quick.yaml --set parallel.groups=2 \
    --out "$OUT/bandit-groups" --quiet; then
  if same_csvs "$OUT/bandit-np1" "$OUT/bandit-groups" >"$OUT/bandit-groups.cmp" 2>&1; then
    ok "bandit: 4 ranks in 2 groups match 1 rank"
  else ko "bandit: groups differ" "$OUT/bandit-groups.cmp"; fi
fi

# Sourced by tests/run_integration.sh: scoring four arms per SIMD vector (src/bandit/ridge_lanes.c)
# and the AVX2 Philox blocks (src/util/rng_blocks.c) give the bits of the plain code end to end.
# (1) the bandit preset with STRATSIM_NO_SIMD=1 (pairs of SSE2 lanes, scalar Philox) on 2 ranks
# matches the default run on 1 rank; (2) K = 7 arms at d = 3 (partial groups of four) on 3 ranks
# (owned arms 2, 2, 3) matches 1 rank. On a CPU without AVX2 (1) compares the same code paths.
if [ -f "$OUT/bandit-np1/bandit_epochs.csv" ] &&
   run bandit-nosimd env STRATSIM_NO_SIMD=1 $MPI -n 2 bin/stratsim run configs/bandit/quick.yaml \
     --out "$OUT/bandit-nosimd" --quiet; then
  if same_csvs "$OUT/bandit-np1" "$OUT/bandit-nosimd" >"$OUT/bandit-nosimd.cmp" 2>&1; then
    ok "bandit lanes: STRATSIM_NO_SIMD=1 on 2 ranks matches the vector code on 1 rank"
  else ko "bandit lanes: plain and vector code differ" "$OUT/bandit-nosimd.cmp"; fi
fi
lanes_sets="--set bandit.K=7 --set bandit.d=3 --set bandit.theta_source=random --set bandit.strategy=truthful --set bandit.T=400"
# shellcheck disable=SC2086
if run bandit-k7-np1 $MPI -n 1 bin/stratsim run configs/bandit/quick.yaml $lanes_sets --out "$OUT/bandit-k7-np1" --quiet &&
   run bandit-k7-np3 $MPI -n 3 bin/stratsim run configs/bandit/quick.yaml $lanes_sets --set bandit.rollout_groups=1 \
     --out "$OUT/bandit-k7-np3" --quiet; then
  if same_csvs "$OUT/bandit-k7-np1" "$OUT/bandit-k7-np3" >"$OUT/bandit-k7.cmp" 2>&1; then
    ok "bandit lanes: K=7 d=3 with the arms split 2/2/3 over 3 ranks matches 1 rank"
  else ko "bandit lanes: K=7 split over 3 ranks differs" "$OUT/bandit-k7.cmp"; fi
fi

# Sourced by tests/run_integration.sh: the vector kernels of the MLE (src/rlhf/mle_kernels.c)
# give the same bits as the plain loops end to end: the RLHF rank-identity config (SPSA, every
# aggregator, data dumps) run with STRATSIM_NO_SIMD=1 matches the default run on 1 rank. On a
# CPU without AVX2 both runs take the plain loops and the check is trivially true.
if [ -f "$OUT/rlhf-np1/rlhf_runs.csv" ] &&
   run kernels-nosimd env STRATSIM_NO_SIMD=1 $MPI -n 1 bin/stratsim run tests/data/rlhf_ranks.yaml \
     --out "$OUT/kernels-nosimd" --quiet; then
  if same_csvs "$OUT/rlhf-np1" "$OUT/kernels-nosimd" >"$OUT/kernels-nosimd.cmp" 2>&1; then
    ok "kernels: rlhf with the plain loops (STRATSIM_NO_SIMD=1) matches the vector kernels"
  else ko "kernels: plain loops and vector kernels differ" "$OUT/kernels-nosimd.cmp"; fi
fi

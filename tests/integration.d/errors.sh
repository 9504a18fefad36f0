# Sourced by tests/run_integration.sh (uses ok, ko, $OUT, $MPI).
# --- an allocation failing at every allocation site of a run (docs/errors.md) ----------
# STRATSIM_COUNT_ALLOC=1 first lists, per rank, the index of the first allocation made at each
# distinct allocation site (call site of ss_malloc/ss_calloc/ss_realloc/ss_strdup) of one
# run; then, for each such index n, STRATSIM_FAIL_RANK=r STRATSIM_FAIL_ALLOC=n makes world
# rank r's allocation n fail, on 3 ranks. Every rank must exit 1 (no hang: timeout), stderr
# must hold exactly one error line, the manifest must say "failed" and no CSV be written.
# The one exception: on rank 0, an allocation of the manifest's diagnostics (the node list,
# the communication counts gathered after the results are written) may fail without failing
# the run; then the run must complete with CSV files and config.yaml byte-identical to the
# counting run's (the PASS line says how many runs did so).
# The failing ranks: 1 (every site of a non-root rank) for every experiment, and 0 (the rank
# that writes the results) for the facility config; ERRORS_ALLOC_RANKS="1 0" checks both
# ranks for every experiment (about 3 times as long; CI time, docs/errors.md).
alloc_sites() { # config rank ref -> the first-allocation indices of that rank's sites
  rm -rf "$3" # a new run directory, as in the failing runs below
  STRATSIM_COUNT_ALLOC=1 timeout 60 $MPI -n 3 bin/stratsim run "$1" --out "$3" \
    --quiet 2>&1 >/dev/null | sed -n "s/^stratsim: rank $2: .* first at://p"
}
alloc_every_site() {
  local label=$1 config=$2 ranks=$3 rank n rc bad="" runs=0 completed=0 ref="$OUT/alloc-count-$1"
  for rank in ${ERRORS_ALLOC_RANKS:-$ranks}; do
    local sites
    sites=$(alloc_sites "$config" "$rank" "$ref")
    if [ -z "$sites" ]; then ko "$label: counting the allocation sites of rank $rank failed"; return; fi
    for n in $sites; do
      local out="$OUT/allocsite-$label-$rank-$n"
      rm -rf "$out"
      STRATSIM_FAIL_RANK=$rank STRATSIM_FAIL_ALLOC=$n timeout 60 $MPI -n 3 bin/stratsim run "$config" \
        --out "$out" --quiet >"$out.out" 2>"$out.err"
      rc=$?
      runs=$((runs + 1))
      if [ $rc -eq 0 ] && [ $rank -eq 0 ] && grep -q '"status": "completed"' "$out/manifest.json" 2>/dev/null &&
         same_csvs "$ref" "$out" >/dev/null && cmp -s "$ref/config.yaml" "$out/config.yaml"; then
        completed=$((completed + 1))
        rm -rf "$out" "$out.out" "$out.err"
      elif [ $rc -ne 1 ] || [ "$(grep -c '^stratsim: error:' "$out.err")" -ne 1 ] ||
         [ "$(grep -c 'stratsim' "$out.err")" -ne 1 ] ||
         ! grep -q '"status": "failed"' "$out/manifest.json" 2>/dev/null || ls "$out"/*.csv >/dev/null 2>&1; then
        bad="$bad r$rank:$n(rc=$rc)"
      else rm -rf "$out" "$out.out" "$out.err"; fi
    done
  done
  if [ -z "$bad" ]; then ok "$label: an allocation failing at each of its sites ($runs runs, 3 ranks) ends every rank with exit 1, one message, manifest failed, no CSV ($completed in rank 0's manifest diagnostics: completed, same CSVs)"
  else echo "failing allocations:$bad" >"$OUT/allocsite-$label.log"; ko "$label: allocation failures mishandled" "$OUT/allocsite-$label.log"; fi
}
[ -z "${ERRORS_ONLY:-}" ] || [ "$ERRORS_ONLY" = facility ] && alloc_every_site facility tests/data/alloc_facility.yaml "1 0"
[ -z "${ERRORS_ONLY:-}" ] || [ "$ERRORS_ONLY" = bandit ] && alloc_every_site bandit tests/data/alloc_bandit.yaml 1
[ -z "${ERRORS_ONLY:-}" ] || [ "$ERRORS_ONLY" = rlhf ] && alloc_every_site rlhf tests/data/alloc_rlhf.yaml 1
[ -z "${ERRORS_ONLY:-}" ] || [ "$ERRORS_ONLY" = mdp ] && alloc_every_site mdp tests/data/alloc_mdp.yaml 1

# Sourced by tests/run_integration.sh: every preset and every runnable config under tests/data
# gives CSV files byte-identical to the checksums recorded in tests/data/checksums.txt
# (scripts/preset_checksums.sh; slow presets under the reductions of tests/preset_sets.sh).
# Refactors and speed-ups must keep them; a change of results re-records them, and says so.
if scripts/preset_checksums.sh --check >"$OUT/checksums.log" 2>&1; then
  ok "$(tail -n 1 "$OUT/checksums.log")"
else
  ko "preset checksums changed (scripts/preset_checksums.sh --check)" "$OUT/checksums.log"
fi

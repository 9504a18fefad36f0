# Sourced by tests/run_integration.sh: a resolved config runs as it is (issue 7, point 9).
# For every preset (configs/*.yaml, configs/*/*.yaml, configs/rlhf/study/*.yaml):
# - `show-config X` validates, and `show-config` of that output is the same text (fixed point);
# - a run of X, then a run of its run directory's config.yaml, a run of the `config` object of
#   its manifest.json (JSON is YAML), and `stratsim rerun DIR --out NEW` all give byte-identical
#   CSV files.
# Running every preset in full would take many minutes on 2 cores, so the slow presets run with
# size reductions given by --set (roundtrip_sets below; the same --set on the show-config side,
# and the runs of config.yaml / manifest / rerun need none: the reductions are part of the
# resolved config they hold). Fast presets run in full.

. tests/preset_sets.sh # roundtrip_sets: the reductions of the slow presets

roundtrip() {
  local preset=$1 label sets d
  label=rt-$(echo "$preset" | sed 's|^configs/||; s|\.yaml$||; s|/|-|g')
  sets=$(roundtrip_sets "$preset")
  d="$OUT/$label"
  mkdir -p "$d"
  # show-config: validates, and is a fixed point
  # shellcheck disable=SC2086
  if ! bin/stratsim show-config "$preset" $sets >"$d/shown.yaml" 2>"$d/shown.err"; then
    ko "roundtrip $preset: show-config failed" "$d/shown.err"; return
  fi
  if ! bin/stratsim validate "$d/shown.yaml" >"$d/validate.log" 2>&1; then
    ko "roundtrip $preset: show-config output does not validate" "$d/validate.log"; return
  fi
  bin/stratsim show-config "$d/shown.yaml" >"$d/shown2.yaml" 2>"$d/shown2.err"
  if ! diff <(grep -v '^# resolved config of' "$d/shown.yaml") <(grep -v '^# resolved config of' "$d/shown2.yaml") >"$d/fixed.diff"; then
    ko "roundtrip $preset: show-config of its own output differs" "$d/fixed.diff"; return
  fi
  # runs: the preset, its config.yaml, its manifest's config, rerun
  # shellcheck disable=SC2086
  run "$label-a" $MPI -n 2 bin/stratsim run "$preset" $sets --out "$d/a" --quiet || return
  /usr/bin/python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["config"], open(sys.argv[2], "w"), indent=1)' \
    "$d/a/manifest.json" "$d/manifest-config.yaml" || { ko "roundtrip $preset: no config in the manifest"; return; }
  # (the copies run on 1 rank, without mpirun, to keep the test short: the CSVs do not depend on
  # the rank count)
  run "$label-b" bin/stratsim run "$d/a/config.yaml" --out "$d/b" --quiet || return
  run "$label-c" bin/stratsim run "$d/manifest-config.yaml" --out "$d/c" --quiet || return
  run "$label-d" bin/stratsim rerun "$d/a" --out "$d/d" --quiet || return
  local x
  for x in b c d; do
    if ! same_csvs "$d/a" "$d/$x" >"$d/cmp-$x.log" 2>&1; then
      ko "roundtrip $preset: run $x differs (b: config.yaml, c: manifest config, d: rerun)" "$d/cmp-$x.log"; return
    fi
  done
  ok "roundtrip $preset${sets:+ (reduced: $sets)}: show-config validates and is a fixed point; config.yaml, the manifest's config and rerun give byte-identical CSVs"
}

for preset in configs/*.yaml configs/*/*.yaml configs/rlhf/study/*.yaml; do
  [ -f "$preset" ] && roundtrip "$preset"
done

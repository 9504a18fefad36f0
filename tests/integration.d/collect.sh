# Sourced by tests/run_integration.sh: `stratsim collect` (issue 7, point 3).
# For each experiment a sweep runs once as one job (2 ranks) and once as an array: one
# `--sweep-index I` run per point into point-I/ (even points on 4 ranks, odd ones on 1 rank),
# as jobs/submit_sweep.sh does; `stratsim collect` of the pieces must give the one job's CSV
# files byte for byte (same files, same columns, same rows). Then the refusals: a missing point
# and a failed point are listed, exit 1, nothing written; a piece of another config (its hash)
# is refused; an existing --out is kept without --force.

# collect_case LABEL CONFIG [ARGS...]: the array vs the one job.
collect_case() {
  local label=$1 config=$2 n i
  shift 2
  local d="$OUT/collect-$label"
  mkdir -p "$d/array"
  run "collect-$label-job" $MPI -n 2 bin/stratsim run "$config" "$@" --out "$d/job" --quiet || return
  n=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sweep_points"])' "$d/job/manifest.json")
  [ -n "$n" ] && [ "$n" -ge 2 ] || { ko "collect $label: cannot read the number of sweep points" "$d/job/manifest.json"; return; }
  for i in $(seq 0 $((n - 1))); do
    local ranks=$((i % 2 ? 1 : 4))
    run "collect-$label-p$i" $MPI -n $ranks bin/stratsim run "$config" "$@" --sweep-index "$i" \
      --out "$d/array/point-$i" --quiet || return
  done
  run "collect-$label-collect" bin/stratsim collect "$d"/array/point-* --out "$d/collected" || return
  if same_csvs "$d/job" "$d/collected" >"$d/cmp.log" 2>&1; then
    ok "collect $label: an array of $n --sweep-index runs (1 and 4 ranks) collected = one job, byte-identical ($(cd "$d/job" && ls *.csv | tr '\n' ' '))"
  else ko "collect $label: collected pieces differ from one job" "$d/cmp.log"; fi
}

collect_case facility tests/data/facility_ranks.yaml
collect_case bandit configs/bandit/quick.yaml --set bandit.T=500 --set bandit.epochs=2
collect_case rlhf configs/rlhf/quick.yaml --set rlhf.spsa.steps=3 --set output.dump_data=true
collect_case mdp tests/data/collect_mdp.yaml --set rlhf.spsa.steps=2

# collect_refused LABEL WANT_RC WANT_MESSAGE DIR... : collect fails with WANT_RC, the message,
# and writes nothing
collect_refused() {
  local label=$1 want=$2 msg=$3 rc
  shift 3
  local out="$OUT/collect-refused-$label"
  bin/stratsim collect "$@" --out "$out" >"$out.log" 2>&1
  rc=$?
  if [ $rc = "$want" ] && grep -q -- "$msg" "$out.log" && [ ! -e "$out" ]; then
    ok "collect refuses $label: exit $rc, \"$(grep -o -- "$msg.*" "$out.log" | head -1 | cut -c1-100)\", nothing written"
  else ko "collect $label: expected exit $want and '$msg', nothing written (exit $rc)" "$out.log"; fi
}

b="$OUT/collect-bandit/array"
if [ -d "$b/point-2" ]; then
  # a missing point
  collect_refused missing-point 1 "missing or did not complete: 1" "$b/point-0" "$b/point-2"
  # a failed point: one piece whose run failed (STRATSIM_FAIL_RANK makes rank 0 fail its task)
  STRATSIM_FAIL_RANK=0 bin/stratsim run configs/bandit/quick.yaml --set bandit.T=500 --set bandit.epochs=2 \
    --sweep-index 1 --out "$OUT/collect-failed/point-1" --quiet >"$OUT/collect-failed.log" 2>&1
  collect_refused failed-point 1 "missing or did not complete: 1" "$b/point-0" "$OUT/collect-failed/point-1" "$b/point-2"
  # a piece of another config (a different T: another config hash)
  bin/stratsim run configs/bandit/quick.yaml --set bandit.T=400 --set bandit.epochs=2 --sweep-index 1 \
    --out "$OUT/collect-other/point-1" --quiet >"$OUT/collect-other.log" 2>&1
  collect_refused other-config 2 "different configs" "$b/point-0" "$OUT/collect-other/point-1" "$b/point-2"
  # an existing --out is not replaced without --force, and is with it
  before=$(cat "$OUT/collect-bandit/collected/bandit_epochs.csv" | md5sum)
  touch -d '2001-01-01' "$OUT/collect-bandit/collected/manifest.json"
  bin/stratsim collect "$b"/point-* --out "$OUT/collect-bandit/collected" >"$OUT/collect-noforce.log" 2>&1
  rc=$?
  if [ $rc = 2 ] && [ "$(find "$OUT/collect-bandit/collected/manifest.json" -newermt '2002-01-01')" = "" ]; then
    if bin/stratsim collect "$b"/point-* --out "$OUT/collect-bandit/collected" --force >"$OUT/collect-force.log" 2>&1 &&
       [ "$(md5sum <"$OUT/collect-bandit/collected/bandit_epochs.csv")" = "$before" ]; then
      ok "collect: an existing --out is kept without --force (exit 2: $(head -1 "$OUT/collect-noforce.log" | cut -c1-80)) and replaced with it"
    else ko "collect --force over its own earlier output" "$OUT/collect-force.log"; fi
  else ko "collect without --force over an existing --out: exit $rc" "$OUT/collect-noforce.log"; fi
fi

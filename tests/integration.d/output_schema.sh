# Sourced by tests/run_integration.sh (issue 7, points 1 and 2): every CSV of every experiment
# says which sweep point each row belongs to and matches docs/output.md, and the summaries and
# the analysis scripts keep sweep points apart.
# - Runs every experiment with every optional file on (tests/data/schema/*.yaml: facility with
#   agents; bandit with arms and curves; RLHF contextual and MDP with labelers and the dumps) on
#   4 ranks, each swept over two keys (nested dotted keys, a top-level key, a list value), plus a
#   sweep that changes the shared environment table (also as a 4-piece --sweep-index array
#   gathered by stratsim collect), and each experiment again with every optional file off.
# - tests/check_output_schema.py: every CSV is documented, its header is the sweep columns plus
#   the documented columns, the rows' point and swept values agree with the config, shared tables
#   are written once, a file is written exactly when its documented switch is on, every
#   documented file is written by some run, the manifest has exactly the documented fields; the
#   console summary has one block per point, labelled with its swept values, saying "mean +- s.e."
#   with the seed count.
# - The checker itself must fail on a doc with a renamed column, a file with an added column, an
#   undocumented file, a documented file nobody writes, a row with the wrong swept value and an
#   environment repeated per point (so neither the code nor the doc can drift unnoticed).
# - tests/check_analysis_points.py: the analysis scripts on these sweeps, recomputed point by
#   point from the CSVs.
SCH="$OUT/schema"
mkdir -p "$SCH"
schema_runs=()
schema_summaries=()
for c in facility bandit rlhf rlhf_env rlhf_mdp; do
  if run "schema-$c" $MPI -n 4 bin/stratsim run "tests/data/schema/$c.yaml" --out "$SCH/$c" --quiet; then
    schema_runs+=("$SCH/$c")
    schema_summaries+=(--summary "$SCH/$c=$OUT/schema-$c.log")
  fi
done
if run schema-bandit-piece $MPI -n 4 bin/stratsim run tests/data/schema/bandit.yaml --sweep-index 2 \
    --out "$SCH/bandit-piece" --quiet; then
  schema_runs+=("$SCH/bandit-piece")
  schema_summaries+=(--summary "$SCH/bandit-piece=$OUT/schema-bandit-piece.log")
fi

# a sweep array of the environment-changing sweep, gathered by stratsim collect: each piece writes
# environment.csv once (one point), the collected run has the same files, bytes and columns as the
# single job
arr_ok=1
for i in 0 1 2 3; do
  run "schema-array-$i" $MPI -n 4 bin/stratsim run tests/data/schema/rlhf_env.yaml --sweep-index $i \
    --out "$SCH/array/point-$i" --quiet || arr_ok=0
done
if [ $arr_ok = 1 ] && run schema-collect $MPI -n 1 bin/stratsim collect "$SCH"/array/point-? --out "$SCH/array/all"; then
  schema_runs+=("$SCH/array/point-1" "$SCH/array/all")
  if same_csvs "$SCH/rlhf_env" "$SCH/array/all" >"$SCH/array.cmp" 2>&1; then
    ok "output schema: a collected sweep array has the single job's files, byte for byte (shared environment per point)"
  else ko "output schema: collected array differs from the single job" "$SCH/array.cmp"; fi
fi

# every optional file switched off: the checker then requires those files to be absent
for off in "facility --set facility.write_agents=false" \
    "bandit --set bandit.write_arms=false --set bandit.curve_stride=0" \
    "rlhf --set rlhf.output.labelers=false --set output.dump_data=false"; do
  read -ra sets <<<"$off"
  c=${sets[0]}
  if run "schema-$c-off" $MPI -n 4 bin/stratsim run "tests/data/schema/$c.yaml" "${sets[@]:1}" --out "$SCH/$c-off" --quiet; then
    schema_runs+=("$SCH/$c-off")
  fi
done

if [ ${#schema_runs[@]} -eq 11 ]; then
  if /usr/bin/python3 tests/check_output_schema.py docs/output.md "${schema_runs[@]}" "${schema_summaries[@]}" \
      >"$SCH/check.log" 2>&1; then
    ok "output schema: every CSV of every experiment (4 ranks, 2-key sweeps) matches docs/output.md, sweep columns and values per point, shared table once, every documented file written; one summary block per point"
  else ko "output schema: files differ from docs/output.md" "$SCH/check.log"; fi

  # the checker fails when the code and the doc disagree (each mutant must be caught)
  schema_mutant() { # label message doc run... : the checker must fail with message
    local label=$1 msg=$2 doc=$3 log="$SCH/mutant-$(echo "$1" | tr -c 'a-z\n' '_').log"
    shift 3
    if /usr/bin/python3 tests/check_output_schema.py "$doc" "$@" >"$log" 2>&1 || ! grep -q "^FAIL: .*$msg" "$log"; then
      ko "output schema: the checker misses $label" "$log"
      return 1
    fi
  }
  sed 's/^| `subopt` |/| `sub_opt` |/' docs/output.md >"$SCH/doc-renamed.md"
  awk '/^### `policies.csv`/ {skip = 1; next} /^### / {skip = 0} !skip' docs/output.md >"$SCH/doc-nopolicies.md"
  { cat docs/output.md; printf '### `ghost.csv`\n\n- experiment: facility\n- written when: `facility.dims > 99`\n'
    printf -- '- rows: one per (`agent`)\n- sweep columns: always\n\n| `agent` | int | | never written |\n'; } >"$SCH/doc-extra.md"
  rm -rf "$SCH/mut-added" "$SCH/mut-value" "$SCH/mut-env"
  cp -r "$SCH/bandit" "$SCH/mut-added"
  sed -i '1s/$/,extra/; 2,$s/$/,0/' "$SCH/mut-added/bandit_epochs.csv"
  cp -r "$SCH/rlhf_mdp" "$SCH/mut-value"
  sed -i '2s/^0,10,2,/0,15,2,/' "$SCH/mut-value/estimates.csv"
  cp -r "$SCH/rlhf" "$SCH/mut-env"
  /usr/bin/python3 - "$SCH/mut-env/environment.csv" "$SCH/mut-env/manifest.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
man = json.load(open(sys.argv[2]))
axes = list(man["config"]["sweep"].items())
vals = [("10", '"[naive_mle, median_mle]"'), ("10", "[pessimistic_momle]"), ("20", '"[naive_mle, median_mle]"'), ("20", "[pessimistic_momle]")]
out = ["point,rlhf.n,rlhf.algorithms," + lines[0]]
for p, (n, a) in enumerate(vals):
    out += ["%d,%s,%s,%s" % (p, n, a, l) for l in lines[1:]]
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
  caught=0
  schema_mutant "a renamed column (doc)" "rlhf_runs.csv: header" "$SCH/doc-renamed.md" "$SCH/rlhf" && caught=$((caught + 1))
  schema_mutant "an undocumented file" "policies.csv is not documented" "$SCH/doc-nopolicies.md" "$SCH/rlhf" && caught=$((caught + 1))
  schema_mutant "a documented file nobody writes" "written by none of the runs: ghost.csv" "$SCH/doc-extra.md" \
    "${schema_runs[@]}" && caught=$((caught + 1))
  schema_mutant "an added column (code)" "bandit_epochs.csv: header" docs/output.md "$SCH/mut-added" && caught=$((caught + 1))
  schema_mutant "a wrong swept value" "estimates.csv:2: swept values" docs/output.md "$SCH/mut-value" && caught=$((caught + 1))
  schema_mutant "a shared table repeated per point" "must be written once" docs/output.md "$SCH/mut-env" && caught=$((caught + 1))
  [ $caught = 6 ] && ok "output schema: the checker catches a renamed or added column, an undocumented or unwritten file, a wrong swept value, a repeated shared table"

  if /usr/bin/python3 tests/check_analysis_points.py "$SCH/analysis" "$SCH/facility" "$SCH/bandit" "$SCH/rlhf" \
      "$SCH/rlhf_mdp" "$SCH/bandit-piece" >"$SCH/analysis.log" 2>&1; then
    ok "analysis on sweeps: facility_summary, bandit_fig1, rlhf_table1, rlhf_figure group by point (recomputed per point), mean ± s.e. with seeds, the paper only for its preset; rlhf_study and tour refuse what they would pool; a sweep array's parent points to collect"
  else ko "analysis on sweeps" "$SCH/analysis.log"; fi
fi

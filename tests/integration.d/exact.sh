# Sourced by tests/run_integration.sh: exact-parameter mode (rlhf.data: exact, the infinite-data
# limit) checks the strategyproofness constructions from config files, against the closed-form
# utilities worked out in MODELS 1.8 and in the configs' comments:
# - Prop. 3.3: labeler 0 lifts its utility 1/2 -> 3/4 under naive and Pessimistic SW (and, with
#   k = 2, under the midpoint median); under MaxMin to 9/14 (stochastic optimum, docs/rlhf.md);
# - even k: the midpoint median is manipulable (gain 0.2), the lower and upper ones are not (d = 1);
# - d = 2, k = 3: the coordinate-wise median is manipulable (gain 0.1) even with exact parameters.
exact_check() {
  local label=$1 config=$2 want=$3
  if run "exact-$label" $MPI -n 2 bin/stratsim run "$config" --out "$OUT/exact-$label" --quiet; then
    if /usr/bin/python3 - "$OUT/exact-$label" "$want" >"$OUT/exact-$label.check" 2>&1 <<'PY'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/rlhf_labelers.csv")))
runs = list(csv.DictReader(open(sys.argv[1] + "/rlhf_runs.csv")))
want = json.loads(sys.argv[2])  # [[point, algorithm, utility_truthful, utility_strategic], ...]
# rlhf_labelers.csv lists the points in order, each with every algorithm's k rows
per_point = len({(r["algorithm"], r["labeler"]) for r in rows})
for point, alg, ut, us in want:
    block = ([x for x in rows if int(x["point"]) == point] if "point" in rows[0]
             else rows[point * per_point:(point + 1) * per_point])
    r = [x for x in block if x["algorithm"] == alg and x["labeler"] == "0"]
    assert len(r) == 1, (point, alg, r)
    assert abs(float(r[0]["utility_truthful"]) - ut) < 1e-12, (point, alg, r[0])
    assert abs(float(r[0]["utility_strategic"]) - us) < 1e-12, (point, alg, r[0])
    mg = [float(x["max_gain"]) for x in runs if x["algorithm"] == alg and x["condition"] == "strategic" and int(x["point"]) == point]
    assert len(mg) == 1 and mg[0] >= us - ut - 1e-12, mg  # max over labelers
print("ok", len(want), "checks")
PY
    then ok "exact parameters: $label"
    else ko "exact parameters: $label" "$OUT/exact-$label.check"; fi
  fi
}
exact_check prop33-sw configs/rlhf/prop33_sw.yaml \
  '[[0,"naive_mle",0.5,0.75],[0,"pessimistic_sw",0.5,0.75],[0,"median_mle",0.5,0.75],[0,"pessimistic_momle",0.5,0.75]]'
exact_check prop33-maxmin configs/rlhf/prop33_maxmin.yaml '[[0,"maxmin",0.5,0.6428571428571428]]'
exact_check median-even-k configs/rlhf/exact_median_k2.yaml \
  '[[0,"median_mle",-0.1,-0.1],[0,"pessimistic_momle",-0.1,-0.1],[1,"median_mle",0.1,0.1],[2,"median_mle",-0.1,0.1],[2,"pessimistic_momle",-0.1,0.1]]'
exact_check median-d2 configs/rlhf/exact_median_k3.yaml '[[0,"median_mle",0,0.1],[0,"pessimistic_momle",0,0.1]]'

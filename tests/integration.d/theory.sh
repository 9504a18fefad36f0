# Sourced by tests/run_integration.sh: the theorems as rates (issue 13, docs/theory.md).
# - analysis/rates.py's slope fit recovers known slopes on synthetic data (tests/theory/rates_test.py);
# - the small version of every preset of configs/theory/ runs on 2 ranks and rates.py makes one
#   table row per (claim, series), with the theory's slope where the theorem speaks;
# - independent evidence: the dictator's SW ratio on the Thm 3.5 family is 1/(k - delta) exactly
#   (closed form), and rates.py's slope for it equals the least-squares slope of log(1/(k - delta));
#   Prop. 3.4's SW ratio is eps / (B sqrt(L^2 - 2 eps^2)) for the SW rules and 1 for the medians,
#   labeler 0 gains eps; the sp_rate gains (vs n and vs d) are the maxima over the search runs read
#   straight from their CSVs; GGTM with truthful arms and theta* known has regret 0; the SLCB
#   slopes in K and d equal least-squares slopes recomputed from bandit_epochs.csv.
TH="$OUT/theory"
mkdir -p "$TH"
if run theory-synthetic /usr/bin/python3 tests/theory/rates_test.py; then ok "theory: slope fit recovers known slopes on synthetic data"; fi
th_ok=1
TH_SMALL="sp_rate_small sp_rate_exaggerate_small sp_rate_grid_small sp_rate_d_small sp_rate_d_exaggerate_small
  subopt_rate_small subopt_rate_n_small ktimes_small ktimes_exaggerate_small regret_rate_small regret_rate_K_small
  regret_rate_d_small prop34_small"
for c in $TH_SMALL; do
  run "theory-$c" $MPI -n 2 bin/stratsim run configs/theory/$c.yaml --out "$TH/$c" --quiet || th_ok=0
done
# shellcheck disable=SC2046
if [ $th_ok = 1 ] && run theory-rates /usr/bin/python3 analysis/rates.py $(for c in $TH_SMALL; do echo "$TH/$c"; done) \
    --out "$TH/rates" --boot 300 --data; then
  if /usr/bin/python3 - "$TH" >"$TH/check.log" 2>&1 <<'PY'
import csv, math, sys
th = sys.argv[1]
rows = list(csv.DictReader(open(th + "/rates/rates.csv")))
by = {(r["claim"], r["series"]): r for r in rows}
want = {("Thm 4.1 gain vs n", s) for s in ("Naive MLEs", "Pessimistic SW", "Median of MLEs", "Pessimistic MoMLEs")}
want |= {("Thm 4.2 SubOpt vs k (exact)", s) for s in ("Median of MLEs", "Pessimistic MoMLEs")}
want |= {(c, s) for s in ("Naive MLEs", "Pessimistic SW", "Median of MLEs", "Pessimistic MoMLEs")
         for c in ("Thm 4.2 SubOpt vs n", "Thm 4.2 SubOpt - SubOpt(exact) vs n")}
want |= {("Thm 4.1 gain vs d", s) for s in ("Naive MLEs", "Pessimistic SW", "Median of MLEs", "Pessimistic MoMLEs")}
want |= {("Thm 3.5 SW ratio vs k", s) for s in ("Naive MLEs", "Pessimistic SW", "Median of MLEs", "Pessimistic MoMLEs", "Dictator", "MaxMin")}
want |= {("SLCB regret vs T, %s arms" % a, s) for a in ("adapted", "truthful") for s in ("OptGTM", "LinUCB")}
want |= {("SLCB regret vs %s, %s arms" % (x, a), s) for x in "Kd" for a in ("adapted", "truthful") for s in ("OptGTM", "GGTM", "LinUCB")}
want |= {("Prop 3.4 SW ratio vs eps", s) for s in ("Naive MLEs", "Pessimistic SW", "Median of MLEs", "Pessimistic MoMLEs", "MaxMin")}
assert set(by) == want, (sorted(set(by) - want), sorted(want - set(by)))
theory = {("Thm 4.1 gain vs n", "Pessimistic MoMLEs"): -0.5, ("Thm 4.2 SubOpt vs k (exact)", "Pessimistic MoMLEs"): -0.5,
          ("Thm 4.2 SubOpt vs n", "Pessimistic MoMLEs"): -0.5,
          ("Thm 4.2 SubOpt - SubOpt(exact) vs n", "Pessimistic MoMLEs"): -0.5, ("Thm 3.5 SW ratio vs k", "Dictator"): -1.0,
          ("SLCB regret vs T, adapted arms", "OptGTM"): 0.5, ("SLCB regret vs T, adapted arms", "LinUCB"): 1.0,
          ("SLCB regret vs T, truthful arms", "OptGTM"): 0.5, ("Thm 4.1 gain vs d", "Pessimistic MoMLEs"): 0.5,
          ("SLCB regret vs K, adapted arms", "OptGTM"): 2.5, ("SLCB regret vs K, adapted arms", "GGTM"): 2.5,
          ("SLCB regret vs K, truthful arms", "OptGTM"): 0.5, ("SLCB regret vs d, adapted arms", "OptGTM"): 1.0,
          ("SLCB regret vs d, adapted arms", "GGTM"): 0.0, ("SLCB regret vs d, truthful arms", "OptGTM"): 1.0,
          ("Prop 3.4 SW ratio vs eps", "Naive MLEs"): 1.0, ("Prop 3.4 SW ratio vs eps", "Pessimistic SW"): 1.0}
# a fit needs two sizes with a positive mean: GGTM's truthful regret is 0 (below), the tiny
# excess fit and the median rules' small-d gains may have fewer
nofit = lambda key: key[0].startswith("Thm 4.2 SubOpt -") or key[0].startswith("Thm 4.1 gain vs d") \
    or (key[1] == "GGTM" and "truthful" in key[0])
for key, r in by.items():
    assert (float(r["theory"]) if r["theory"] else None) == theory.get(key), (key, r["theory"])
    assert (r["consistent"] in ("yes", "no")) == (key in theory and r["ci_lo"] != "nan") \
        and (r["slope"] != "nan" or nofit(key)), (key, r)
    if key[0].startswith("Thm 4.1"):
        assert r["found_by"], key  # which search found the gains
# the dictator: ratio 1/(k - delta) at every k (closed form), slope = OLS of its logs
# (truthful rows: a strategic row holds a search's last report, which may be worse for labeler 0)
runs = [r for r in csv.DictReader(open(th + "/ktimes_small/rlhf_runs.csv"))
        if r["algorithm"] == "dictator" and r["condition"] == "truthful"]
ks = sorted({int(r["k"]) for r in runs})
for r in runs:
    ratio = float(r["social_welfare"]) / float(r["optimal_social_welfare"])
    assert abs(ratio - 1 / (int(r["k"]) - 0.01)) < 1e-12, (r["k"], ratio)
lx = [math.log(k) for k in ks]; ly = [math.log(1 / (k - 0.01)) for k in ks]
mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
b = sum((a - mx) * (c - my) for a, c in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
d = by[("Thm 3.5 SW ratio vs k", "Dictator")]
assert abs(float(d["slope"]) - b) < 1e-9 and d["consistent"] == "yes", (d, b)
assert d["found_by"].startswith("none (truthful best)") and ";" not in d["found_by"], d  # truth is labeler 0's best
# sp_rate: the plotted mean gain per n (per d) = mean over seeds of max(0, best gain over the runs)
import json
for axis, runs in (("n", ("sp_rate_small", "sp_rate_exaggerate_small", "sp_rate_grid_small")),
                   ("d", ("sp_rate_d_small", "sp_rate_d_exaggerate_small"))):
    fig = json.load(open(th + "/rates/rates_thm_4_1_gain_vs_%s.json" % axis))
    best = {}
    for run in runs:
        for r in csv.DictReader(open("%s/%s/rlhf_labelers.csv" % (th, run))):
            if r["strategic"] == "1":
                c = (r["algorithm"], int(r.get(axis) or r["rlhf." + axis]), r["seed"])
                best[c] = max(best.get(c, 0.0), float(r["gain"]))
    assert len(fig["series"]) == 4, fig["series"]
    for s in fig["series"]:
        for x, m in zip(s["x"], s["mean"]):
            v = [g for (a, n, _), g in best.items() if a == s["series"] and n == x]
            assert len(v) == 2 and abs(sum(v) / 2 - m) < 1e-12, (axis, s["series"], x, v, m)
# Prop. 3.4 (closed form, MODELS 1.9): with labeler 0 reporting (0, 0, B) the SW rules choose b:
# ratio eps / (B sqrt(L^2 - 2 eps^2)), labeler 0 gains eps; the medians keep a (ratio 1); truthful: a
runs = list(csv.DictReader(open(th + "/prop34_small/rlhf_runs.csv")))
labs = list(csv.DictReader(open(th + "/prop34_small/rlhf_labelers.csv")))
assert len(runs) == 3 * 5 * 2, len(runs)
closed = {}
for r in runs:
    feats = json.loads(r["rlhf.env.features"])
    eps, L = feats[1][1], math.hypot(*feats[1])
    ratio = float(r["social_welfare"]) / float(r["optimal_social_welfare"])
    if r["algorithm"] in ("naive_mle", "pessimistic_sw") and r["condition"] == "strategic":
        closed[eps] = eps / math.sqrt(L * L - 2 * eps * eps)
        assert abs(ratio - closed[eps]) < 1e-12, (r, closed[eps])
    elif r["algorithm"] != "maxmin":
        assert abs(ratio - 1) < 1e-12, r
for r in labs:
    if r["strategic"] == "1" and r["algorithm"] in ("naive_mle", "pessimistic_sw"):
        eps = json.loads(r["rlhf.env.features"])[1][1]
        assert abs(float(r["gain"]) - eps) < 1e-12, r
lx = [math.log(e) for e in sorted(closed)]; ly = [math.log(closed[e]) for e in sorted(closed)]
mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
b = sum((a - mx) * (c - my) for a, c in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
for s in ("Naive MLEs", "Pessimistic SW"):
    p = by[("Prop 3.4 SW ratio vs eps", s)]
    assert abs(float(p["slope"]) - b) < 1e-9 and p["consistent"] == "yes", (p, b)
p34 = list(csv.DictReader(open(th + "/rates/prop34.csv")))
assert len(p34) == 3 and all(abs(float(r["naive_mle"]) - float(r["theory"])) < 1e-12 for r in p34), p34
# SLCB: GGTM knows theta*, so with truthful arms it plays the best arm (regret 0) unless it wrongly
# eliminates one (a 2 sqrt(n log T) deviation of Gaussian noise: not in these runs); the slopes in
# K and d are least-squares slopes of the seed means of bandit_epochs.csv
for axis in "Kd":
    rows_e = list(csv.DictReader(open(th + "/regret_rate_%s_small/bandit_epochs.csv" % axis)))
    assert all(float(r["regret"]) == 0 for r in rows_e if r["mechanism"] == "ggtm" and r["epoch"] == "0"), axis
    for mech, name in (("optgtm", "OptGTM"), ("linucb", "LinUCB")):
        last = max(int(r["epoch"]) for r in rows_e)
        cells = {}
        for r in rows_e:
            if r["mechanism"] == mech and int(r["epoch"]) == last:
                cells.setdefault(int(r["bandit." + axis]), []).append(float(r["regret"]))
        xs = sorted(cells)
        lx = [math.log(x) for x in xs]; ly = [math.log(sum(cells[x]) / len(cells[x])) for x in xs]
        mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
        b = sum((a - mx) * (c - my) for a, c in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)
        got = float(by[("SLCB regret vs %s, adapted arms" % axis, name)]["slope"])
        assert abs(got - b) < 1e-9, (axis, name, got, b)
print("ok", len(rows), "rows")
PY
  then ok "theory: 13 small presets on 2 ranks, rates table rows, dictator 1/(k - delta), Prop 3.4 closed form, best gains over searches, SLCB slopes in K, d"
  else ko "theory: rates table" "$TH/check.log"; fi
fi
# the new pieces (dictator's replicated row, the ktimes population, SPSA's random starts, the grid)
# give the same bytes on 1 and 3 ranks as on 2
# (and Prop. 3.4's swept feature matrices, the SLCB sweep in K with GGTM)
for np in 1 3; do
  for c in ktimes_small sp_rate_small $([ $np = 1 ] && echo prop34_small || echo regret_rate_K_small); do
    if [ -d "$TH/$c" ] && run "theory-$c-np$np" $MPI -n $np bin/stratsim run configs/theory/$c.yaml --out "$TH/$c-np$np" --quiet; then
      if same_csvs "$TH/$c" "$TH/$c-np$np" >"$TH/$c-np$np.cmp" 2>&1; then ok "theory: $c byte-identical on $np and 2 ranks"
      else ko "theory: $c differs between $np and 2 ranks" "$TH/$c-np$np.cmp"; fi
    fi
  done
done

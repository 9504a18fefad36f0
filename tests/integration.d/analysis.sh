# Sourced by tests/run_integration.sh: the analysis scripts on small results made here (a few
# seconds on 2 ranks). Every check recomputes from the CSV files what a table prints or what a
# figure plots (the scripts dump the plotted numbers with --data), never from pixels:
# - rlhf_table1.py: every row equals the C side's rlhf_table.csv (same pairing by seed, same
#   s.e.), the four sweep points are kept apart, and no paper numbers outside the preset;
# - rlhf_figure.py: one row of panels per value of the swept key other than n, every series'
#   points are the CSV's mean and s.e. with the right seed counts;
# - rlhf_study.py: one panel per factor value (base first), shared axes;
# - bandit_fig1.py: regret series per mechanism, integer epochs 0..E, means and s.e. from the CSV,
#   utility panels with the fair share T/K;
# - facility_summary.py: the table's social costs, the gains histograms (every agent counted once
#   per seed), and the geometry (the median's facility does not move, nobody lies under it);
# - the tour: README's transcript equals what scripts/tour.sh prints (except the timing line).
AN="$OUT/analysis"
mkdir -p "$AN"
an_py() { # label python-args... : runs a checker, PASS/FAIL
  local label=$1 file
  shift
  file="$AN/$(echo "$label" | tr -c 'A-Za-z0-9_\n' '_').check"
  if /usr/bin/python3 "$@" >"$file" 2>&1; then ok "analysis: $label"
  else ko "analysis: $label" "$file"; fi
}

if run an-rlhf $MPI -n 2 bin/stratsim run tests/data/analysis_rlhf.yaml --out "$AN/rlhf" --quiet &&
   run an-rlhf-base $MPI -n 2 bin/stratsim run tests/data/analysis_rlhf_base.yaml --out "$AN/rlhf-base" --quiet &&
   run an-rlhf-table /usr/bin/python3 analysis/rlhf_table1.py "$AN/rlhf" &&
   run an-rlhf-figure /usr/bin/python3 analysis/rlhf_figure.py "$AN/rlhf" --data &&
   run an-rlhf-study /usr/bin/python3 analysis/rlhf_study.py "$AN/rlhf-base" "$AN/rlhf" --out "$AN/study" --data; then
  an_py "rlhf_table1 rows equal rlhf_table.csv, points kept apart" - "$AN/rlhf" "$OUT/an-rlhf-table.log" <<'PY'
import csv, sys
run, log = sys.argv[1], open(sys.argv[2]).read()
names = {"naive_mle": "Naive MLEs", "median_mle": "Median of MLEs"}
L = {0: "2", 1: "2", 2: "3", 3: "3"}  # sweep: L [2, 3] x n [10, 20], n fastest
want = set()
for r in csv.DictReader(open(run + "/rlhf_table.csv")):
    f = lambda m, s: "%.3f ± %.3f" % (float(r[m]), float(r[s]))
    want.add("| L = %s | %s | %s | %s | %s | %s | %s |" % (L[int(r["point"])], r["n"], names[r["algorithm"]], r["seeds"],
             f("truthful_mean", "truthful_se"), f("strategic_mean", "strategic_se"), f("difference_mean", "difference_se")))
got = {l for l in log.splitlines() if l.startswith("| L = ")}
assert len(want) == 8 and got == want, (sorted(want - got), sorted(got - want))
assert "paper's numbers are not shown" in log and "0.512" not in log
print("ok")
PY
  an_py "rlhf_figure series = CSV means and s.e. per point" - "$AN/rlhf" <<'PY'
import csv, json, math, sys
run = sys.argv[1]
d = json.load(open(run + "/rlhf_figure.json"))
rows = list(csv.DictReader(open(run + "/rlhf_runs.csv")))
assert [r["point_values"] for r in d["rows"]] == [{"rlhf.env.L": 2}, {"rlhf.env.L": 3}], d["rows"]
for prow, Lpoints in zip(d["rows"], ([0, 1], [2, 3])):
    assert len(prow["subopt"]) == 4  # 2 algorithms x 2 conditions
    for s in prow["subopt"]:
        assert s["n"] == [10, 20] and s["seeds"] == [3, 3], s
        for n, m, se in zip(s["n"], s["mean"], s["se"]):
            v = [float(r["subopt"]) for r in rows if int(r["point"]) in Lpoints and int(r["n"]) == n
                 and r["algorithm"] == s["algorithm"] and r["condition"] == s["condition"]]
            mu = sum(v) / len(v)
            sd = math.sqrt(sum((x - mu) ** 2 for x in v) / (len(v) - 1))
            assert len(v) == 3 and abs(mu - m) < 1e-12 and abs(sd / math.sqrt(3) - se) < 1e-12, (s, v)
    assert {g["algorithm"] for g in prow["gains"]} == {"naive_mle", "median_mle"}
    assert all(len(g["gains"]) == 3 * 3 for g in prow["gains"])  # k strategic labelers x seeds, n = 20
for ext in ("png", "pdf"):
    assert open(run + "/rlhf_figure." + ext, "rb").read(4) in (b"\x89PNG", b"%PDF")
print("ok")
PY
  an_py "rlhf_study panels: base first, one per factor value" - "$AN/study/rlhf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["factor"] == "rlhf.env.L", d["factor"]
assert [(p["value"], p["base"]) for p in d["panels"]] == [(1, True), (2, False), (3, False)], d["panels"]
assert all(len(p["series"]) == 4 for p in d["panels"])
print("ok")
PY
fi

if run an-bandit $MPI -n 2 bin/stratsim run configs/bandit/quick.yaml --out "$AN/bandit" --quiet &&
   run an-bandit-fig /usr/bin/python3 analysis/bandit_fig1.py "$AN/bandit" --data; then
  an_py "bandit_fig1: regret, curves and utility from the CSVs" - "$AN/bandit" "$OUT/an-bandit-fig.log" <<'PY'
import csv, json, math, sys
run, log = sys.argv[1], open(sys.argv[2]).read()
ep = list(csv.DictReader(open(run + "/bandit_epochs.csv")))
reg = json.load(open(run + "/bandit_fig1_regret.json"))
assert [s["mechanism"] for s in reg["series"]] == ["optgtm", "linucb", "uniform"]
assert [s["label"] for s in reg["series"]] == ["OptGTM", "LinUCB", "Uniform"]
for s in reg["series"]:
    assert s["epoch"] == list(range(5)), s["epoch"]  # 4 epochs + the final evaluation, integers
    for e, m, se, c in zip(s["epoch"], s["mean"], s["se"], s["seeds"]):
        v = [float(r["regret"]) for r in ep if r["mechanism"] == s["mechanism"] and int(r["epoch"]) == e]
        mu = sum(v) / len(v)
        assert c == 2 and abs(mu - m) < 1e-9 and abs(math.sqrt(sum((x - mu) ** 2 for x in v) / 2) - se) < 1e-9
    last = s["mean"][-1]
    assert ("%.1f ±" % last) in log, last  # the table prints the same numbers
ut = json.load(open(run + "/bandit_fig1_utility.json"))
assert ut["fair_share"] == 2000 / 4 and len(ut["panels"]) == 3
arms = list(csv.DictReader(open(run + "/bandit_arms.csv")))
for p in ut["panels"]:
    assert [s["arm"] for s in p["series"]] == [0, 1, 2, 3]
    for s in p["series"]:
        v = [float(r["selections"]) for r in arms if r["mechanism"] == p["mechanism"] and r["arm"] == str(s["arm"]) and r["epoch"] == "0"]
        assert abs(sum(v) / len(v) - s["mean"][0]) < 1e-9
cur = json.load(open(run + "/bandit_fig1_curves.json"))
assert sorted({s["epoch"] for s in cur["series"]}) == [0, 4]
print("ok")
PY
fi

if [ -f "$OUT/demo/facility_runs.csv" ] &&
   run an-facility /usr/bin/python3 analysis/facility_summary.py "$OUT/demo" --out "$AN/facility" --data; then
  an_py "facility_summary: table, gains and geometry from the CSVs" - "$OUT/demo" "$AN/facility" "$OUT/an-facility.log" <<'PY'
import csv, json, math, sys
run, fig, log = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
rows = list(csv.DictReader(open(run + "/facility_runs.csv")))
for mech in ("mean", "median"):
    for cond in ("truthful", "best_response"):
        v = [float(r["social_cost"]) for r in rows if r["mechanism"] == mech and r["condition"] == cond]
        mu = sum(v) / len(v)
        se = math.sqrt(sum((x - mu) ** 2 for x in v) / (len(v) - 1) / len(v))
        assert "| %s | %s | %d | %.4f ± %.4f |" % (mech, cond, len(v), mu, se) in log, (mech, cond)
g = json.load(open(fig + "/facility_gains.json"))
agents = list(csv.DictReader(open(run + "/facility_agents.csv")))
for p in g["panels"]:
    n = sum(1 for r in agents if r["mechanism"] == p["mechanism"])
    assert abs(sum(p["mean_count"]) * p["seeds"] - n) < 1e-9, p["mechanism"]  # every agent once per seed
share = {p["mechanism"]: p["share_gaining"] for p in g["panels"]}
assert share["mean"] > 0.5 and share["median"] == 0, share
geo = json.load(open(fig + "/facility_geometry.json"))
med = [p for p in geo["panels"] if p["mechanism"] == "median"][0]
assert med["liars"] == 0 and med["facility_truthful"] == med["facility_final"], med
mean = [p for p in geo["panels"] if p["mechanism"] == "mean"][0]
assert mean["liars"] > 0
print("ok")
PY
fi

# the tour: what README shows is what scripts/tour.sh prints (numbers are deterministic; the
# timing line and the output directory differ)
if TOUR_OUT="$AN/tour" run an-tour scripts/tour.sh; then
  an_py "README's tour transcript matches scripts/tour.sh" - README.md "$OUT/an-tour.log" "$AN/tour" <<'PY'
import re, sys
readme, log, out = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3]
block = readme.split("stratsim tour:", 1)[1].split("```", 1)[0]
norm = lambda t: [l.replace(out, "results/tour") for l in t.strip().splitlines() if not l.startswith("tour: ")]
want = norm("stratsim tour:" + block)
got = norm(log[log.index("stratsim tour:"):])
assert want == got, "\n".join(a + "\n" + b for a, b in zip(want, got) if a != b) or (len(want), len(got))
assert len(re.findall(r"^  -> ", log, re.M)) == 3
print("ok")
PY
fi

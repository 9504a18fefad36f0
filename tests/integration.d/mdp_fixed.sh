# Sourced by tests/run_integration.sh: the RLHF `fixed` strategy in a tabular MDP (H = 3, the
# explicit CSV MDP of tests/data/mdp_explicit, tests/data/mdp_fixed.yaml), with known answers:
# - the same CSVs on 1 and 3 ranks (chunks of 1 state: every rank owns part of the MDP);
# - labeler 1 reports its true parameter: the strategic condition's SubOpt (and every other
#   number of its row) equals the truthful condition's, for every aggregator and seed; every
#   policy solve is certified;
# - the same report given as k rows (row i: labeler i), with other values in the non-strategic rows
#   (ignored: non-strategic labelers report the truth), gives the same CSVs byte for byte;
# - another report changes the strategic SubOpt (for at least one aggregator), and leaves the
#   truthful condition's rows byte-identical (the checks above can fail).
mf_cfg=tests/data/mdp_fixed.yaml
mf_dir=$OUT/mdp-fixed
mkdir -p "$mf_dir"
# usage: mf_check MODE REF [OTHER]: reads rlhf_runs.csv and rlhf_solves.csv of REF (and OTHER)
mf_check() {
  /usr/bin/python3 - "$@" <<'PY'
import csv, sys
mode, ref = sys.argv[1], sys.argv[2]
runs = lambda d: list(csv.DictReader(open(d + "/rlhf_runs.csv")))
rows = runs(ref)
key = lambda r: (r["algorithm"], r["seed"], r["condition"])
by = {key(r): r for r in rows}
algs = sorted({r["algorithm"] for r in rows})
seeds = sorted({r["seed"] for r in rows})
assert len(algs) == 5 and len(seeds) == 2 and len(rows) == 5 * 2 * 2, (algs, seeds, len(rows))
assert all(r["strategy"] == "fixed" for r in rows)
if mode == "truth":
    for a in algs:
        for s in seeds:
            t, g = by[(a, s, "truthful")], by[(a, s, "strategic")]
            assert t["subopt"] == g["subopt"], (a, s, t["subopt"], g["subopt"])
            assert float(g["max_gain"]) == 0.0, (a, s, g["max_gain"])
            same = [c for c in t if c != "condition"]
            assert all(t[c] == g[c] for c in same), (a, s, [c for c in same if t[c] != g[c]])
    solves = list(csv.DictReader(open(ref + "/rlhf_solves.csv")))
    assert len(solves) == len(rows)
    assert all(x["horizon"] == "3" and x["converged"] == "1" and float(x["relative_gap"]) <= 1e-6
               for x in solves), [x for x in solves if x["converged"] != "1"][:2]
    print("ok: strategic = truthful for", len(algs), "aggregators x", len(seeds), "seeds")
else:  # "other": OTHER's truthful rows equal REF's, some strategic SubOpt differs
    oth = {key(r): r for r in runs(sys.argv[3])}
    assert oth.keys() == by.keys()
    for k, r in by.items():
        if k[2] == "truthful":
            assert all(r[c] == oth[k][c] for c in r), k
    moved = [k for k in by if k[2] == "strategic" and by[k]["subopt"] != oth[k]["subopt"]]
    assert moved, "no strategic SubOpt changed"
    print("ok:", len(moved), "strategic SubOpts changed")
PY
}
if run mdp-fixed-np1 $MPI -n 1 bin/stratsim run "$mf_cfg" --out "$mf_dir/np1" --quiet &&
  run mdp-fixed-np3 $MPI -n 3 bin/stratsim run "$mf_cfg" --out "$mf_dir/np3" --quiet; then
  if same_csvs "$mf_dir/np1" "$mf_dir/np3" >"$mf_dir/ranks.cmp" 2>&1; then
    ok "mdp fixed: byte-identical CSVs on 1 and 3 ranks"
  else ko "mdp fixed: 1 vs 3 ranks differ" "$mf_dir/ranks.cmp"; fi
  if mf_check truth "$mf_dir/np1" >"$mf_dir/truth.check" 2>&1; then
    ok "mdp fixed: true reports give the truthful SubOpt (every aggregator, seed); solves certified"
  else ko "mdp fixed: true reports vs truthful" "$mf_dir/truth.check"; fi
  if run mdp-fixed-krows $MPI -n 2 bin/stratsim run "$mf_cfg" \
    --set 'rlhf.fixed.reports=[[0.9, -0.1], [-0.5, 0.75], [-0.1, -0.9]]' --out "$mf_dir/krows" --quiet; then
    if same_csvs "$mf_dir/np1" "$mf_dir/krows" >"$mf_dir/krows.cmp" 2>&1; then
      ok "mdp fixed: k rows (non-strategic rows ignored) give the same CSVs"
    else ko "mdp fixed: k-row reports differ from the one-row reports" "$mf_dir/krows.cmp"; fi
  fi
  if run mdp-fixed-other $MPI -n 2 bin/stratsim run "$mf_cfg" --set 'rlhf.fixed.reports=[[0.75, -0.5]]' \
    --out "$mf_dir/other" --quiet; then
    if mf_check other "$mf_dir/np1" "$mf_dir/other" >"$mf_dir/other.check" 2>&1; then
      ok "mdp fixed: another report changes the strategic SubOpt, not the truthful one"
    else ko "mdp fixed: another report" "$mf_dir/other.check"; fi
  fi
fi

#!/usr/bin/python3
"""The talk's theorems as measured rates (issue 13; docs/theory.md).

Usage: /usr/bin/python3 analysis/rates.py RUN_DIR... [--out DIR] [--data] [--boot N] [--seed S]

Each RUN_DIR is a results directory of a configs/theory/ preset (or a `stratsim collect`ed
SLURM array of one). The preset is recognised from its config file's name (sp_rate*,
subopt_rate*, ktimes*, regret_rate*, prop34*). For every rate the script
- takes one number y per (size x, series, seed) from the CSV files (below);
- fits the log-log slope of the seed-mean of y against x by least squares;
- gets a 95% confidence interval by the bootstrap over seeds: seeds are resampled with
  replacement (the same resample at every x: a seed is one instance at every size), the seed
  means recomputed and the slope refitted (--boot replicates, default 2000; percentile interval);
- draws mean +- s.e. per size on log-log axes with the fitted line and the theory's slope as a
  dashed reference line through the series' first point (PNG + PDF, caption line as the other
  analysis scripts: seeds, config hash, stratsim version);
- writes rates.md / rates.csv (and prints the table): claim, series, fitted slope, CI,
  theory slope, relation, consistent yes/no.

Sizes whose seed mean is <= 0 cannot enter a log-log fit: they are dropped and counted
(column `sizes`: used / swept).

What y is per preset:
- sp_rate (rlhf): the manipulation gain of the strategic labeler(s) (rlhf_labelers.csv, strategic
  rows) -- the best over every search the preset ran (swept keys rlhf.strategy,
  rlhf.exaggerate.alpha, rlhf.spsa.start, rlhf.fixed.reports) and over truthful reporting (gain 0),
  per (size, algorithm, seed). A found gain is a LOWER bound on the best response. The table's
  `found by` column counts which search found each (size, seed)'s gain. Theory: slope -1/2 in n
  (Thm 4.1, an upper bound), +1/2 in d.
- subopt_rate (rlhf): SubOpt of the truthful condition (rlhf_runs.csv). Theory: -1/2 in k (the
  sqrt(d/k) term, measured with exact parameters) and -1/2 in n (the k sqrt(d/n) term); upper bounds.
- ktimes (rlhf, exact parameters): the approximation ratio SW(pi_hat) / max SW after labeler 0's
  best found report (or truthful if no search gains), per rule. Theory (Thm 3.5): a strategyproof
  rule can be forced to ratio <= 1/k, slope -1 -- the bound applies to strategyproof rules only
  (here `dictator`); for the other rules the table shows the slope with theory "-".
- regret_rate (bandit): regret of the last epoch (arms adapted) and of epoch 0 (truthful arms) per
  mechanism, against T, K or d (whichever the run sweeps: regret_rate, regret_rate_K,
  regret_rate_d). Theory (SLCB_THEORY): in T, OptGTM and GGTM 1/2 (upper bounds), LinUCB with
  adapted arms 1 ("gamed into linear regret", a lower-bound statement); in K, OptGTM 1/2 truthful
  (d sqrt(KT)) and 5/2 adapted (d K^2 sqrt(KT)), GGTM 5/2 adapted (K^2 sqrt(KT)); in d, OptGTM 1,
  GGTM 0 (its bound has no d).
- prop34 (rlhf, exact parameters): the SW ratio SW(pi_hat) / max SW under labeler 0's report
  (0, 0, B) against eps (read from the swept features: phi(b) = (0, eps, sqrt(L^2 - eps^2))).
  Theory (Prop. 3.4): eps / (B sqrt(L^2 - 2 eps^2)) for Naive MLEs and Pessimistic SW, slope 1
  (">=": the ratio vanishes at least linearly, "arbitrarily bad"); one deterministic instance per
  eps, so the CI is the point. Also writes prop34.md / prop34.csv: eps, the closed form, the
  measured ratio of every rule.

Relations: `<=` (an upper bound: consistent unless the CI lies entirely above the theory's slope),
`>=` (consistent unless the CI lies entirely below it), `=` (consistent iff the CI contains it).
"""
import csv
import math
import os
import random
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402

pk.NAMES.setdefault("dictator", "Dictator")
pk.COLORS.setdefault("dictator", "tab:brown")
SEARCH_KEYS = ("rlhf.strategy", "rlhf.exaggerate.alpha", "rlhf.spsa.start", "rlhf.fixed.reports")


# ----------------------------------------------------------------------------- the fit
def ols_slope(xs, ys):
    """Least-squares slope and intercept of log y on log x (needs >= 2 distinct x, y > 0)."""
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    n = len(lx)
    mx, my = sum(lx) / n, sum(ly) / n
    sxx = sum((a - mx) ** 2 for a in lx)
    if n < 2 or sxx == 0:
        return float("nan"), float("nan")
    b = sum((a - mx) * (c - my) for a, c in zip(lx, ly)) / sxx
    return b, my - b * mx


def seed_means(table, xs, seeds):
    """table[x][seed] = y; the mean over the given (resampled) seed list at every x that has them."""
    out = []
    for x in xs:
        vals = [table[x][s] for s in seeds if s in table[x]]
        out.append(sum(vals) / len(vals) if vals else float("nan"))
    return out


def fit(table, boot=2000, level=0.95, rng_seed=1):
    """table: {x: {seed: y}}. Returns dict(slope, lo, hi, intercept, used, sizes, seeds)."""
    xs = sorted(table)
    seeds = sorted({s for x in xs for s in table[x]})
    means = seed_means(table, xs, seeds)
    pts = [(x, m) for x, m in zip(xs, means) if m > 0 and math.isfinite(m)]
    res = {"sizes": len(xs), "used": len(pts), "seeds": len(seeds), "x": xs, "mean": means}
    if len(pts) < 2:
        res.update(slope=float("nan"), lo=float("nan"), hi=float("nan"), intercept=float("nan"))
        return res
    b, a = ols_slope([p[0] for p in pts], [p[1] for p in pts])
    rng = random.Random(rng_seed)
    reps = []
    for _ in range(boot if len(seeds) > 1 else 0):
        pick = [rng.choice(seeds) for _ in seeds]
        m = seed_means(table, xs, pick)
        q = [(x, v) for x, v in zip(xs, m) if v > 0 and math.isfinite(v)]
        if len(q) >= 2:
            reps.append(ols_slope([p[0] for p in q], [p[1] for p in q])[0])
    reps.sort()
    if reps:
        lo = reps[int(math.floor((1 - level) / 2 * (len(reps) - 1)))]
        hi = reps[int(math.ceil((1 + level) / 2 * (len(reps) - 1)))]
    else:
        lo = hi = float("nan")
    res.update(slope=b, lo=lo, hi=hi, intercept=a)
    return res


def consistent(rel, theory, lo, hi):
    if theory is None or not math.isfinite(lo):
        return "-"
    if rel == "<=":
        return "yes" if lo <= theory else "no"
    if rel == ">=":
        return "yes" if hi >= theory else "no"
    return "yes" if lo <= theory <= hi else "no"


# ----------------------------------------------------------------------------- extraction
def kind_of(man, run_dir):
    """The preset kind from the config file's name, else the config's `name` (a `stratsim
    collect`ed run's config_file is config.yaml), else the run directory's name."""
    names = [os.path.basename(man.get("config_file") or ""), str((man.get("config") or {}).get("name") or ""),
             os.path.basename(os.path.normpath(run_dir))]
    for base in names:
        for k in ("sp_rate", "subopt_rate", "ktimes", "regret_rate", "prop34"):
            if base.startswith(k):
                return k
    return None


def size_axes(man, candidates):
    """The swept size keys of a run, in `candidates` order (only those with >= 2 values)."""
    axes = dict(pk.sweep_axes(man))
    return [k for k in candidates if k in axes and len(axes[k]) >= 2]


def search_label(vals, strategy):
    s = vals.get("rlhf.strategy", strategy)
    if s == "exaggerate" and "rlhf.exaggerate.alpha" in vals:
        return "exaggerate a=%s" % pk._fmt(vals["rlhf.exaggerate.alpha"])
    if s == "spsa" and "rlhf.spsa.start" in vals:
        return "spsa start %s" % vals["rlhf.spsa.start"]
    if s == "fixed" and "rlhf.fixed.reports" in vals:
        return "grid"
    return s


def other_label(vals, skip):
    return pk.label_point({k: v for k, v in vals.items() if k not in skip and k not in SEARCH_KEYS})


def load_rlhf(run_dir, man, fname):
    rows = pk.read_csv(os.path.join(run_dir, fname))
    if not rows:
        sys.exit("rates: no %s rows in %s" % (fname, run_dir))
    try:
        pk.assign_points(rows, man, fname)
    except pk.PointError as err:
        sys.exit("rates: %s" % err)
    return rows


def value_of(vals, key, row, col):
    return float(vals[key]) if key in vals else float(row[col])


def gain_cells(run_dir, man, axis):
    """{(series, other, x, seed): (gain, search)}: the best gain of the strategic labeler(s) per
    cell over this run's searches; series = algorithm."""
    rows = load_rlhf(run_dir, man, "rlhf_labelers.csv")
    runs = load_rlhf(run_dir, man, "rlhf_runs.csv")
    strategy = {}
    for r in runs:
        strategy[(r["_point"], r["algorithm"], r["seed"])] = r.get("strategy", "?")
    col = axis.split(".")[-1]
    best = {}
    for r in rows:
        if r.get("strategic") not in ("1", "true"):
            continue
        vals = r["_values"]
        cell = (r["algorithm"], other_label(vals, (axis,)), value_of(vals, axis, r, col), r["seed"])
        g = float(r["gain"])
        lab = search_label(vals, strategy.get((r["_point"], r["algorithm"], r["seed"]), "?"))
        if cell not in best or g > best[cell][0]:
            best[cell] = (g, lab)
    return best


def merge_best(cell_dicts):
    """The best (largest first component) per cell over several runs (the first run wins ties)."""
    out = OrderedDict()
    for cells in cell_dicts:
        for c, v in cells.items():
            if c not in out or v[0] > out[c][0]:
                out[c] = v
    return out


def gain_tables(cells):
    tables, found = OrderedDict(), OrderedDict()
    for (alg, other, x, seed), (g, lab) in sorted(cells.items(), key=lambda kv: kv[0][:3]):
        if g <= 0:
            g, lab = 0.0, "none (truthful best)"
        tables.setdefault((alg, other), {}).setdefault(x, {})[seed] = g
        f = found.setdefault((alg, other), {})
        f[lab] = f.get(lab, 0) + 1
    return tables, found


def subopt(run_dir, man, axis, condition="truthful", excess=False):
    """SubOpt per (algorithm, other swept values, x, seed). A run that sweeps rlhf.data over
    [comparisons, exact] gives, per seed, the infinite-data SubOpt of the same instance; with
    excess=True y = SubOpt(x) - SubOpt(exact) (the part that depends on x), else the exact rows
    are left out."""
    rows = load_rlhf(run_dir, man, "rlhf_runs.csv")
    col = axis.split(".")[-1]
    floor, tables = {}, OrderedDict()
    for r in rows:
        if r["condition"] == condition and r["_values"].get("rlhf.data") == "exact":
            floor[(r["algorithm"], other_label(r["_values"], (axis, "rlhf.data")), r["seed"])] = float(r["subopt"])
    for r in rows:
        vals = r["_values"]
        if r["condition"] != condition or vals.get("rlhf.data") == "exact":
            continue
        x = value_of(vals, axis, r, col)
        other = other_label(vals, (axis, "rlhf.data"))
        y = float(r["subopt"])
        if excess:
            y -= floor[(r["algorithm"], other, r["seed"])]
        tables.setdefault((r["algorithm"], other), {}).setdefault(x, {})[r["seed"]] = y
    return tables


def ktimes_cells(run_dir, man, axis):
    """{(series, other, x, seed): (gain, search, ratio)}: the SW ratio under labeler 0's best
    found report (the truthful row unless a search gains strictly)."""
    labs = load_rlhf(run_dir, man, "rlhf_labelers.csv")
    runs = load_rlhf(run_dir, man, "rlhf_runs.csv")
    gain = {}
    for r in labs:
        if r.get("strategic") in ("1", "true"):
            c = (r["_point"], r["algorithm"], r["seed"])
            gain[c] = max(gain.get(c, -math.inf), float(r["gain"]))
    col = axis.split(".")[-1]
    best = {}
    for r in runs:
        vals = r["_values"]
        cell = (r["algorithm"], other_label(vals, (axis,)), value_of(vals, axis, r, col), r["seed"])
        ratio = float(r["social_welfare"]) / float(r["optimal_social_welfare"])
        if r["condition"] == "truthful":
            g, lab = 1e-15, "none (truthful best)"  # a search must gain more than rounding
        else:
            g, lab = gain.get((r["_point"], r["algorithm"], r["seed"]), 0.0), search_label(vals, r.get("strategy", "?"))
        if cell not in best or g > best[cell][0]:
            best[cell] = (g, lab, ratio)
    return best


def ktimes_tables(cells):
    tables, found = OrderedDict(), OrderedDict()
    for (alg, other, x, seed), (g, lab, ratio) in sorted(cells.items(), key=lambda kv: kv[0][:3]):
        tables.setdefault((alg, other), {}).setdefault(x, {})[seed] = ratio
        f = found.setdefault((alg, other), {})
        f[lab] = f.get(lab, 0) + 1
    return tables, found


def regret(run_dir, man, axis, which):
    rows = pk.read_csv(os.path.join(run_dir, "bandit_epochs.csv"))
    if not rows:
        sys.exit("rates: no bandit_epochs.csv rows in %s" % run_dir)
    try:
        pk.assign_points(rows, man, "bandit_epochs.csv")
    except pk.PointError as err:
        sys.exit("rates: %s" % err)
    last = {}
    for r in rows:
        c = (r["_point"], r["mechanism"], r["seed"])
        last[c] = max(last.get(c, 0), int(r["epoch"]))
    col = axis.split(".")[-1]
    tables = OrderedDict()
    for r in rows:
        c = (r["_point"], r["mechanism"], r["seed"])
        e = int(r["epoch"])
        if (which == "last" and (e != last[c] or e == 0)) or (which == "first" and e != 0):
            continue
        vals = r["_values"]
        x = value_of(vals, axis, r, col)
        key = (r["mechanism"], other_label(vals, (axis, "bandit.mechanism")))
        tables.setdefault(key, {}).setdefault(x, {})[r["seed"]] = float(r["regret"])
    return tables


# ----------------------------------------------------------------------------- the claims
def claims(kind, runs):
    """runs: [(run_dir, manifest)] of one preset kind. Returns
    [(claim, axis, ylabel, tables, found, theory(series) -> (slope, relation) or (None, ''), man)].
    Gains (sp_rate, ktimes) are merged over the runs: each run is one search, the best wins."""
    out = []
    man0 = runs[0][1]
    if kind == "sp_rate":
        for axis in ("rlhf.n", "rlhf.d"):
            rs = [(d, m) for d, m in runs if axis in size_axes(m, (axis,))]
            if not rs:
                continue
            t, f = gain_tables(merge_best([gain_cells(d, m, axis) for d, m in rs]))
            th = (-0.5, "<=") if axis == "rlhf.n" else (0.5, "<=")
            out.append(("Thm 4.1 gain vs %s" % axis.split(".")[-1], axis, "best found gain (lower bound)", t, f,
                        lambda s, th=th: th if s == "pessimistic_momle" else (None, ""), rs[0][1]))
    elif kind == "subopt_rate":
        for run_dir, man in runs:
            for axis in size_axes(man, ("rlhf.k", "rlhf.n")):
                exact = ((man.get("config") or {}).get("rlhf") or {}).get("data") == "exact"
                out.append(("Thm 4.2 SubOpt vs %s%s" % (axis.split(".")[-1], " (exact)" if exact else ""), axis,
                            "SubOpt (truthful)", subopt(run_dir, man, axis), {},
                            lambda s: (-0.5, "<=") if s == "pessimistic_momle" else (None, ""), man))
                if "rlhf.data" in dict(pk.sweep_axes(man)):
                    out.append(("Thm 4.2 SubOpt - SubOpt(exact) vs %s" % axis.split(".")[-1], axis,
                                "SubOpt(n) - SubOpt(exact data), same instance", subopt(run_dir, man, axis, excess=True), {},
                                lambda s: (-0.5, "<=") if s == "pessimistic_momle" else (None, ""), man))
    elif kind == "ktimes":
        rs = [(d, m) for d, m in runs if size_axes(m, ("rlhf.k",))]
        if rs:
            t, f = ktimes_tables(merge_best([ktimes_cells(d, m, "rlhf.k") for d, m in rs]))
            out.append(("Thm 3.5 SW ratio vs k", "rlhf.k", "SW(pi_hat) / max SW, labeler 0's best found report", t, f,
                        lambda s: (-1.0, "<=") if s == "dictator" else (None, ""), rs[0][1]))
    elif kind == "regret_rate":
        for run_dir, man in runs:
            for axis in size_axes(man, ("bandit.T", "bandit.K", "bandit.d")):
                sym = axis.split(".")[-1]
                out.append(("SLCB regret vs %s, adapted arms" % sym, axis, "regret, last epoch",
                            regret(run_dir, man, axis, "last"), {}, SLCB_THEORY[(sym, "adapted")], man))
                out.append(("SLCB regret vs %s, truthful arms" % sym, axis, "regret, epoch 0",
                            regret(run_dir, man, axis, "first"), {}, SLCB_THEORY[(sym, "truthful")], man))
    elif kind == "prop34":
        for run_dir, man in runs:
            t, _ = prop34_tables(run_dir, man)
            out.append(("Prop 3.4 SW ratio vs eps", "eps", "SW(pi_hat) / max SW, labeler 0 reports (0, 0, B)", t, {},
                        lambda s: (1.0, ">=") if s in ("naive_mle", "pessimistic_sw") else (None, ""), man))
    return out


def _slcb(table):
    return lambda s: table.get(s, (None, ""))


# The SLCB bounds (MODELS 1.9) as slopes, per (size, arms): OptGTM O~(d sqrt(KT)) truthful and
# O~(d K^2 sqrt(KT)) in equilibrium; GGTM (theta* known) O~(K^2 sqrt(KT)) (no d); LinUCB gamed into
# linear regret (a statement about T only). Upper bounds except LinUCB's.
SLCB_THEORY = {
    ("T", "adapted"): _slcb({"optgtm": (0.5, "<="), "ggtm": (0.5, "<="), "linucb": (1.0, ">=")}),
    ("T", "truthful"): _slcb({"optgtm": (0.5, "<="), "ggtm": (0.5, "<=")}),
    ("K", "adapted"): _slcb({"optgtm": (2.5, "<="), "ggtm": (2.5, "<=")}),
    ("K", "truthful"): _slcb({"optgtm": (0.5, "<=")}),
    ("d", "adapted"): _slcb({"optgtm": (1.0, "<="), "ggtm": (0.0, "<=")}),
    ("d", "truthful"): _slcb({"optgtm": (1.0, "<=")}),
}


def prop34_eps(vals, man):
    """eps, B and L of a Prop. 3.4 sweep point: the features are [phi(a), phi(b)] with
    phi(b) = (0, eps, sqrt(L^2 - eps^2)), so eps = phi(b)_2 and L = ||phi(b)||."""
    cfg = man.get("config") or {}
    feats = vals.get("rlhf.env.features") or ((cfg.get("rlhf") or {}).get("env") or {}).get("features")
    b = [float(v) for v in feats[1]]
    return b[1], float((cfg.get("rlhf") or {}).get("B", 1)), math.sqrt(sum(v * v for v in b))


def prop34_tables(run_dir, man):
    """{(algorithm, other): {eps: {seed: SW ratio under the strategic report}}} and the closed
    form {eps: eps / (B sqrt(L^2 - 2 eps^2))} (MODELS 1.9, Prop. 3.4) for the SW rules."""
    rows = load_rlhf(run_dir, man, "rlhf_runs.csv")
    tables, closed = OrderedDict(), {}
    for r in rows:
        if r["condition"] != "strategic":
            continue
        eps, B, L = prop34_eps(r["_values"], man)
        closed[eps] = eps / (B * math.sqrt(L * L - 2 * eps * eps))
        ratio = float(r["social_welfare"]) / float(r["optimal_social_welfare"])
        key = (r["algorithm"], other_label(r["_values"], ("rlhf.env.features",)))
        tables.setdefault(key, {}).setdefault(eps, {})[r["seed"]] = ratio
    return tables, closed


def prop34_table(run_dirs, out):
    """prop34.md / prop34.csv: per eps, the measured SW ratio of every rule and the theory's."""
    lines, rows = [], []
    for run_dir, man in run_dirs:
        tables, closed = prop34_tables(run_dir, man)
        algs = [a for a, _ in tables]
        head = "| eps | theory eps/(B sqrt(L^2-2eps^2)) | " + " | ".join(pk.name(a) for a in algs) + " |"
        lines += [head, "|" + "---|" * (len(algs) + 2)]
        for eps in sorted(closed):
            vals = [sum(t[eps].values()) / len(t[eps]) for t in tables.values()]
            lines.append("| %g | %.6g | %s |" % (eps, closed[eps], " | ".join("%.6g" % v for v in vals)))
            rows.append([eps, closed[eps]] + vals)
    with open(os.path.join(out, "prop34.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out, "prop34.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["eps", "theory"] + list(algs))
        for r in rows:
            w.writerow(["%.17g" % v for v in r])
    print("\n".join(lines))


def slug(text):
    return "".join(c if c.isalnum() else "_" for c in text.lower()).strip("_")


def draw(claim, axis, ylabel, series, man, base, dump, theory):
    plt = pk.setup_matplotlib()
    fig, ax = plt.subplots(figsize=(5.2, 3.6))
    data = {"claim": claim, "axis": axis, "series": []}
    nseeds = 0
    for (alg, other), (table, res) in series.items():
        xs = res["x"]
        color = pk.COLORS.get(alg)
        m, se = [], []
        for x in xs:
            mm, ss, c = pk.mean_se(list(table[x].values()))
            m.append(mm)
            se.append(0.0 if math.isnan(ss) else ss)
            nseeds = max(nseeds, c)
        keep = [i for i, v in enumerate(m) if v > 0]
        label = pk.name(alg) + (" (%s)" % other if other else "")
        if keep:
            ax.errorbar([xs[i] for i in keep], [m[i] for i in keep], yerr=[se[i] for i in keep], fmt="o",
                        color=color, ms=3.5, capsize=2, label="%s: slope %.2f [%.2f, %.2f]" % (
                            label, res["slope"], res["lo"], res["hi"]))
        if math.isfinite(res["slope"]):
            xx = [xs[keep[0]], xs[keep[-1]]]
            ax.plot(xx, [math.exp(res["intercept"]) * x ** res["slope"] for x in xx], "-", color=color, lw=1)
        ts = theory(alg)[0]
        if ts is not None and keep:
            x0, y0 = xs[keep[0]], m[keep[0]]
            xx = [xs[keep[0]], xs[keep[-1]]]
            ax.plot(xx, [y0 * (x / x0) ** ts for x in xx], "--", color="0.4", lw=1,
                    label="theory slope %g (%s)" % (ts, pk.name(alg)))
        data["series"].append({"series": alg, "other": other, "x": xs, "mean": m, "se": se,
                               "slope": res["slope"], "lo": res["lo"], "hi": res["hi"], "theory": ts})
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(axis.split(".")[-1])
    ax.set_ylabel(ylabel)
    ax.set_title(claim)
    ax.legend(loc="best", fontsize=6.5)
    pk.add_caption(fig, pk.caption(man, nseeds, "slopes: log-log least squares of seed means, 95% bootstrap CI over seeds"))
    return pk.save(fig, base, data, dump)


def fmt(v):
    return "%.3f" % v if isinstance(v, float) and math.isfinite(v) else "-"


def main(argv):
    runs = [a for a in argv if not a.startswith("--") and not _is_opt_value(argv, a)]
    if not runs:
        sys.exit(__doc__)
    out, dump = pk.out_args(argv, runs[0])
    boot = int(argv[argv.index("--boot") + 1]) if "--boot" in argv else 2000
    rows = []
    kinds = OrderedDict()
    for run_dir in runs:
        man = pk.manifest(run_dir)
        kind = kind_of(man, run_dir)
        if kind is None:
            sys.exit("rates: %s is not a configs/theory preset run (sp_rate, subopt_rate, ktimes, regret_rate, prop34)" % run_dir)
        kinds.setdefault(kind, []).append((run_dir, man))
    for kind, kruns in kinds.items():
        for claim, axis, ylabel, tables, found, theory, man in claims(kind, kruns):
            series = OrderedDict()
            for key, table in tables.items():
                series[key] = (table, fit(table, boot))
                if kind == "prop34":  # one deterministic instance per eps: nothing to resample
                    series[key][1].update(lo=series[key][1]["slope"], hi=series[key][1]["slope"])
            draw(claim, axis, ylabel, series, man, os.path.join(out, "rates_" + slug(claim)), dump, theory)
            for (alg, other), (table, res) in series.items():
                ts, rel = theory(alg)
                f = found.get((alg, other), {})
                rows.append(OrderedDict([
                    ("claim", claim), ("series", pk.name(alg) + (" (%s)" % other if other else "")),
                    ("slope", res["slope"]), ("ci_lo", res["lo"]), ("ci_hi", res["hi"]),
                    ("theory", ts), ("relation", rel or "-"),
                    ("consistent", consistent(rel, ts, res["lo"], res["hi"])),
                    ("sizes", "%d/%d" % (res["used"], res["sizes"])), ("seeds", res["seeds"]),
                    ("found_by", "; ".join("%s %d" % kv for kv in sorted(f.items(), key=lambda kv: -kv[1])))]))
    head = "| claim | series | fitted slope | 95% CI | theory slope | relation | consistent | sizes | seeds | found by |"
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        lines.append("| %s | %s | %s | [%s, %s] | %s | %s | %s | %s | %d | %s |" % (
            r["claim"], r["series"], fmt(r["slope"]), fmt(r["ci_lo"]), fmt(r["ci_hi"]),
            "-" if r["theory"] is None else "%g" % r["theory"], r["relation"], r["consistent"],
            r["sizes"], r["seeds"], r["found_by"] or "-"))
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, "rates.md"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "rates.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()) if rows else ["claim"])
        w.writeheader()
        for r in rows:
            w.writerow({k: ("" if v is None else ("%.17g" % v if isinstance(v, float) else v)) for k, v in r.items()})
    print("wrote %s/rates.md and rates.csv" % out)
    if "prop34" in kinds:
        prop34_table(kinds["prop34"], out)


def _is_opt_value(argv, a):
    i = argv.index(a)
    return i > 0 and argv[i - 1] in ("--out", "--boot")


if __name__ == "__main__":
    main(sys.argv[1:])

#!/usr/bin/python3
"""The Table 1 study (docs/results.md): one figure per factor, SubOpt against n, truthful (solid)
and strategic (dashed), one line per algorithm, one panel per value of the factor (the base
value first), shared axes; and a Markdown table of the degradation strategic - truthful, mean
+- standard error over seeds (paired by seed), with its size in standard errors.

Usage: /usr/bin/python3 analysis/rlhf_study.py BASE_DIR FACTOR_DIR... [--out DIR] [--data]

BASE_DIR is a run of configs/rlhf/study/base.yaml, each FACTOR_DIR a run of another
configs/rlhf/study/*.yaml (it sweeps one key besides rlhf.n). Writes study_<name>.png/.pdf
(and .json with --data) to DIR (default: docs/figures) and prints the paths.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402
from rlhf_figure import algorithms, plot_subopt, set_top  # noqa: E402


def get(cfg, key):
    for part in key.split("."):
        cfg = cfg[part]
    return cfg


def cells_by_value(run_dir, key, base_value=None):
    """{value: {alg: {n: {seed: {cond: subopt}}}}} of one run, grouped by the factor's value."""
    man = pk.manifest(run_dir)
    runs = pk.read_csv(os.path.join(run_dir, "rlhf_runs.csv"))
    pk.assign_points(runs, man, run_dir + "/rlhf_runs.csv")
    out = {}
    for r in runs:
        v = pk.freeze(r["_values"].get(key, base_value))
        c = out.setdefault(v, defaultdict(lambda: defaultdict(dict)))
        c[r["algorithm"]][int(r["n"])].setdefault(r["seed"], {})[r["condition"]] = float(r["subopt"])
    return out, man


def factor_key(man):
    keys = [k for k, _ in pk.sweep_axes(man) if k != "rlhf.n"]
    if len(keys) != 1:
        sys.exit("rlhf_study: %s sweeps %s; expected one key besides rlhf.n" % (man.get("config", {}).get("name"), keys))
    return keys[0]


def table(name, key, panels):
    print("\n#### %s (`%s`)\n" % (name, key))
    print("| value | n | " + " | ".join(pk.name(a) for a in panels[0][1]) + " |")
    print("|---|---|" + "---|" * len(panels[0][1]))
    for value, cells in panels:
        for n in sorted({n for a in cells for n in cells[a]}):
            txt = []
            for a in algorithms(cells):
                diffs = [s["strategic"] - s["truthful"] for s in cells[a][n].values() if len(s) == 2]
                m, se, c = pk.mean_se(diffs)
                t = "%+.1f s.e." % (m / se) if se and se == se else "-"
                txt.append("%+.3f ± %.3f (%s, %d seeds)" % (m, se, t, c))
            print("| %s | %d | %s |" % (pk._fmt(value), n, " | ".join(txt)))


def main(argv):
    args = [a for i, a in enumerate(argv[1:], 1) if not a.startswith("--") and argv[i - 1] != "--out"]
    if len(args) < 2:
        sys.exit(__doc__)
    for d in args:
        if not pk.read_csv(os.path.join(d, "rlhf_runs.csv")):
            sys.exit(pk.no_rows("rlhf_study", d, "rlhf_runs.csv"))
    out, dump = pk.out_args(argv, "docs/figures")
    base_swept = [k for k, _ in pk.sweep_axes(pk.manifest(args[0])) if k != "rlhf.n"]
    if base_swept:  # its points would be pooled into the base panel
        sys.exit("rlhf_study: the base run %s sweeps %s; expected no key besides rlhf.n" % (args[0], base_swept))
    base_cells, base_man = cells_by_value(args[0], None)
    plt = pk.setup_matplotlib()
    for run_dir in args[1:]:
        man = pk.manifest(run_dir)
        key = factor_key(man)
        # the factor run's own config holds the base value of the swept key (the sweep overrides it)
        base_value = get(man["config"], key)
        cells, _ = cells_by_value(run_dir, key)
        panels = [(base_value, base_cells[None])] + [(v, cells[v]) for v in cells if v != base_value]
        panels.sort(key=lambda p: (p[0] != base_value, str(p[0]) if isinstance(p[0], str) else p[0]))
        panels = [panels[0]] + sorted(panels[1:], key=lambda p: (isinstance(p[0], str), p[0]))
        fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), sharey=True, squeeze=False)
        data = {"factor": key, "panels": []}
        seeds = set()
        for ax, (value, c) in zip(axes[0], panels):
            s = plot_subopt(ax, c, 0.03)
            seeds |= {x for ser in s for x in ser["seeds"]}
            ax.set_title("%s = %s%s" % (key.split(".")[-1], pk._fmt(value), " (base)" if value == base_value else ""))
            data["panels"].append({"value": value, "base": value == base_value, "series": s})
            if ax is not axes[0][0]:
                ax.set_ylabel("")
        set_top(axes[0], [p["series"] for p in data["panels"]])
        h, lab = axes[0][0].get_legend_handles_labels()
        fig.legend(h, lab, loc="upper center", ncol=4, bbox_to_anchor=(0.5, 1.13), frameon=False)
        name = (man.get("config") or {}).get("name") or os.path.basename(run_dir.rstrip("/"))
        pk.add_caption(fig, pk.caption(man, "/".join(map(str, sorted(seeds))),
                                       "factor %s; base: %s" % (key, args[0].rstrip("/").split("/")[-1])))
        fig.tight_layout()
        table(name, key, panels)
        pk.save(fig, os.path.join(out, name), data, dump)


if __name__ == "__main__":
    main(sys.argv)

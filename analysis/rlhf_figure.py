#!/usr/bin/python3
"""The RLHF figure (SP-RLHF): SubOpt against n, truthful and strategic, one line per algorithm,
mean +- standard error over seeds; second panel: the distribution of the labelers' gains
J_i(strategic) - J_i(truthful) under each rule, at the largest n.

Usage: /usr/bin/python3 analysis/rlhf_figure.py RESULTS_DIR [--out DIR] [--data]

Works on any RLHF results directory. Sweep points are never pooled: points that differ in a
swept key other than rlhf.n get their own row of panels. Writes rlhf_figure.png and .pdf
(and rlhf_figure.json, the plotted numbers, with --data) to DIR (default RESULTS_DIR) and
prints the paths.
"""
import os
import sys
from collections import OrderedDict, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402

ORDER = ["naive_mle", "pessimistic_sw", "median_mle", "pessimistic_momle", "maxmin", "oracle"]


def n_of(r):
    return int(r["n"])


def rest_key(r):
    """The swept values other than n: rows with the same rest_key share a row of panels."""
    return pk.rest_key(r["_values"], skip=("rlhf.n",))


def subopt_series(runs):
    """{rest: {alg: {n: {seed: {cond: subopt}}}}}"""
    out = OrderedDict()
    for r in runs:
        out.setdefault(rest_key(r), defaultdict(lambda: defaultdict(dict)))
        out[rest_key(r)][r["algorithm"]][n_of(r)].setdefault(r["seed"], {})[r["condition"]] = float(r["subopt"])
    return out


def algorithms(d):
    return sorted(d, key=lambda a: (ORDER.index(a) if a in ORDER else len(ORDER), a))


def plot_subopt(ax, cells, dx):
    series = []
    algs = algorithms(cells)
    for q, alg in enumerate(algs):
        ns = sorted(cells[alg])
        for cond, style, marker in (("truthful", "-", "o"), ("strategic", "--", "s")):
            ys, ses, cnt = [], [], []
            for n in ns:
                vals = [s[cond] for s in cells[alg][n].values() if "truthful" in s and "strategic" in s]
                m, se, c = pk.mean_se(vals)
                ys.append(m)
                ses.append(0.0 if se != se else se)
                cnt.append(c)
            xs = [n * (1 + dx * (q - (len(algs) - 1) / 2)) for n in ns]  # small dodge, log axis
            ax.errorbar(xs, ys, yerr=ses, fmt=style, marker=marker, ms=4, capsize=2, lw=1.3,
                        color=pk.COLORS.get(alg), mfc="white" if cond == "strategic" else None,
                        label="%s, %s" % (pk.name(alg), cond))
            series.append({"algorithm": alg, "label": pk.name(alg), "condition": cond, "n": ns,
                           "mean": ys, "se": ses, "seeds": cnt})
    ax.set_xscale("log")
    allns = sorted({n for a in cells for n in cells[a]})
    ax.set_xticks(allns)
    ax.set_xticklabels([str(n) for n in allns])
    ax.minorticks_off()
    ax.set_xlabel("comparisons per labeler n")
    ax.set_ylabel("SubOpt (lower is better)")
    return series


def set_top(axes, series_lists):
    """One y-range from 0 for panels on a shared axis, covering every mean + s.e."""
    top = max([m + e for ss in series_lists for s in ss for m, e in zip(s["mean"], s["se"])] + [1e-3])
    for ax in axes:
        ax.set_ylim(0, top * 1.06)


def plot_gains(ax, labelers, nmax):
    by = defaultdict(list)
    for r in labelers:
        if int(r["n"]) == nmax and r["strategic"] == "1":
            by[r["algorithm"]].append(float(r["gain"]))
    algs = algorithms(by)
    data = [by[a] for a in algs]
    if not data:
        ax.text(0.5, 0.5, "no strategic labelers", ha="center", transform=ax.transAxes)
        return []
    bp = ax.boxplot(data, vert=True, widths=0.55, patch_artist=True, showfliers=True,
                    flierprops={"ms": 3})
    for patch, a in zip(bp["boxes"], algs):
        patch.set_facecolor(pk.COLORS.get(a, "0.7"))
        patch.set_alpha(0.45)
    ax.axhline(0, color="0.3", lw=0.8, ls=":", label="no gain")
    ax.set_xticks(range(1, len(algs) + 1))
    ax.set_xticklabels([pk.name(a).replace(" ", "\n", 1) for a in algs])
    ax.set_ylabel("labeler's gain J_i(strategic) - J_i(truthful)")
    ax.set_title("gains of strategic labelers at n = %d" % nmax, fontsize=9)
    return [{"algorithm": a, "label": pk.name(a), "n": nmax, "gains": by[a]} for a in algs]


def main(argv):
    run_dir, out, dump, man = pk.run_args(argv, __doc__)
    runs = pk.load_table("rlhf_figure", run_dir, man, "rlhf_runs.csv")
    labelers = pk.read_csv(os.path.join(run_dir, "rlhf_labelers.csv"))
    try:
        pk.assign_points(labelers, man, "rlhf_labelers.csv")
    except pk.PointError as err:
        print("rlhf_figure: gains panel left out: %s" % err)
        labelers = []
    series = subopt_series(runs)
    plt = pk.setup_matplotlib()
    rows = len(series)
    fig, axes = plt.subplots(rows, 2, figsize=(10, 3.6 * rows), squeeze=False,
                             gridspec_kw={"width_ratios": [1.5, 1]}, sharey="col")
    data = {"rows": []}
    seeds = set()
    for i, (rest, cells) in enumerate(series.items()):
        s = plot_subopt(axes[i][0], cells, 0.03)
        seeds |= {c for x in s for c in x["seeds"]}
        label = pk.label_point(dict(rest))
        axes[i][0].set_title("SubOpt, truthful (solid) vs strategic (dashed)" + (" · " + label if label else ""))
        nmax = max(n for a in cells for n in cells[a])
        lab = [r for r in labelers if rest_key(r) == rest]
        g = plot_gains(axes[i][1], lab, nmax) if lab else []
        if not lab:
            axes[i][1].set_axis_off()
        data["rows"].append({"point_values": dict(rest), "subopt": s, "gains": g})
    set_top([a[0] for a in axes], [r["subopt"] for r in data["rows"]])
    h, lab = axes[0][0].get_legend_handles_labels()
    fig.legend(h, lab, loc="upper center", ncol=4, bbox_to_anchor=(0.5, 1.0 + 0.09 / rows), frameon=False)
    ns = sorted({n_of(r) for r in runs})
    seed_txt = "/".join(str(c) for c in sorted(seeds))
    pk.add_caption(fig, pk.caption(man, seed_txt, "n = %s, k = %s, d = %s" % (
        ", ".join(map(str, ns)), runs[0]["k"], runs[0]["d"])))
    fig.tight_layout()
    data["caption_seeds"] = sorted(seeds)
    pk.save(fig, os.path.join(out, "rlhf_figure"), data, dump)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""Figure 1 of SLCB (Kleine Buening et al., NeurIPS 2024) from a stratsim bandit run.

Usage: /usr/bin/python3 analysis/bandit_fig1.py RESULTS_DIR [--out DIR] [--data]

Reads bandit_epochs.csv, bandit_curves.csv and bandit_arms.csv (docs/bandit.md) and writes,
as PNG and PDF (and the plotted numbers as JSON with --data), to DIR (default RESULTS_DIR):
  bandit_fig1_regret    total regret per epoch, mean +- s.e. over seeds, per mechanism
  bandit_fig1_curves    cumulative regret over rounds, first (solid) and last (dashed) epoch
  bandit_fig1_utility   selections per arm per epoch (the arms' utility), one panel per
                        mechanism on a shared axis, with the fair share T/K
and prints a Markdown table of the regret at the first and last epoch (mean +- s.e.).
Sweep points are never pooled: points that differ in a swept key other than
bandit.mechanism get their own files (suffix _p<point>) and table.
The paper's Figure 1 is recalled (its shape: it publishes no numbers) only when the run is the
preset configs/bandit/paper_fig1.yaml with its protocol unchanged; otherwise the output says so.
"""
import os
import sys
from collections import OrderedDict, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402

ORDER = ["optgtm", "ggtm", "linucb", "lingreedy", "uniform"]


def order(mechs):
    return sorted(mechs, key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m))


def rest(r):
    return pk.rest_key(r["_values"], skip=("bandit.mechanism",))


def groups(rows):
    out = OrderedDict()
    for r in rows:
        out.setdefault(rest(r), []).append(r)
    return out


def legend_right(ax):
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def regret_panel(epochs, man, cap, base, dump):
    plt = pk.setup_matplotlib()
    from matplotlib.ticker import MaxNLocator
    by = defaultdict(lambda: defaultdict(list))
    for r in epochs:
        by[r["mechanism"]][int(r["epoch"])].append(float(r["regret"]))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    data = {"x": "epoch", "y": "total regret", "series": []}
    for m in order(by):
        eps = sorted(by[m])
        stats = [pk.mean_se(by[m][e]) for e in eps]
        mean = [s[0] for s in stats]
        se = [0.0 if s[1] != s[1] else s[1] for s in stats]
        ax.plot(eps, mean, marker="o", ms=3, label=pk.name(m), color=pk.COLORS.get(m),
                ls=":" if m == "uniform" else "-")
        ax.fill_between(eps, [a - b for a, b in zip(mean, se)], [a + b for a, b in zip(mean, se)],
                        alpha=0.25, color=pk.COLORS.get(m), lw=0)
        data["series"].append({"mechanism": m, "label": pk.name(m), "epoch": eps, "mean": mean,
                               "se": se, "seeds": [s[2] for s in stats]})
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch (0: truthful arms; the arms adapt their reports in later epochs)")
    ax.set_ylabel("total regret over T rounds")
    ax.set_ylim(bottom=0)
    ax.set_title("Regret per epoch")
    legend_right(ax)
    pk.add_caption(fig, cap)
    fig.tight_layout()
    pk.save(fig, base + "_regret", data, dump)
    return by


def curves_panel(curves, cap, base, dump):
    plt = pk.setup_matplotlib()
    by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in curves:
        by[r["mechanism"]][int(r["epoch"])][int(r["round"])].append(float(r["cumulative_regret"]))
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    data = {"x": "round", "y": "cumulative regret", "series": []}
    for m in order(by):
        eps = sorted(by[m])
        for k, e in enumerate(eps):
            rounds = sorted(by[m][e])
            stats = [pk.mean_se(by[m][e][t]) for t in rounds]
            mean = [s[0] for s in stats]
            se = [0.0 if s[1] != s[1] else s[1] for s in stats]
            ax.plot(rounds, mean, "-" if k == 0 else "--", color=pk.COLORS.get(m),
                    label="%s, epoch %d" % (pk.name(m), e))
            ax.fill_between(rounds, [a - b for a, b in zip(mean, se)], [a + b for a, b in zip(mean, se)],
                            alpha=0.2, color=pk.COLORS.get(m), lw=0)
            data["series"].append({"mechanism": m, "epoch": e, "round": rounds, "mean": mean, "se": se})
    ax.set_xlabel("round t")
    ax.set_ylabel("cumulative regret")
    ax.set_ylim(bottom=0)
    ax.set_title("Cumulative regret: first (solid) and last (dashed) epoch")
    legend_right(ax)
    pk.add_caption(fig, cap)
    fig.tight_layout()
    pk.save(fig, base + "_curves", data, dump)


def utility_panel(arms, T, K, cap, base, dump):
    plt = pk.setup_matplotlib()
    from matplotlib.ticker import MaxNLocator
    by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in arms:
        by[r["mechanism"]][int(r["arm"])][int(r["epoch"])].append(float(r["selections"]))
    mechs = order(by)
    fig, axes = plt.subplots(1, len(mechs), figsize=(3.3 * len(mechs) + 1.2, 3.4), squeeze=False,
                             sharey=True, sharex=True)
    data = {"x": "epoch", "y": "selections", "fair_share": T / K, "panels": []}
    for ax, m in zip(axes[0], mechs):
        panel = {"mechanism": m, "label": pk.name(m), "series": []}
        for a in sorted(by[m]):
            eps = sorted(by[m][a])
            stats = [pk.mean_se(by[m][a][e]) for e in eps]
            mean = [s[0] for s in stats]
            se = [0.0 if s[1] != s[1] else s[1] for s in stats]
            line, = ax.plot(eps, mean, marker=".", label="arm %d" % a)
            ax.fill_between(eps, [x - y for x, y in zip(mean, se)], [x + y for x, y in zip(mean, se)],
                            alpha=0.2, color=line.get_color(), lw=0)
            panel["series"].append({"arm": a, "epoch": eps, "mean": mean, "se": se})
        ax.axhline(T / K, color="0.3", ls=":", lw=1, label="fair share T/K")
        ax.set_title("%s: selections per arm" % pk.name(m))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        data["panels"].append(panel)
    axes[0][0].set_ylabel("selections in T rounds (the arm's utility)")
    axes[0][0].set_ylim(0, T)
    legend_right(axes[0][-1])
    pk.add_caption(fig, cap)
    fig.tight_layout()
    pk.save(fig, base + "_utility", data, dump)


PAPER_SHAPE = ("SLCB Figure 1 (MODELS 2.3) shows: as the arms adapt, LinUCB's regret grows towards that of "
               "uniform play; OptGTM's stays near its truthful level; with truthful arms (epoch 0) OptGTM pays "
               "more regret than LinUCB (the price of mechanism design). The paper gives a figure, not numbers: "
               "compare the shapes.")


def is_fig1_preset(man):
    """The paper's protocol: the Figure 1 preset file, unmodified in the protocol's keys."""
    cfg = man.get("config") or {}
    b = cfg.get("bandit") or {}
    if os.path.basename(man.get("config_file") or "") != "paper_fig1.yaml":
        return False
    for o in man.get("overrides") or []:  # --set of anything but the layout or the output
        if not str(o).split("=", 1)[0].startswith(("parallel.", "output.")):
            return False
    return (b.get("K") == 4 and b.get("d") == 5 and b.get("T") == 10000 and b.get("epochs") == 20
            and b.get("strategy") == "gradient" and b.get("features") == "paper" and cfg.get("seeds") == 10
            and b.get("eps") == 0.2 and b.get("eta") == 0.2 and b.get("noise_sd") == 0.5)


def table(by):
    print("| mechanism | seeds | regret epoch 0 (mean ± s.e.) | last epoch | regret last epoch | factor |")
    print("|---|---|---|---|---|---|")
    for m in order(by):
        eps = sorted(by[m])
        f, l = pk.mean_se(by[m][eps[0]]), pk.mean_se(by[m][eps[-1]])
        print("| %s | %d | %s | %d | %s | %.2f |" % (pk.name(m), f[2], pk.fmt_mse(f[0], f[1], 1), eps[-1],
                                                 pk.fmt_mse(l[0], l[1], 1), l[0] / f[0]))


def main(argv):
    run_dir, out, dump, man = pk.run_args(argv, __doc__)
    cfg = (man.get("config") or {}).get("bandit", {})
    epochs = pk.load_table("bandit_fig1", run_dir, man, "bandit_epochs.csv")
    curves = pk.load_table("bandit_fig1", run_dir, man, "bandit_curves.csv", required=False)
    arms = pk.load_table("bandit_fig1", run_dir, man, "bandit_arms.csv", required=False)
    ge, gc, ga = groups(epochs), groups(curves), groups(arms)
    for key, rows in ge.items():
        point = rows[0]["_point"]
        suffix = "" if len(ge) == 1 else "_p%d" % point
        base = os.path.join(out, "bandit_fig1" + suffix)
        T = int(rows[0]["_values"].get("bandit.T", cfg.get("T", 0)))
        K = int(rows[0]["_values"].get("bandit.K", cfg.get("K", 1)))
        seeds = len({r["seed"] for r in rows})
        what = "T = %d, K = %d, d = %s" % (T, K, rows[0]["_values"].get("bandit.d", cfg.get("d")))
        if key:
            what += ", " + pk.label_point(dict(key))
        cap = pk.caption(man, seeds, what)
        if key:  # the swept values other than the mechanism (one --sweep-index piece too)
            print("\n%s" % pk.label_point(dict(key)))
        by = regret_panel(rows, man, cap, base, dump)
        if gc.get(key):
            curves_panel(gc[key], cap, base, dump)
        if ga.get(key):
            utility_panel(ga[key], T, K, cap, base, dump)
        table(by)
    if is_fig1_preset(man):
        print("\n" + PAPER_SHAPE)
    else:
        print("\n(Not compared with the paper's Figure 1: this run is not the preset "
              "configs/bandit/paper_fig1.yaml, so its numbers are not the paper's protocol.)")


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""The `make run` tour: a one-line takeaway with numbers and one figure per part.

Usage: /usr/bin/python3 analysis/tour.py BANDIT_DIR FACILITY_DIR RLHF_DIR [--data]

BANDIT_DIR is a run of configs/tour/bandit.yaml, FACILITY_DIR of configs/demo.yaml, RLHF_DIR of
configs/tour/rlhf.yaml. Each figure (PNG and PDF, plus JSON with --data) goes into its run
directory. Every number is a mean +- standard error over the run's seeds.
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402
import facility_summary  # noqa: E402


# The swept keys each part tells apart (its own config's); a run that sweeps anything else would
# have its points pooled, so it is refused (the general scripts handle any sweep).
TOUR_SWEEPS = {"bandit_arms.csv": ("bandit.reported", "bandit.mechanism"),
               "bandit_epochs.csv": ("bandit.reported", "bandit.mechanism"),
               "facility_runs.csv": (), "facility_agents.csv": (), "rlhf_labelers.csv": ()}
OTHER = {"bandit": "bandit_fig1.py", "facility": "facility_summary.py", "rlhf": "rlhf_table1.py and rlhf_figure.py"}


def load(run_dir, table):
    man = pk.manifest(run_dir)
    extra = [k for k, _ in pk.sweep_axes(man) if k not in TOUR_SWEEPS.get(table, ())]
    if extra:
        sys.exit("tour: %s sweeps %s, which the tour would pool; it reads runs of its own configs "
                 "(configs/tour/*.yaml, configs/demo.yaml): use analysis/%s" % (
                     run_dir, ", ".join(extra), OTHER[table.split("_")[0]]))
    rows = pk.read_csv(os.path.join(run_dir, table))
    pk.assign_points(rows, man, os.path.join(run_dir, table))
    return man, rows


def lie_point(values):
    """The tour's bandit points: 0 = truthful, 1 = arm 0 reports 10 y_0."""
    rep = values.get("bandit.reported")
    return 1 if rep and abs(rep[0][0]) > 0.5 else 0


def bandit(run_dir, dump, plt):
    man, arms = load(run_dir, "bandit_arms.csv")
    _, epochs = load(run_dir, "bandit_epochs.csv")
    T = man["config"]["bandit"]["T"]
    K = man["config"]["bandit"]["K"]
    sel, reg = defaultdict(list), defaultdict(list)
    for r in arms:
        if r["arm"] == "0":
            sel[(r["mechanism"], lie_point(r["_values"]))].append(100.0 * float(r["selections"]) / T)
    for r in epochs:
        reg[(r["mechanism"], lie_point(r["_values"]))].append(float(r["regret"]))
    mechs = ["optgtm", "linucb"]
    fig, axes = plt.subplots(1, 2, figsize=(8.2, 3.2))
    data = {"share_of_rounds_arm0": {}, "regret": {}, "fair_share": 100.0 / K}
    for q, (ax, stat, ylabel) in enumerate(((axes[0], sel, "rounds won by arm 0 (%)"),
                                            (axes[1], reg, "regret over T rounds"))):
        for i, m in enumerate(mechs):
            for lie in (0, 1):
                mu, se, n = pk.mean_se(stat[(m, lie)])
                ax.bar(i + (lie - 0.5) * 0.38, mu, 0.36, yerr=se, capsize=3, color=pk.COLORS[m],
                       alpha=0.45 if lie == 0 else 0.95, label=("truthful" if lie == 0 else "arm 0 reports 10x")
                       if i == 0 else None)
                data["share_of_rounds_arm0" if q == 0 else "regret"]["%s/%s" % (m, "lie" if lie else "truthful")] = [mu, se, n]
        ax.set_xticks(range(len(mechs)))
        ax.set_xticklabels([pk.name(m) for m in mechs])
        ax.set_ylabel(ylabel)
    axes[0].axhline(100.0 / K, color="0.3", ls=":", lw=1, label="fair share 1/K")
    axes[0].set_ylim(0, 100)
    axes[0].legend(loc="upper left", frameon=False)
    seeds = len({r["seed"] for r in arms})
    pk.add_caption(fig, pk.caption(man, seeds, "T = %d, K = %d" % (T, K)))
    fig.tight_layout()
    pk.save(fig, os.path.join(run_dir, "tour_bandit"), data, dump)
    o0, o1 = pk.mean_se(sel[("optgtm", 0)]), pk.mean_se(sel[("optgtm", 1)])
    l0, l1 = pk.mean_se(sel[("linucb", 0)]), pk.mean_se(sel[("linucb", 1)])
    rl0, rl1 = pk.mean_se(reg[("linucb", 0)]), pk.mean_se(reg[("linucb", 1)])
    print("  -> an arm that reports 10x its context wins %.1f%% of rounds under LinUCB (was %.0f%%; regret %.0f -> %.0f),"
          " %.0f%% under OptGTM (was %.0f%%; fair share %.0f%%): LinUCB is gamed, OptGTM much less (%d seeds)"
          % (l1[0], l0[0], rl0[0], rl1[0], o1[0], o0[0], 100.0 / K, seeds))


def facility(run_dir, dump, plt):
    man, runs = load(run_dir, "facility_runs.csv")
    _, agents = load(run_dir, "facility_agents.csv")
    seed = sorted({r["seed"] for r in agents}, key=int)[0]
    cfg = man["config"]["facility"]
    what = "%s agents in [%s, %s]^%s, seed %s" % (cfg["agents"], cfg["lo"], cfg["hi"], cfg["dims"], seed)
    facility_summary.geometry_figure(agents, runs, seed, pk.caption(man, 1, what).replace(" (mean ± s.e.)", ""),
                                     os.path.join(run_dir, "tour_facility"), dump)
    share = defaultdict(list)
    for s in {r["seed"] for r in agents}:
        for m in ("mean", "median"):
            g = [float(r["gain"]) for r in agents if r["mechanism"] == m and r["seed"] == s]
            share[m].append(100.0 * sum(x > 0 for x in g) / len(g))
    gain = pk.mean_se([r["max_gain"] for r in runs if r["mechanism"] == "mean" and r["condition"] == "truthful"])
    print("  -> hospital at the mean: %.0f%% of communities gain by lying (largest gain %.4f = %.2f/m in L1 distance,"
          " m = %d); at the median: %.0f%% (%d seeds)"
          % (pk.mean_se(share["mean"])[0], gain[0], gain[0] * cfg["agents"], cfg["agents"],
             pk.mean_se(share["median"])[0], len(share["mean"])))


def rlhf(run_dir, dump, plt):
    man, lab = load(run_dir, "rlhf_labelers.csv")
    algs = man["config"]["rlhf"]["algorithms"]
    gains = defaultdict(list)
    for r in lab:
        if r["strategic"] == "1":
            gains[r["algorithm"]].append(float(r["gain"]))
    fig, ax = plt.subplots(figsize=(6.2, 3.3))
    data = {"gains": {}}
    for i, a in enumerate(algs):
        g = gains[a]
        mu, se, n = pk.mean_se(g)
        ax.scatter([i + 0.12 * ((j % 5) - 2) / 2 for j in range(len(g))], g, s=9, color=pk.COLORS.get(a), alpha=0.6)
        ax.errorbar([i + 0.3], [mu], yerr=[se], fmt="D", color="black", ms=5, capsize=3,
                    label="mean ± s.e." if i == 0 else None)
        data["gains"][a] = {"values": g, "mean": mu, "se": se, "seeds": n}
    ax.axhline(0, color="0.3", ls=":", lw=1, label="no gain")
    ax.set_xticks(range(len(algs)))
    ax.set_xticklabels([pk.name(a).replace(" ", "\n", 1) for a in algs])
    ax.set_ylabel("liar's gain J_0(lie) - J_0(truth)")
    ax.legend(loc="upper right", frameon=False)
    r = man["config"]["rlhf"]
    pk.add_caption(fig, pk.caption(man, len(gains[algs[0]]), "k = %d, n = %d, d = %d" % (r["k"], r["n"], r["d"])))
    fig.tight_layout()
    pk.save(fig, os.path.join(run_dir, "tour_rlhf"), data, dump)
    txt = []
    for a in algs:
        mu, se, n = pk.mean_se(gains[a])
        txt.append("%s %+.3f ± %.3f (gains in %d of %d)" % (pk.name(a), mu, se, sum(x > 1e-12 for x in gains[a]), n))
    print("  -> a labeler that exaggerates gains under the mean-based rules, not under the median-based ones: "
          + "; ".join(txt))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        sys.exit(__doc__)
    dump = "--data" in argv or bool(os.environ.get("STRATSIM_PLOT_DATA"))
    plt = pk.setup_matplotlib()
    parts = (("1. bandit (SLCB): one arm reports 10x its context to LinUCB and to OptGTM", bandit),
             ("2. facility (the talk): 301 communities report where they live; the hospital goes to the mean or the median", facility),
             ("3. rlhf (SP-RLHF): one of 5 labelers exaggerates its preferences to four RLHF rules", rlhf))
    for (title, fn), run_dir in zip(parts, args):
        print(title)
        fn(run_dir, dump, plt)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""Facility-location results (the talk's hospital example) as a Markdown table and figures.

Usage: /usr/bin/python3 analysis/facility_summary.py RESULTS_DIR [--out DIR] [--data] [--seed S]

Reads RESULTS_DIR/facility_runs.csv (and facility_agents.csv if present) and prints, per sweep
point, mechanism and condition, the mean +- standard error over seeds of the social cost, the
largest manipulation gain and the rounds of best-response dynamics. With agents data it writes
(PNG and PDF, plus the plotted numbers as JSON with --data) to DIR (default RESULTS_DIR):
  facility_gains     per mechanism, the agents' one-shot manipulation gains (agents per seed,
                     averaged over seeds; shared axes)
  facility_geometry  (2-D runs) one seed's hospital: true locations, the reports after
                     best-response dynamics, and the facility, under the mean and the median
Sweep points are never pooled: each point gets its own rows and files (suffix _p<point>).
"""
import os
import sys
from collections import OrderedDict, defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402


def table(rows):
    groups = OrderedDict()
    for r in rows:
        groups.setdefault((r["_point"], r["mechanism"], r["condition"]), []).append(r)
    multi = len({k[0] for k in groups}) > 1
    print("| %smechanism | condition | seeds | social cost | max gain | rounds |" % ("point | " if multi else ""))
    print("|%s---|---|---|---|---|---|" % ("---|" if multi else ""))
    for (point, mech, cond), rs in groups.items():
        sc = pk.mean_se([r["social_cost"] for r in rs])
        mg = pk.mean_se([r["max_gain"] for r in rs])
        rd = pk.mean_se([r["rounds"] for r in rs])
        pre = "%s | " % pk.label_point(rs[0]["_values"]) if multi else ""
        print("| %s%s | %s | %d | %s | %.3g ± %.2g | %.1f ± %.1f |" % (
            pre, mech, cond, sc[2], pk.fmt_mse(sc[0], sc[1], 4), mg[0], mg[1], rd[0], rd[1]))


def gains_figure(agents, cap, base, dump):
    plt = pk.setup_matplotlib()
    import numpy as np
    from matplotlib.ticker import MaxNLocator
    by = defaultdict(lambda: defaultdict(list))
    for r in agents:
        by[r["mechanism"]][r["seed"]].append(float(r["gain"]))
    mechs = list(by)
    allg = [g for m in mechs for s in by[m].values() for g in s]
    hi = max(max(allg), 1e-12)
    edges = np.linspace(0, hi * 1.05, 31)
    fig, axes = plt.subplots(1, len(mechs), figsize=(3.8 * len(mechs), 3.2), sharex=True, sharey=True,
                             squeeze=False)
    data = {"x": "one-shot manipulation gain", "y": "agents per seed", "bin_edges": edges.tolist(),
            "panels": []}
    for ax, m in zip(axes[0], mechs):
        counts = np.array([np.histogram(g, bins=edges)[0] for g in by[m].values()], dtype=float)
        mean = counts.mean(0)
        se = counts.std(0, ddof=1) / np.sqrt(len(counts)) if len(counts) > 1 else 0 * mean
        centres = 0.5 * (edges[1:] + edges[:-1])
        ax.bar(centres, mean, width=edges[1] - edges[0], color=pk.COLORS.get(m, "0.6"), alpha=0.7,
               yerr=se, error_kw={"lw": 0.7, "capsize": 1})
        agents_per_seed = int(round(np.mean([len(g) for g in by[m].values()])))
        gaining = np.mean([np.mean(np.array(g) > 0) for g in by[m].values()])
        ax.set_title("%s: %.0f%% of agents can gain" % (m, 100 * gaining))
        ax.set_xlabel("one-shot gain (L1 cost, others truthful)")
        ax.xaxis.set_major_locator(MaxNLocator(4))
        data["panels"].append({"mechanism": m, "mean_count": mean.tolist(), "se": np.atleast_1d(se).tolist(),
                               "seeds": len(counts), "agents_per_seed": agents_per_seed,
                               "share_gaining": float(gaining)})
    axes[0][0].set_ylabel("agents per seed (mean ± s.e.)")
    pk.add_caption(fig, cap)
    fig.tight_layout()
    pk.save(fig, base + "_gains", data, dump)


def geometry_figure(agents, runs, seed, cap, base, dump):
    plt = pk.setup_matplotlib()
    import numpy as np
    mechs = list(OrderedDict.fromkeys(r["mechanism"] for r in agents))
    fig, axes = plt.subplots(1, len(mechs), figsize=(3.9 * len(mechs) + 1.3, 3.9), sharex=True,
                             sharey=True, squeeze=False)
    data = {"seed": seed, "panels": []}
    for ax, m in zip(axes[0], mechs):
        rs = [r for r in agents if r["mechanism"] == m and r["seed"] == seed]
        p = np.array([[float(r["true_location_1"]), float(r["true_location_2"])] for r in rs])
        q = np.array([[float(r["report_1"]), float(r["report_2"])] for r in rs])
        if m == "mean":
            f_true, f_final = p.mean(0), q.mean(0)
        else:
            f_true, f_final = np.median(p, 0), np.median(q, 0)
        moved = np.any(np.abs(p - q) > 1e-12, axis=1)
        ax.scatter(p[:, 0], p[:, 1], s=6, color="0.55", label="true locations")
        if moved.any():
            ax.quiver(p[moved, 0], p[moved, 1], q[moved, 0] - p[moved, 0], q[moved, 1] - p[moved, 1],
                      angles="xy", scale_units="xy", scale=1, width=0.002, color=pk.COLORS.get(m), alpha=0.25)
            ax.scatter(q[moved, 0], q[moved, 1], s=10, marker="x", color=pk.COLORS.get(m),
                       label="reports after dynamics")
        ax.plot(*f_final, marker="P", ms=13, color="gold", mec="black", ls="none", label="facility, after dynamics")
        ax.plot(*f_true, marker="*", ms=8, color="black", ls="none", label="facility, truthful")
        sc = {r["condition"]: float(r["social_cost"]) for r in runs if r["mechanism"] == m and r["seed"] == seed}
        ax.set_title("%s: %d of %d agents lie\nsocial cost %.2f -> %.2f" % (
            m, int(moved.sum()), len(rs), sc.get("truthful", float("nan")), sc.get("best_response", float("nan"))))
        ax.set_aspect("equal")
        ax.set_xlabel("x")
        data["panels"].append({"mechanism": m, "agents": len(rs), "liars": int(moved.sum()),
                               "facility_truthful": f_true.tolist(), "facility_final": f_final.tolist(),
                               "social_cost": sc})
    axes[0][0].set_ylabel("y")
    h, lab = [], []
    for ax in axes[0]:
        for hh, ll in zip(*ax.get_legend_handles_labels()):
            if ll not in lab:
                h.append(hh)
                lab.append(ll)
    axes[0][-1].legend(h, lab, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    pk.add_caption(fig, cap)
    fig.tight_layout()
    pk.save(fig, base + "_geometry", data, dump)


def main(argv):
    run_dir, out, dump, man = pk.run_args(argv, __doc__)
    rows = pk.load_table("facility_summary", run_dir, man, "facility_runs.csv")
    agents = pk.load_table("facility_summary", run_dir, man, "facility_agents.csv", required=False)
    table(rows)
    if not agents:
        return
    points = list(OrderedDict.fromkeys(r["_point"] for r in agents))
    for point in points:
        a = [r for r in agents if r["_point"] == point]
        rs = [r for r in rows if r["_point"] == point]
        suffix = "" if len(points) == 1 else "_p%d" % point
        base = os.path.join(out, "facility" + suffix)
        seeds = sorted({r["seed"] for r in a}, key=int)
        what = "%s agents in [%s, %s]^%s" % (rs[0]["agents"], (man.get("config") or {}).get("facility", {}).get("lo", "?"),
                                           (man.get("config") or {}).get("facility", {}).get("hi", "?"), rs[0]["dims"])
        if a[0]["_values"]:
            what += ", " + pk.label_point(a[0]["_values"])
        gains_figure(a, pk.caption(man, len(seeds), what), base, dump)
        if rs[0]["dims"] == "2":
            seed = argv[argv.index("--seed") + 1] if "--seed" in argv else seeds[0]
            geometry_figure(a, rs, seed, pk.caption(man, 1, what + ", seed " + seed).replace(" (mean ± s.e.)", ""),
                            base, dump)


if __name__ == "__main__":
    main(sys.argv)

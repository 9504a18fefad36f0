#!/usr/bin/python3
"""Facility-location results as a Markdown table and a PNG.

Usage: /usr/bin/python3 analysis/facility_summary.py RESULTS_DIR [--png FILE]

Reads RESULTS_DIR/facility_runs.csv (and facility_agents.csv if present) and prints, per
mechanism and condition, the mean and standard error over seeds of the social cost, the
largest manipulation gain and the rounds of best-response dynamics. With agents data it also
draws, per mechanism, the histogram of the agents' one-shot manipulation gains.
"""
import csv
import math
import os
import sys


def mean_se(xs):
    n = len(xs)
    m = sum(xs) / n
    if n < 2:
        return m, float("nan")
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return m, math.sqrt(var / n)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    run_dir = argv[1]
    png = argv[argv.index("--png") + 1] if "--png" in argv else os.path.join(run_dir, "facility_gains.png")
    rows = list(csv.DictReader(open(os.path.join(run_dir, "facility_runs.csv"))))
    groups = {}
    for r in rows:
        groups.setdefault((r["mechanism"], r["condition"]), []).append(r)
    print("| mechanism | condition | seeds | social cost | max gain | rounds |")
    print("|---|---|---|---|---|---|")
    for (mech, cond), rs in groups.items():
        sc = mean_se([float(r["social_cost"]) for r in rs])
        mg = mean_se([float(r["max_gain"]) for r in rs])
        rd = mean_se([float(r["rounds"]) for r in rs])
        print(f"| {mech} | {cond} | {len(rs)} | {sc[0]:.4f} ± {sc[1]:.4f} | {mg[0]:.3g} ± {mg[1]:.2g} | {rd[0]:.1f} |")
    agents = os.path.join(run_dir, "facility_agents.csv")
    if not os.path.exists(agents):
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    gains = {}
    for r in csv.DictReader(open(agents)):
        gains.setdefault(r["mechanism"], []).append(float(r["gain"]))
    fig, axes = plt.subplots(1, len(gains), figsize=(4.5 * len(gains), 3.5), squeeze=False)
    for ax, (mech, g) in zip(axes[0], gains.items()):
        ax.hist(g, bins=30)
        ax.set_title(f"{mech}: one-shot manipulation gain")
        ax.set_xlabel("gain (cost truthful - cost after best response)")
        ax.set_ylabel("agents")
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    print(f"\nwrote {png}")


if __name__ == "__main__":
    main(sys.argv)

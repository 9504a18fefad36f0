#!/usr/bin/python3
"""Figure 1 of SLCB (Kleine Buening et al., NeurIPS 2024) from a stratsim bandit run.

Usage: /usr/bin/python3 analysis/bandit_fig1.py RESULTS_DIR [--out DIR]

Reads bandit_epochs.csv, bandit_curves.csv and bandit_arms.csv (docs/bandit.md) and
writes three PNG panels to DIR (default RESULTS_DIR):
  bandit_fig1_regret.png   total regret per epoch, mean +- std over seeds, per mechanism
  bandit_fig1_curves.png   cumulative regret over rounds, first (solid) and last (dashed) epoch
  bandit_fig1_utility.png  per-arm utility (selections) per epoch, mean over seeds
and prints a Markdown table of the mean regret at the first and last epoch.
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

COLORS = {"optgtm": "tab:blue", "linucb": "tab:orange", "uniform": "tab:gray",
          "ggtm": "tab:green", "lingreedy": "tab:red"}


def read(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def order(mechs):
    known = list(COLORS)
    return sorted(mechs, key=lambda m: (known.index(m) if m in known else len(known), m))


def regret_panel(epochs, out):
    by = defaultdict(lambda: defaultdict(list))
    for r in epochs:
        by[r["mechanism"]][int(r["epoch"])].append(float(r["regret"]))
    fig, ax = plt.subplots(figsize=(6, 4))
    for m in order(by):
        eps = sorted(by[m])
        mean = np.array([np.mean(by[m][e]) for e in eps])
        std = np.array([np.std(by[m][e]) for e in eps])
        ax.plot(eps, mean, marker="o", ms=3, label=m, color=COLORS.get(m))
        ax.fill_between(eps, mean - std, mean + std, alpha=0.2, color=COLORS.get(m))
    ax.set_xlabel("epoch (arms adapt their reports)")
    ax.set_ylabel("total regret")
    ax.set_title("Regret per epoch (mean ± std over seeds)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return by


def curves_panel(curves, out):
    by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in curves:
        by[r["mechanism"]][int(r["epoch"])][int(r["round"])].append(float(r["cumulative_regret"]))
    fig, ax = plt.subplots(figsize=(6, 4))
    for m in order(by):
        eps = sorted(by[m])
        for k, e in enumerate(eps):
            rounds = sorted(by[m][e])
            mean = [np.mean(by[m][e][t]) for t in rounds]
            style = "-" if k == 0 else "--"
            ax.plot(rounds, mean, style, color=COLORS.get(m), label=f"{m}, epoch {e}")
    ax.set_xlabel("round")
    ax.set_ylabel("cumulative regret")
    ax.set_title("Cumulative regret, first and last epoch")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def utility_panel(arms, out):
    by = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for r in arms:
        by[r["mechanism"]][int(r["arm"])][int(r["epoch"])].append(float(r["selections"]))
    mechs = order(by)
    fig, axes = plt.subplots(1, max(1, len(mechs)), figsize=(4 * max(1, len(mechs)), 3.5), squeeze=False)
    for ax, m in zip(axes[0], mechs):
        for a in sorted(by[m]):
            eps = sorted(by[m][a])
            ax.plot(eps, [np.mean(by[m][a][e]) for e in eps], marker=".", label=f"arm {a}")
        ax.set_title(f"{m}: utility per arm")
        ax.set_xlabel("epoch")
        ax.set_ylabel("selections (mean over seeds)")
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    out = args.out or args.results
    os.makedirs(out, exist_ok=True)
    epochs = read(os.path.join(args.results, "bandit_epochs.csv"))
    if not epochs:
        sys.exit(f"bandit_fig1: no bandit_epochs.csv rows in {args.results}")
    by = regret_panel(epochs, os.path.join(out, "bandit_fig1_regret.png"))
    curves = read(os.path.join(args.results, "bandit_curves.csv"))
    if curves:
        curves_panel(curves, os.path.join(out, "bandit_fig1_curves.png"))
    arms = read(os.path.join(args.results, "bandit_arms.csv"))
    if arms:
        utility_panel(arms, os.path.join(out, "bandit_fig1_utility.png"))
    print("| mechanism | seeds | regret epoch 0 (mean ± std) | last epoch | regret last epoch | factor |")
    print("|---|---|---|---|---|---|")
    for m in order(by):
        eps = sorted(by[m])
        first, last = np.array(by[m][eps[0]]), np.array(by[m][eps[-1]])
        print(f"| {m} | {len(first)} | {first.mean():.1f} ± {first.std():.1f} | {eps[-1]} | "
              f"{last.mean():.1f} ± {last.std():.1f} | {last.mean() / first.mean():.2f} |")


if __name__ == "__main__":
    main()

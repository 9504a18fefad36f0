#!/usr/bin/env python3
"""check_summary.py RUN_DIR STDOUT: the summary a run printed (STDOUT) must hold the lines
that its CSV files give, computed here from the CSV text (tests/integration.d/records.sh):
per sweep point, RLHF's SubOpt per algorithm (truthful | strategic | difference, paired by
(algorithm, seed)), the bandit's regret at epoch 0 and at the last epoch per mechanism, the
facility's social cost per (mechanism, condition). Exit 1, naming the missing lines."""
import csv
import math
import os
import sys


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def stats(v):
    n = len(v)
    s = sq = 0.0
    for x in v:
        s += x
        sq += x * x
    mean = s / n
    var = (sq - n * mean * mean) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(var / n) if var > 0 else 0.0


def by_point(rs):
    pts = {}
    for r in rs:
        pts.setdefault(r["point"], []).append(r)
    return pts.values()


def rlhf_lines(d):
    out = []
    for rs in by_point(rows(os.path.join(d, "rlhf_runs.csv"))):
        truthful = {(r["algorithm"], r["seed"]): float(r["subopt"]) for r in rs if r["condition"] == "truthful"}
        algs, vals = [], {}
        for r in rs:
            if r["condition"] != "strategic":
                continue
            a = r["algorithm"]
            if a not in vals:
                algs.append(a)
                vals[a] = (int(r["n"]), [], [], [])
            t, s = truthful.get((a, r["seed"]), math.nan), float(r["subopt"])
            for q, x in enumerate((t, s, s - t)):
                vals[a][1 + q].append(x)
        for a in algs:
            (m0, e0), (m1, e1), (m2, e2) = (stats(v) for v in vals[a][1:])
            out.append("  n=%-5d %-18s %.3f +- %.3f | %.3f +- %.3f | %+.3f +- %.3f"
                       % (vals[a][0], a, m0, e0, m1, e1, m2, e2))
    return out


def facility_lines(d):
    out = []
    for rs in by_point(rows(os.path.join(d, "facility_runs.csv"))):
        mechs = list(dict.fromkeys(r["mechanism"] for r in rs))
        for m in mechs:
            for cond in ("truthful", "best_response"):
                sel = [r for r in rs if r["mechanism"] == m and r["condition"] == cond]
                if not sel:
                    continue
                mean, se = stats([float(r["social_cost"]) for r in sel])
                g = max([0.0] + [float(r["max_gain"]) for r in sel])
                rounds = sum(float(r["rounds"]) for r in sel) / len(sel)
                out.append("  %-9s %-14s %12.6f +- %9.6f %14.3g %10.1f" % (m, cond, mean, se, g, rounds))
    return out


def bandit_lines(d):
    out = []
    for rs in by_point(rows(os.path.join(d, "bandit_epochs.csv"))):
        for m in dict.fromkeys(r["mechanism"] for r in rs):
            sel = [r for r in rs if r["mechanism"] == m]
            last = max(int(r["epoch"]) for r in sel)
            first = [float(r["regret"]) for r in sel if int(r["epoch"]) == 0]
            m0, e0 = stats(first)
            line = "bandit %-9s regret (mean +- s.e. over %d seed%s) epoch 0: %.1f +- %.1f" % (
                m, len(first), "" if len(first) == 1 else "s", m0, e0)
            if last > 0:
                lastv = [float(r["regret"]) for r in sel if int(r["epoch"]) == last]
                m1, e1 = stats(lastv)
                line += ", epoch %d: %.1f +- %.1f (x%.2f)" % (last, m1, e1, m1 / m0)
            out.append(line)
    return out


def main():
    d, log = sys.argv[1], sys.argv[2]
    have = open(log).read().splitlines()
    want = []
    for f, fn in (("rlhf_runs.csv", rlhf_lines), ("facility_runs.csv", facility_lines),
                  ("bandit_epochs.csv", bandit_lines)):
        if os.path.exists(os.path.join(d, f)):
            want += fn(d)
    missing = [w for w in want if w not in have]
    for w in missing:
        print("missing from the summary: %r" % w)
    print("check_summary: %d of %d lines found" % (len(want) - len(missing), len(want)))
    return 1 if missing or not want else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The analysis scripts on sweeps: grouped by point, never pooled, mean +- s.e. with the seed
count, the paper only for its preset. Every number is recomputed here from the CSV files, point
by point (the `point` column), independently of analysis/plotkit.py.

Usage: /usr/bin/python3 tests/check_analysis_points.py WORK FACILITY_RUN BANDIT_RUN RLHF_RUN RLHF_MDP_RUN PIECE
(the runs of tests/data/schema/*.yaml: each sweeps two keys, 4 points, 2 seeds; PIECE is a
--sweep-index run of the bandit sweep). WORK is a scratch folder. Prints one line per check; exits 1 if any failed."""
import csv
import itertools
import json
import math
import os
import shutil
import subprocess
import sys

PY = "/usr/bin/python3"
errors = []


def check(ok, msg):
    print(("ok: " if ok else "FAIL: ") + msg)
    if not ok:
        errors.append(msg)
    return ok


def script(name, *args, expect=0):
    p = subprocess.run([PY, os.path.join("analysis", name)] + list(args), capture_output=True, text=True)
    if p.returncode != expect:
        check(False, "%s %s: exit %d, expected %d\n%s%s" % (name, " ".join(args), p.returncode, expect, p.stdout[-2000:], p.stderr[-2000:]))
    return p.stdout + p.stderr


def rows(run, table):
    return list(csv.DictReader(open(os.path.join(run, table))))


def manifest(run):
    return json.load(open(os.path.join(run, "manifest.json")))


def points(run):
    """{point: {key: value}} from the manifest's sweep (the last key varies fastest)."""
    axes = list(manifest(run)["config"]["sweep"].items())
    combos = itertools.product(*[v for _, v in axes])
    return {p: dict(zip([k for k, _ in axes], c)) for p, c in enumerate(combos)}


def text(v):
    if isinstance(v, list):
        return "[%s]" % ", ".join(text(x) for x in v)
    return "%g" % v if isinstance(v, float) else str(v)


def label(values, skip=()):
    return ", ".join("%s = %s" % (k.split(".")[-1], text(v)) for k, v in values.items() if k not in skip)


def mse(xs):
    xs = [float(x) for x in xs]
    m = sum(xs) / len(xs)
    se = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1) / len(xs)) if len(xs) > 1 else float("nan")
    return m, se, len(xs)


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(b))


# ------------------------------------------------------------------ facility_summary.py
def facility(work, run):
    out = os.path.join(work, "facility")
    log = script("facility_summary.py", run, "--out", out, "--data")
    runs, pts = rows(run, "facility_runs.csv"), points(run)
    table = [l for l in log.splitlines() if l.startswith("| ") and not l.startswith("| point") and "---" not in l]
    want = []
    for p, vals in pts.items():
        for mech in ("mean", "median"):
            for cond in ("truthful", "best_response"):
                m, se, n = mse(r["social_cost"] for r in runs if int(r["point"]) == p and r["mechanism"] == mech and r["condition"] == cond)
                want.append("| %s | %s | %s | %d | %.4f ± %.4f |" % (label(vals), mech, cond, n, m, se))
    got = ["|".join(l.split("|")[:6]) + "|" for l in table]
    check(got == want, "facility_summary: one table row per (point, mechanism, condition), labelled with the "
          "swept values, social cost mean ± s.e. and seeds from the point's rows only (%d rows)" % len(want))
    agents = rows(run, "facility_agents.csv")
    good = True
    for p, vals in pts.items():
        path = os.path.join(out, "facility_p%d_gains.json" % p)
        if not os.path.exists(path):
            good = False
            continue
        for panel in json.load(open(path))["panels"]:
            n = sum(1 for r in agents if int(r["point"]) == p and r["mechanism"] == panel["mechanism"])
            good &= panel["seeds"] == 2 and close(sum(panel["mean_count"]) * panel["seeds"], n)
            good &= panel["agents_per_seed"] == vals["facility.agents"]
    check(good, "facility_summary: one gains figure per point, each counting that point's agents only")


# ------------------------------------------------------------------ bandit_fig1.py
def bandit(work, run):
    out = os.path.join(work, "bandit")
    log = script("bandit_fig1.py", run, "--out", out, "--data")
    ep, pts = rows(run, "bandit_epochs.csv"), points(run)
    by_rest = {}
    for p, vals in pts.items():
        by_rest.setdefault(label(vals, skip=("bandit.mechanism",)), []).append(p)
    good = True
    for lab, ps in by_rest.items():
        path = os.path.join(out, "bandit_fig1_p%d_regret.json" % ps[0])
        if not check(os.path.exists(path), "bandit_fig1: figure for %s (points %s)" % (lab, ps)):
            good = False
            continue
        series = json.load(open(path))["series"]
        good &= sorted(s["mechanism"] for s in series) == sorted(pts[p]["bandit.mechanism"] for p in ps)
        for s in series:
            p = next(q for q in ps if pts[q]["bandit.mechanism"] == s["mechanism"])
            for e, m, se, c in zip(s["epoch"], s["mean"], s["se"], s["seeds"]):
                m2, se2, c2 = mse(r["regret"] for r in ep if int(r["point"]) == p and int(r["epoch"]) == e)
                good &= c == c2 == 2 and close(m, m2) and close(se, se2)
        block = log.split("\n" + lab + "\n", 1)
        good &= len(block) == 2 and "| seeds |" in block[1].split("\n\n")[0].replace("| mechanism | seeds |", "| seeds |")
    check(good and len(by_rest) == 2, "bandit_fig1: one figure and table per value of the swept key other than the "
          "mechanism, series = the point's rows (mean, s.e., 2 seeds)")
    check("not the preset configs/bandit/paper_fig1.yaml" in log and "SLCB Figure 1 (MODELS" not in log,
          "bandit_fig1: a non-preset run says it is not compared with the paper")
    # the same files, claimed to be the preset (the protocol keys as in configs/bandit/paper_fig1.yaml)
    fake = os.path.join(work, "bandit-preset")
    shutil.rmtree(fake, ignore_errors=True)
    shutil.copytree(run, fake)
    man = manifest(run)
    man["config_file"] = "configs/bandit/paper_fig1.yaml"
    man["config"]["seeds"] = 10
    man["config"]["bandit"].update({"K": 4, "d": 5, "T": 10000, "epochs": 20, "strategy": "gradient",
                                    "features": "paper", "eps": 0.2, "eta": 0.2, "noise_sd": 0.5})
    json.dump(man, open(os.path.join(fake, "manifest.json"), "w"))
    log2 = script("bandit_fig1.py", fake, "--out", os.path.join(work, "bandit-preset-out"))
    man["overrides"] = ["bandit.T=100"]
    json.dump(man, open(os.path.join(fake, "manifest.json"), "w"))
    log3 = script("bandit_fig1.py", fake, "--out", os.path.join(work, "bandit-preset-out"))
    check("SLCB Figure 1 (MODELS" in log2 and "not the preset" not in log2 and "not the preset" in log3,
          "bandit_fig1: the paper's Figure 1 only for the preset (not with a --set of its protocol)")


# ------------------------------------------------------------------ rlhf_table1.py
def rlhf_table(run):
    log = script("rlhf_table1.py", run)
    names = {"naive_mle": "Naive MLEs", "median_mle": "Median of MLEs", "pessimistic_momle": "Pessimistic MoMLEs",
             "maxmin": "MaxMin"}
    pts = points(run)
    want = set()
    for r in rows(run, "rlhf_table.csv"):  # the C side's per-point table (rlhf_finish)
        f = lambda a, b: "%.3f ± %.3f" % (float(r[a]), float(r[b]))
        want.add("| %s | %s | %s | %s | %s | %s | %s |" % (
            label(pts[int(r["point"])], skip=("rlhf.n",)), r["n"], names[r["algorithm"]], r["seeds"],
            f("truthful_mean", "truthful_se"), f("strategic_mean", "strategic_se"),
            f("difference_mean", "difference_se").replace("-0.000", "0.000")))
    got = {l.replace("-0.000", "0.000") for l in log.splitlines() if l.startswith("| ") and "| algorithm |" not in l}
    check(got == want and len(want) == len(rows(run, "rlhf_table.csv")),
          "rlhf_table1 on %s: one row per (point, algorithm) = rlhf_table.csv, labelled, with seeds" % os.path.basename(run))
    check("paper's numbers are not shown" in log and "paper (truthful" not in log,
          "rlhf_table1 on %s: no paper numbers outside the preset, and it says so" % os.path.basename(run))


# ------------------------------------------------------------------ rlhf_figure.py
def rlhf_figure(work, run):
    out = os.path.join(work, "figure-" + os.path.basename(run))
    script("rlhf_figure.py", run, "--out", out, "--data")
    d = json.load(open(os.path.join(out, "rlhf_figure.json")))
    runs, pts = rows(run, "rlhf_runs.csv"), points(run)
    rests = []
    for vals in pts.values():
        r = {k: v for k, v in vals.items() if k != "rlhf.n"}
        if r not in rests:
            rests.append(r)
    good = [r["point_values"] for r in d["rows"]] == rests
    for prow in d["rows"]:
        ps = [p for p, v in pts.items() if all(v[k] == x for k, x in prow["point_values"].items())]
        for s in prow["subopt"]:
            for n, m, se, c in zip(s["n"], s["mean"], s["se"], s["seeds"]):
                p = [q for q in ps if pts[q].get("rlhf.n", n) == n]
                v = [r["subopt"] for r in runs if int(r["point"]) in p and int(r["n"]) == n
                     and r["algorithm"] == s["algorithm"] and r["condition"] == s["condition"]]
                m2, se2, c2 = mse(v)
                good &= len(p) == 1 and c == c2 == 2 and close(m, m2) and close(se, se2)
    check(good, "rlhf_figure on %s: one row of panels per value of the swept key other than n (%d), series = "
          "the points' rows (mean, s.e., 2 seeds)" % (os.path.basename(run), len(rests)))


def refusals(run_a, run_b):
    log = script("rlhf_study.py", run_a, run_b, "--out", "/nonexistent-never-written", expect=1)
    check("expected no key besides rlhf.n" in log, "rlhf_study: a base run with a sweep besides n is refused, not pooled")
    log = script("tour.py", run_b, run_b, run_b, expect=1)
    check("which the tour would pool" in log, "tour: a run with another sweep is refused, not pooled")


def pieces(work, piece):
    """A sweep array's parent directory is named as such (with the collect command), never a
    traceback; one piece is labelled with its point's swept values."""
    parent = os.path.join(work, "array")
    shutil.rmtree(parent, ignore_errors=True)
    shutil.copytree(piece, os.path.join(parent, "point-%d" % manifest(piece)["sweep_index"]))
    good = True
    for name in ("facility_summary.py", "bandit_fig1.py", "rlhf_table1.py", "rlhf_figure.py"):
        log = script(name, parent, expect=1)
        good &= "gather them first" in log and "stratsim collect" in log and "Traceback" not in log
    log = script("rlhf_study.py", parent, parent, expect=1)
    good &= "gather them first" in log
    check(good, "analysis scripts on a sweep array's parent directory: point to stratsim collect, no traceback")
    idx = manifest(piece)["sweep_index"]
    log = script("bandit_fig1.py", piece, "--out", os.path.join(work, "piece"))
    lab = label(points(piece)[idx], skip=("bandit.mechanism",))
    check(("\n%s\n" % lab) in log, "bandit_fig1 on a --sweep-index piece: labelled with its point (%s)" % lab)


def main(argv):
    if len(argv) != 7:
        sys.exit(__doc__)
    work, fac, ban, rl, mdp, piece = argv[1:]
    os.makedirs(work, exist_ok=True)
    facility(work, fac)
    bandit(work, ban)
    rlhf_table(rl)
    rlhf_table(mdp)
    rlhf_figure(work, rl)
    rlhf_figure(work, mdp)
    refusals(mdp, rl)
    pieces(work, piece)
    print("%d error%s" % (len(errors), "" if len(errors) == 1 else "s"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

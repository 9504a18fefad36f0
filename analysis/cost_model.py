#!/usr/bin/python3
"""Latency-bandwidth (alpha-beta) cost model of stratsim's communication (docs/scaling.md).

Usage: $PYTHON analysis/cost_model.py CALIBRATION_CSV STUDY_DIR... [--out DIR] [--cores C]

1. Calibration: from CALIBRATION_CSV (bin/bench_comm: allreduce of 8 B .. 2 MiB, per ranks x
   nodes layout) one (alpha, beta) per layout: alpha = median time of the allreduces up to
   4 KiB / ceil(lg P); beta = the 2 MiB allreduce's time beyond 2 lg P alpha, over
   2 (P-1)/P x 2 MiB (Rabenseifner). Per-size times jump 10x with the scheduler on the
   emulated cluster, so no least-squares line is fitted.
2. For each STUDY_DIR (a jobs/scaling.sh strong study: n<N>-r<R>-<repeat>/manifest.json),
   each phase's compute time is its median time on 1 rank, and
   - model check (DIR/model_check.csv, DIR/model_accuracy.csv): at every measured point
     with R > 1 whose layout (R ranks, N nodes) was calibrated, the model's phase time =
     compute / min(R, C) + the sum over the verbs counted at that point (manifest
     "communication": calls and bytes per call per rank, max over ranks) of calls x cost
     with that layout's alpha/beta; beside the measured phase time (median of repeats) and
     the measured seconds inside MPI. C (--cores) is the cores the ranks really share
     (the emulated cluster: 2); default: no limit.
   - projection (DIR/projection.csv) to 16, 64, 256 and 1024 nodes, one rank per node, with
     InfiniBand HDR figures (alpha 1.5 us, 25 GB/s), counts from the 2 nodes x 1 rank run:
     calls per rank do not depend on P; bytes per call do not either, except for allgathers
     and gathers (a fixed total over P ranks: per rank x 2/P) and the MDP's ghost exchange
     (uniform random successors: a rank's S/P states reference S (1 - exp(-A b / P))
     distinct states, (P-1)/P of them remote, from min(P-1, ghosts) partners).
3. The large benchmarks (BENCHMARKS below: sizes and 1-rank compute times from
   docs/performance.md, counts from the algorithms, checked against the counted presets)
   are projected the same way (projection.csv rows with study "bench:...").
For every projected phase: compute_s, comm_s, whether communication dominates, and the
problem size per rank below which it does (comm split into a part independent of the
problem, c0, and one proportional to it, c1 (bytes of allgathers, gathers and ghost
exchanges; all of the calls in CALLS_GROW): compute k f / P = c0 + c1 f at problem f, so
communication dominates below f/P = c0 / (k - P c1) of the study's problem per rank, or at
any size when k <= P c1). Prints, per study, the phase that stops scaling first.
Collectives (Thakur, Rabenseifner and Gropp, IJHPCA 2005; Open MPI's tuned component picks
the cheaper of the two): allreduce min(lg P (a + m b), 2 lg P a + 2 (P-1)/P m b); bcast
min(lg P (a + m b), (lg P + P - 1) a + 2 (P-1)/P m b); allgather ring (P-1)(a + m b);
gather lg P a + M b (M the total); point to point a + m b; neighbor (PETSc VecScatter)
partners x a + m b (m: bytes received); barrier lg P a; communicator creation 2 lg P a.
Uses only the standard library.
"""
import csv
import glob
import json
import math
import os
import re
import statistics
import sys

HDR_ALPHA, HDR_BETA = 1.5e-6, 1.0 / 25e9  # InfiniBand HDR: ~1-2 us MPI latency, 200 Gb/s = 25 GB/s
NODES = [16, 64, 256, 1024]
SCALES_WITH_PROBLEM = ("allgather", "gather", "neighbor")
# Verbs whose number of calls grows with the problem (best-response dynamics: one move per
# agent and round, each a min and a max allreduce).
CALLS_GROW = {("facility_dynamics", "min_i64"), ("facility_dynamics", "max_double")}

# The large benchmarks: (phase, 1-rank compute seconds, [(kind, calls, bytes per call at 2
# ranks, ghost law)]), per run. Sources: docs/performance.md (quiet-machine or CPU figures).
MDP_S, MDP_A, MDP_B, MDP_D, MDP_H, MDP_PASSES = 10 ** 6, 10, 4, 32, 10, 150
BENCHMARKS = {
    # bench_mdp solve -S 1e6 -A 10 -H 10 -d 32 -b 4: 6.2 s per pricing pass on 2 ranks
    # (12.4 s on 1), ~150 passes to a certified 1e-6 gap (156 measured at S = 1e5). Per pass:
    # H-1 successor scatters (8 B per remote ghost state), H-1 (occupancy, action) scatters (16 B),
    # one allgather of 1 + d doubles per chunk of 16 states, one agreement.
    "bench:mdp S=1e6 A=10 H=10 d=32 b=4": ("states per rank", MDP_S, [
        ("rlhf.policy", 12.4 * MDP_PASSES, [
            ("neighbor", (MDP_H - 1) * MDP_PASSES, 8.0, "mdp"),
            ("neighbor", (MDP_H - 1) * MDP_PASSES, 16.0, "mdp"),
            ("allgather", MDP_PASSES, MDP_S / 16 * (1 + MDP_D) * 8 / 2, None),
            ("allreduce", MDP_PASSES, 8, None)])]),
    # bench_rlhf labelers with k = 1e5, n = 1000, d = 32: the MLE took 0.55-0.65 ms CPU per
    # labeler with Tao (issue 14, session 8; the model keeps that calibration, an upper bound
    # since the Newton solver of session 9 takes about 0.2 ms); the estimates (theta, lo, hi, 2 gradient norms: 3d + 2 doubles per
    # labeler) are allgathered once; the box median over k labelers is a radix selection
    # (5 passes, an allreduce of 256 x d x 2 int64 each).
    "bench:rlhf k=1e5 n=1000 d=32 (box)": ("labelers per rank", 10 ** 5, [
        ("rlhf.estimate", 0.6e-3 * 10 ** 5, [("allgather", 1, 10 ** 5 * (3 * 32 + 2) * 8 / 2, None)]),
        ("rlhf.aggregate", 0.1, [("allreduce", 5, 256 * 32 * 2 * 8, None)])]),
    # the same with pessimistic_sw / maxmin, which also replicate each labeler's d x d precision
    "bench:rlhf k=1e5 n=1000 d=32 (pessimistic_sw)": ("labelers per rank", 10 ** 5, [
        ("rlhf.estimate", 0.6e-3 * 10 ** 5, [("allgather", 1, 10 ** 5 * (3 * 32 + 2 + 32 * 32) * 8 / 2, None)])]),
    # bench_bandit scaling: OptGTM K = 1e4 arms, d = 32, T = 300: 2.108 s on 1 rank (best of 3,
    # quiet); one 24-byte argmax_max allreduce per round.
    "bench:bandit K=1e4 d=32 T=300": ("arms per rank", 10 ** 4, [
        ("bandit_rollouts", 2.108, [("allreduce", 300, 24, None)])]),
    # configs/demo.yaml with 1 000 001 agents, 1 seed: dynamics 5.49 s on 2 ranks (~11 s on 1),
    # 1 000 294 moves, each an 8-byte min and a 32-byte max allreduce (as counted at 20 001).
    "bench:facility agents=1e6": ("agents per rank", 10 ** 6, [
        ("facility_dynamics", 11.0, [("allreduce", 1000294, 8, "calls"), ("allreduce", 1000294, 32, "calls")])]),
    # bench_median -k 1e6 -d 32 (regenerating source): 5 passes, 4.39 x 5/8 s on 2 ranks
    # (~5.5 s on 1), one allreduce of 256 x d x 2 int64 (128 KiB) per pass.
    "bench:median k=1e6 d=32": ("values per rank", 10 ** 6, [
        ("median", 5.5, [("allreduce", 5, 256 * 32 * 2 * 8, None)])]),
}


def calibrate(path):
    """{(ranks, nodes): (alpha, beta)} from bench_comm's allreduce rows."""
    by = {}
    for r in csv.DictReader(open(path)):
        if r["kind"] == "allreduce":
            by.setdefault((int(r["ranks"]), int(r["nodes"])), []).append((float(r["bytes"]), float(r["seconds"])))
    out = {}
    for (p, n), pts in by.items():
        lg = max(math.ceil(math.log2(p)), 1)
        pts.sort()
        small = [t for m, t in pts if m <= 4096]
        alpha = statistics.median(small) / lg
        big_m, big_t = pts[-1]
        out[(p, n)] = (alpha, max(big_t - 2 * lg * alpha, 0.0) / (2 * (p - 1) / p * big_m))
    if (2, 2) not in out:
        sys.exit("cost_model.py: %s has no 2-node x 1-rank rows" % path)
    return out


def cost(kind, p, calls, m, total, a, b, partners=None):
    """Seconds for `calls` calls of a verb of this kind with m bytes per call on p ranks."""
    if p <= 1 or calls == 0:
        return 0.0
    lg = math.ceil(math.log2(p))
    if kind == "allreduce":
        one = min(lg * (a + m * b), 2 * lg * a + 2 * (p - 1) / p * m * b)
    elif kind == "bcast":
        one = min(lg * (a + m * b), (lg + p - 1) * a + 2 * (p - 1) / p * m * b)
    elif kind == "allgather":
        one = (p - 1) * (a + m * b)
    elif kind == "gather":
        return calls * lg * a + total * b
    elif kind == "p2p":
        one = a + m * b
    elif kind == "neighbor":
        one = (p - 1 if partners is None else partners) * a + m * b
    elif kind == "barrier":
        one = lg * a
    else:  # comm_create
        one = 2 * lg * a
    return calls * one


def ghosts(p, reach):
    """Remote ghost states per rank (in units of S) with uniform successors: reach = A b."""
    return (1 - math.exp(-reach / p)) * (p - 1) / p


def verbs_at(manifest):
    """phase -> [(kind, calls, bytes per call, total bytes)] counted in one run."""
    return {ph: [(v["kind"], v["calls_max"], v["bytes_max"] / max(v["calls_max"], 1), v["bytes_total"], name)
                 for name, v in verbs.items()] for ph, verbs in (manifest.get("communication") or {}).items()}


def config_int(run_dir, key, default):
    """A `key: value` integer from the run's config.yaml (A and b of an MDP), else default."""
    try:
        m = re.search(r"^\s*%s:\s*(\d+)\s*$" % key, open(os.path.join(run_dir, "config.yaml")).read(), re.M)
        return int(m.group(1)) if m else default
    except OSError:
        return default


def runs(study, nodes, ranks):
    paths = sorted(glob.glob(os.path.join(study, "n%d-r%d-*" % (nodes, ranks), "manifest.json")))
    return [(os.path.dirname(p), json.load(open(p))) for p in paths]


def check_study(name, study, comp, calib, cores, rows):
    phases = [ph for ph in comp if ph not in ("tasks",)]
    for path in sorted(glob.glob(os.path.join(study, "n*-r*-1"))):
        n, r = map(int, re.match(r"n(\d+)-r(\d+)-", os.path.basename(path)).groups())
        if r == 1 or (r, n) not in calib:
            continue
        a, b = calib[(r, n)]
        ms = runs(study, n, r)
        eff = min(r, cores) if cores else r
        counted = verbs_at(ms[0][1])
        for ph in phases + ["total"]:
            if ph == "total":
                measured = statistics.median(m["wall_seconds"] for _, m in ms)
                t1 = statistics.median(m["wall_seconds"] for _, m in runs(study, 1, 1))
                serial = max(t1 - sum(comp[q] for q in phases if q != "collect"), 0)
                mc = sum(cost(k, r, c, mb, tot, a, b) for q in counted for k, c, mb, tot, _ in counted[q])
                model = serial + sum(comp[q] for q in phases if q != "collect") / eff + mc
                mcomm = statistics.median(sum(v["seconds_mean"] for q in (m.get("communication") or {}).values()
                                              for v in q.values()) for _, m in ms)
            else:
                have = [m for _, m in ms if ph in m["phases"]]
                if not have:
                    continue
                measured = statistics.median(m["phases"][ph]["max"] for m in have)
                mc = sum(cost(k, r, c, mb, tot, a, b) for k, c, mb, tot, _ in counted.get(ph, []))
                model = comp[ph] / eff + mc
                mcomm = statistics.median(sum(v["seconds_mean"] for v in (m.get("communication") or {}).get(ph, {}).values())
                                          for m in have)
            over = int(r > cores) if cores else 0
            rows.append([name, n, r, over, ph, "%.4g" % measured, "%.4g" % model,
                         "%.2f" % (model / measured) if measured else "nan", "%.4g" % mcomm, "%.4g" % mc])


def project(name, unit, size, phases, rows):
    """phases: [(phase, compute on 1 rank, [(kind, calls, bytes per call at 2 ranks, law, partners law)])]."""
    first_dom = first_stop = None
    total_comp = sum(c for _, c, _ in phases) or 1.0
    for ph, k, verbs in phases:
        prev = None
        for p in [2] + NODES:
            c0 = c1 = 0.0
            for kind, calls, m2, law in verbs:
                m, partners = m2, None
                if isinstance(law, tuple) and law[0] == "mdp":
                    g = ghosts(p, law[1])
                    m = m2 * g / ghosts(2, law[1])
                    partners = min(p - 1, law[2] * g) if len(law) > 2 else None
                elif kind in ("allgather", "gather"):
                    m = m2 * 2 / p
                lat = cost(kind, p, calls, 0, 0, HDR_ALPHA, 0, partners)
                full = cost(kind, p, calls, m, m * p, HDR_ALPHA, HDR_BETA, partners)
                if law == "calls":
                    c1 += full
                elif kind in SCALES_WITH_PROBLEM:
                    c0, c1 = c0 + lat, c1 + full - lat
                else:
                    c0 += full
            tc, tm = k / p, c0 + c1
            if p in NODES:
                cross = c0 / (k - p * c1) if k > p * c1 else float("inf")
                rows.append([name, ph, p, "%.4g" % tc, "%.4g" % tm, "%.4g" % (tc + tm), "yes" if tm > tc else "no",
                             "%.3g" % cross if cross != float("inf") else "any",
                             "%.3g" % (cross * size) if size and cross != float("inf") else "", unit])
                if k >= 0.01 * total_comp and tm > tc and (first_dom is None or p < first_dom[1]):
                    first_dom = (ph, p)
            if prev is not None and tc + tm >= prev and k >= 0.01 * total_comp and (first_stop is None or p < first_stop[1]):
                first_stop = (ph, p)
            prev = tc + tm
    print("%s: communication dominates first in %s; first phase to stop getting faster: %s" % (
        name, "%s (at %d nodes)" % first_dom if first_dom else "no phase up to 1024 nodes",
        "%s (at %d nodes)" % first_stop if first_stop else "none up to 1024 nodes"))


def study_phases(study):
    one, two = runs(study, 1, 1), runs(study, 2, 2)
    if not one or not two:
        sys.exit("cost_model.py: %s needs n1-r1-* and n2-r2-* runs" % study)
    comp = {ph: statistics.median(m["phases"][ph]["max"] for _, m in one) for ph in one[0][1]["phases"]}
    reach = config_int(two[0][0], "actions", 10) * config_int(two[0][0], "successors", 4)
    counted = verbs_at(two[0][1])
    phases = []
    for ph in comp:
        if ph in ("tasks", "collect"):
            continue
        verbs = [(k, c, mb, ("mdp", reach) if k == "neighbor" else "calls" if (ph, verb) in CALLS_GROW else None)
                 for k, c, mb, _, verb in counted.get(ph, [])]
        phases.append((ph, comp[ph], verbs))
    return comp, counted, phases


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def accuracy(check):
    """Per layout: median, min and max of model/measured over the phases of >= 10 ms."""
    out = []
    for key in sorted({(r[1], r[2]) for r in check}):
        for what in ("phases", "total"):
            ratios = [float(r[7]) for r in check if (r[1], r[2]) == key and (r[4] == "total") == (what == "total")
                      and float(r[5]) >= 0.01 and r[7] != "nan"]
            if ratios:
                out.append([key[0], key[1], what, len(ratios), "%.2f" % statistics.median(ratios),
                            "%.2f" % min(ratios), "%.2f" % max(ratios)])
    return out


def main(argv):
    args, out, cores = [], None, 0
    i = 1
    while i < len(argv):
        if argv[i] in ("--out", "--cores"):
            out, cores = (argv[i + 1], cores) if argv[i] == "--out" else (out, int(argv[i + 1]))
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) < 2:
        sys.exit(__doc__)
    out = out or os.path.dirname(os.path.abspath(args[0]))
    os.makedirs(out, exist_ok=True)
    calib = calibrate(args[0])
    for (p, n), (a, b) in sorted(calib.items()):
        print("calibrated %d ranks on %d node(s): alpha = %.1f us, beta = %.3g s/B (%.2f GB/s)" % (
            p, n, a * 1e6, b, 1e-9 / b if b else float("inf")))
    check, proj, counts = [], [], []
    for study in args[1:]:
        name = os.path.basename(os.path.normpath(study))
        comp, counted, phases = study_phases(study)
        for ph, verbs in counted.items():
            for verb, v in runs(study, 2, 2)[0][1]["communication"][ph].items():
                counts.append([name, ph, verb, v["kind"], v["calls_max"], "%.0f" % (v["bytes_max"] / max(v["calls_max"], 1)),
                               v["bytes_total"]])
        check_study(name, study, comp, calib, cores, check)
        project(name, "", 0, phases, proj)
    for name, (unit, size, phases) in BENCHMARKS.items():
        reach = MDP_A * MDP_B  # "mdp" rows give bytes per remote ghost state
        bench = [(ph, k, [(kind, c, m * MDP_S * ghosts(2, reach), ("mdp", reach, MDP_S)) if law == "mdp"
                          else (kind, c, m, law) for kind, c, m, law in verbs]) for ph, k, verbs in phases]
        project(name, unit, size, bench, proj)
    acc = accuracy(check)
    for row in acc:
        print("model/measured on %d node(s) x %d ranks (%s, %d values): median %s, range %s-%s" % tuple(row))
    write(os.path.join(out, "model_check.csv"), ["study", "nodes", "ranks", "oversubscribed", "phase", "measured_s",
          "model_s", "model_over_measured", "measured_comm_s", "model_comm_s"], check)
    write(os.path.join(out, "model_accuracy.csv"), ["nodes", "ranks", "rows", "values", "median_ratio",
          "min_ratio", "max_ratio"], acc)
    write(os.path.join(out, "projection.csv"), ["study", "phase", "nodes", "compute_s", "comm_s", "total_s",
          "comm_dominates", "comm_dominates_below_problem_per_rank", "in_units", "unit"], proj)
    write(os.path.join(out, "comm_counts.csv"), ["study", "phase", "verb", "kind", "calls_per_rank",
          "bytes_per_call", "bytes_all_ranks"], counts)
    print("cost_model.py: wrote %s/model_check.csv, model_accuracy.csv, projection.csv, comm_counts.csv" % out,
          file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)

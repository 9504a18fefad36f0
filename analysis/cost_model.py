#!/usr/bin/python3
"""Latency-bandwidth (alpha-beta) cost model of stratsim's communication (docs/scaling.md).

Usage: $PYTHON analysis/cost_model.py CALIBRATION_CSV STUDY_DIR... [--out DIR]

1. Fits alpha (s) and beta (s/byte) of the emulated nodes' network from CALIBRATION_CSV
   (bin/bench_comm on 2 nodes x 1 rank: allreduce of 8 B .. 2 MiB, one step each): alpha is
   the median time of the messages up to 4 KiB, beta the 2 MiB message's time beyond alpha.
2. For each STUDY_DIR (a jobs/scaling.sh output of a strong study, with n1-r1-* and n2-r*-*
   run dirs), takes each phase's compute time from the 1-rank run and its communication
   (calls and bytes per call, per verb) from the 2-node runs, and
   - checks the model against the measured 2-node times (2 and 4 ranks) with the calibrated
     alpha/beta: DIR/model_check.csv;
   - projects each phase's time per run to 16, 64, 256 and 1024 nodes (one rank per node)
     with the network figures of InfiniBand HDR (alpha 1.5 us, 25 GB/s): DIR/projection.csv,
     naming the phase that stops scaling first and, per phase, the problem size per rank
     below which communication dominates (in units of the study's 1-rank problem);
   - lists the communication per phase and MPI operation kind (2 nodes x 1 rank):
     DIR/comm_counts.csv.
Collective algorithms (Thakur, Rabenseifner and Gropp 2005; Open MPI's tuned defaults pick the
cheaper of the two for the message size): allreduce min(recursive doubling lg P (a + m b),
Rabenseifner 2 lg P a + 2 (P-1)/P m b); bcast min(binomial lg P (a + m b), scatter-allgather
(lg P + P - 1) a + 2 (P-1)/P m b); allgather ring (P-1)(a + m b); gather lg P a + M b with M
the total gathered; point to point a + m b; barrier lg P a; communicator creation
2 lg P a (an allgather of keys). Uses only the standard library.
"""
import csv
import glob
import json
import math
import os
import statistics
import sys

HDR_ALPHA, HDR_BETA = 1.5e-6, 1.0 / 25e9  # InfiniBand HDR: ~1-2 us MPI latency, 200 Gb/s = 25 GB/s
NODES = [16, 64, 256, 1024]


def fit(rows):
    """Least squares t = a + b m over (m, t)."""
    n = len(rows)
    mx = sum(m for m, _ in rows) / n
    my = sum(t for _, t in rows) / n
    sxx = sum((m - mx) ** 2 for m, _ in rows)
    b = sum((m - mx) * (t - my) for m, t in rows) / sxx if sxx else 0.0
    return max(my - b * mx, 0.0), max(b, 0.0)


def calibrate(path):
    rows = [r for r in csv.DictReader(open(path)) if r["ranks"] == "2" and r["nodes"] == "2"]
    if not rows:
        sys.exit("cost_model.py: %s has no 2-node x 1-rank rows" % path)
    pts = sorted((float(r["bytes"]), float(r["seconds"])) for r in rows if r["kind"] == "allreduce")
    # The emulated nodes share a loaded 2-core machine: per-size times jump by 10x with the
    # scheduler, so a least-squares line is meaningless. alpha: the median over the
    # latency-bound sizes (<= 4 KiB); beta: the largest message's time beyond alpha.
    small = [t for m, t in pts if m <= 4096]
    alpha = statistics.median(small) if small else fit(pts)[0]
    big_m, big_t = pts[-1]
    return alpha, max(big_t - alpha, 0.0) / big_m


def cost(kind, p, calls, m, total, a, b):
    """Seconds for `calls` calls of a verb of this kind with m bytes per call on p ranks."""
    if p <= 1 or calls == 0:
        return 0.0
    lg = math.ceil(math.log2(p))
    if kind in ("allreduce",):
        one = min(lg * (a + m * b), 2 * lg * a + 2 * (p - 1) / p * m * b)
    elif kind == "bcast":
        one = min(lg * (a + m * b), (lg + p - 1) * a + 2 * (p - 1) / p * m * b)
    elif kind == "allgather":
        one = (p - 1) * (a + m * b)
    elif kind == "gather":
        return calls * lg * a + total * b
    elif kind == "p2p":
        one = a + m * b
    elif kind == "barrier":
        one = lg * a
    else:  # comm_create
        one = 2 * lg * a
    return calls * one


def manifests(pattern):
    return [json.load(open(f)) for f in sorted(glob.glob(pattern))]


def phase_model(study):
    """phase -> (compute seconds on 1 rank, [(kind, calls, bytes per call, total bytes)])."""
    one = manifests(os.path.join(study, "n1-r1-*", "manifest.json"))
    two = manifests(os.path.join(study, "n2-r2-*", "manifest.json"))
    if not one or not two:
        sys.exit("cost_model.py: %s needs n1-r1-* and n2-r2-* runs" % study)
    comp = {ph: statistics.median(m["phases"][ph]["max"] for m in one) for ph in one[0]["phases"]}
    comm = {}
    for ph, verbs in two[0]["communication"].items():
        comm[ph] = [(v["kind"], v["calls_max"], v["bytes_max"] / max(v["calls_max"], 1), v["bytes_total"], verb)
                    for verb, v in verbs.items()]
    return comp, comm


def predict(comp, comm, phase, p, a, b):
    c = sum(cost(k, p, n, m, tot, a, b) for k, n, m, tot, _ in comm.get(phase, []))
    return comp.get(phase, 0.0) / p, c


def main(argv):
    args = [x for x in argv[1:] if not x.startswith("--")]
    out = argv[argv.index("--out") + 1] if "--out" in argv else None
    if out:
        args.remove(out)
    if len(args) < 2:
        sys.exit(__doc__)
    out = out or os.path.dirname(os.path.abspath(args[0]))
    a, b = calibrate(args[0])
    print("calibrated on the emulated nodes: alpha = %.1f us, beta = %.3g s/B (%.2f GB/s)" % (a * 1e6, b, 1e-9 / b if b else float("inf")))
    check_rows, proj_rows, comm_rows = [], [], []
    for study in args[1:]:
        name = os.path.basename(os.path.normpath(study))
        comp, comm = phase_model(study)
        for ph, verbs in comm.items():
            for kind, calls, per_call, total, verb in verbs:
                comm_rows.append([name, ph, verb, kind, calls, "%.0f" % per_call, total])
        phases = [ph for ph in comp if ph not in ("tasks",)]
        for r in (2, 4):
            runs = manifests(os.path.join(study, "n2-r%d-*" % r, "manifest.json"))
            if not runs:
                continue
            for ph in phases + ["total"]:
                if ph == "total":
                    measured = statistics.median(m["wall_seconds"] for m in runs)
                    tc = sum(predict(comp, comm, q, r, a, b)[0] for q in phases if q != "collect")
                    tm = sum(predict(comp, comm, q, r, a, b)[1] for q in list(comm))
                    t1 = statistics.median(m["wall_seconds"] for m in manifests(os.path.join(study, "n1-r1-*", "manifest.json")))
                    pred = tc + tm + max(t1 - sum(comp[q] for q in phases if q != "collect"), 0)
                else:
                    measured = statistics.median(m["phases"][ph]["max"] for m in runs if ph in m["phases"])
                    pred = sum(predict(comp, comm, ph, r, a, b))
                check_rows.append([name, 2, r, ph, "%.4g" % measured, "%.4g" % pred,
                                   "%.2f" % (pred / measured if measured else float("nan"))])
        first = None
        for ph in phases:
            prev = None
            for n in [2] + NODES:
                tc, tm = predict(comp, comm, ph, n, HDR_ALPHA, HDR_BETA)
                t = tc + tm
                if n in NODES:
                    # problem per rank (fraction of the 1-rank problem) at which compute = comm
                    cross = tm / comp[ph] if comp.get(ph) else float("nan")
                    proj_rows.append([name, ph, n, "%.4g" % tc, "%.4g" % tm, "%.4g" % t,
                                      "%.3g" % cross, "yes" if tm > tc else "no"])
                if prev is not None and t >= prev and (first is None or n < first[1]):
                    first = (ph, n)
                prev = t
        print("%s: phase that stops scaling first on InfiniBand HDR: %s" % (
            name, "%s (at %d nodes)" % first if first else "none up to 1024 nodes"))
    with open(os.path.join(out, "model_check.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["study", "nodes", "ranks", "phase", "measured_s", "model_s", "model_over_measured"])
        w.writerows(check_rows)
    with open(os.path.join(out, "projection.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["study", "phase", "nodes", "compute_s", "comm_s", "total_s", "crossover_problem_per_rank", "comm_dominates"])
        w.writerows(proj_rows)
    with open(os.path.join(out, "comm_counts.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["study", "phase", "verb", "kind", "calls_per_rank", "bytes_per_call", "bytes_all_ranks"])
        w.writerows(comm_rows)
    print("cost_model.py: wrote %s/model_check.csv, projection.csv, comm_counts.csv" % out, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""Scaling study: speedup and efficiency with the ideal line, and a per-phase breakdown.

Usage: $PYTHON analysis/scaling.py SCALING_CSV... [--out DIR] [--no-plot]

Reads the tidy CSV(s) written by jobs/scaling.sh (one row per run and phase). For every
(study, mode, nodes, ranks) it takes the median and the best (minimum) over repeats of the
wall time and of each phase, and writes DIR/scaling_summary.csv (default DIR: the first
CSV's folder) with columns
  study,mode,nodes,ranks,ranks_per_node,oversubscribed,size,phase,repeats,median_s,best_s,
  speedup,efficiency,comm_seconds,comm_share,comm_calls,comm_bytes
where, against the 1-rank run on 1 node (median), strong scaling has
speedup = t1/tN and efficiency = t1/(N tN), and weak scaling efficiency = t1/tN (speedup
then is N t1/tN, the scaled speedup). comm_share = comm_seconds / median_s (time inside MPI,
including waiting for slower ranks). It draws DIR/scaling.png (speedup and efficiency of the
wall time per node count, ideal line dashed, oversubscribed points hollow) and
DIR/scaling_phases.png (median seconds per phase at each point, stacked). Prints the
summary of the wall time as a Markdown table.

The plots need matplotlib (Debian: python3-matplotlib, under /usr/bin/python3); without it,
--no-plot still writes the CSV and the table. The Makefile and the job scripts take the
interpreter from PYTHON (default /usr/bin/python3).
"""
import csv
import os
import statistics
import sys
from collections import defaultdict


def read_rows(paths):
    rows = []
    for p in paths:
        with open(p, newline="") as f:
            rows.extend(csv.DictReader(f))
    if not rows:
        sys.exit("scaling.py: no rows in %s" % ", ".join(paths))
    return rows


def summarise(rows):
    """(study, mode, nodes, ranks, phase) -> values over repeats, plus per-point metadata."""
    groups = defaultdict(list)
    meta = {}
    for r in rows:
        key = (r["study"], r["mode"], int(r["nodes"]), int(r["ranks"]), r["phase"])
        groups[key].append(r)
        meta[key[:4]] = r
    out = []
    base = {}
    for key, rs in sorted(groups.items()):
        secs = [float(r["seconds"]) for r in rs]
        comm = statistics.median(float(r["comm_seconds"]) for r in rs)
        out.append({"key": key, "repeats": len(rs), "median_s": statistics.median(secs), "best_s": min(secs),
                    "comm_seconds": comm, "comm_calls": max(int(r["comm_calls"]) for r in rs),
                    "comm_bytes": max(int(r["comm_bytes"]) for r in rs)})
        if key[2] == 1 and key[3] == 1:
            base[(key[0], key[1], key[4])] = statistics.median(secs)
    for s in out:
        study, mode, nodes, ranks, phase = s["key"]
        t1, tn = base.get((study, mode, phase)), s["median_s"]
        s["speedup"] = s["efficiency"] = float("nan")
        if t1 and tn > 0:
            s["efficiency"] = t1 / (ranks * tn) if mode == "strong" else t1 / tn
            s["speedup"] = t1 / tn if mode == "strong" else ranks * t1 / tn
        m = meta[s["key"][:4]]
        s["ranks_per_node"], s["oversubscribed"], s["size"] = m["ranks_per_node"], m["oversubscribed"], m["size"]
        s["comm_share"] = s["comm_seconds"] / tn if tn > 0 else float("nan")
    return out


COLUMNS = ["study", "mode", "nodes", "ranks", "ranks_per_node", "oversubscribed", "size", "phase", "repeats",
           "median_s", "best_s", "speedup", "efficiency", "comm_seconds", "comm_share", "comm_calls", "comm_bytes"]


def write_summary(summary, path):
    with open(path + ".tmp", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        for s in summary:
            study, mode, nodes, ranks, phase = s["key"]
            vals = dict(s, study=study, mode=mode, nodes=nodes, ranks=ranks, phase=phase)
            w.writerow([("%.6g" % vals[c]) if isinstance(vals[c], float) else vals[c] for c in COLUMNS])
    os.replace(path + ".tmp", path)


def print_table(summary):
    print("| study | mode | nodes | ranks | median s | best s | speedup | efficiency | MPI share |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in summary:
        study, mode, nodes, ranks, phase = s["key"]
        if phase != "total":
            continue
        mark = " (oversubscribed)" if s["oversubscribed"] == "1" else ""
        print("| %s | %s | %d | %d%s | %.3f | %.3f | %.2f | %.2f | %.0f%% |" % (
            study, mode, nodes, ranks, mark, s["median_s"], s["best_s"], s["speedup"], s["efficiency"],
            100 * s["comm_share"]))


def plot(summary, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        sys.exit("scaling.py: the plots need matplotlib (%s); Debian: apt-get install python3-matplotlib "
                 "and run with PYTHON=/usr/bin/python3, or pass --no-plot for the CSV and table only" % e)
    total = [s for s in summary if s["key"][4] == "total"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    series = sorted({(s["key"][0], s["key"][1], s["key"][2]) for s in total})
    max_ranks = max(s["key"][3] for s in total)
    for study, mode, nodes in series:
        pts = sorted((s["key"][3], s) for s in total if s["key"][:3] == (study, mode, nodes))
        xs = [p[0] for p in pts]
        label = "%s %s, %d node%s" % (study, mode, nodes, "s" if nodes > 1 else "")
        for ax, metric in ((ax1, "speedup"), (ax2, "efficiency")):
            line, = ax.plot(xs, [p[1][metric] for p in pts], "-", label=label)
            for x, p in pts:
                hollow = p["oversubscribed"] == "1"
                ax.plot([x], [p[metric]], "o", color=line.get_color(), mfc="none" if hollow else line.get_color())
    ideal = sorted({s["key"][3] for s in total} | {1, max_ranks})  # a point per rank count: the axis is log
    ax1.plot(ideal, ideal, "k--", label="ideal")
    ax2.plot(ideal, [1] * len(ideal), "k--", label="ideal")
    ax1.set(xlabel="ranks", ylabel="speedup (weak: scaled)", title="speedup (median of repeats)")
    ax2.set(xlabel="ranks", ylabel="efficiency", title="efficiency", ylim=(0, 1.2))
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "scaling.png"), dpi=120)
    plt.close(fig)

    phases = [s for s in summary if s["key"][4] not in ("total", "tasks")]
    points = sorted({s["key"][:4] for s in phases})
    names = sorted({s["key"][4] for s in phases})
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(points) + 2), 4))
    bottom = [0.0] * len(points)
    for name in names:
        vals = []
        for p in points:
            v = [s["median_s"] for s in phases if s["key"][:4] == p and s["key"][4] == name]
            vals.append(v[0] if v else 0.0)
        ax.bar(range(len(points)), vals, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, vals)]
    ax.set_xticks(range(len(points)))
    ax.set_xticklabels(["%s %s\n%dn x %dr" % (p[0], p[1][0], p[2], p[3]) for p in points], fontsize=7)
    ax.set(ylabel="seconds (max over ranks, median of repeats)", title="time per phase")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(os.path.join(out_dir, "scaling_phases.png"), dpi=120)
    plt.close(fig)


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    out_dir = argv[argv.index("--out") + 1] if "--out" in argv else None
    if out_dir:
        args.remove(out_dir)
    if not args:
        sys.exit(__doc__)
    out_dir = out_dir or os.path.dirname(os.path.abspath(args[0]))
    os.makedirs(out_dir, exist_ok=True)
    summary = summarise(read_rows(args))
    write_summary(summary, os.path.join(out_dir, "scaling_summary.csv"))
    print_table(summary)
    if "--no-plot" not in argv:
        plot(summary, out_dir)
        print("scaling.py: wrote %s/scaling_summary.csv, scaling.png, scaling_phases.png" % out_dir, file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)

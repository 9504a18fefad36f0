#!/usr/bin/python3
"""Prints the SP-RLHF Table 1 layout from a results directory: SubOpt per (sweep point,
algorithm), truthful | strategic | difference (strategic - truthful, paired by seed), mean +-
standard error over seeds, with the seed count. The paper's published numbers are shown only
when the run is the Table 1 preset (configs/rlhf/table1.yaml: d = 16, k = 5, 200 SPSA steps,
all labelers strategic, no --set override except parallel.* and output.*); otherwise the
table says so.
Usage: /usr/bin/python3 analysis/rlhf_table1.py RESULTS_DIR"""
import os
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotkit as pk  # noqa: E402

PAPER = {  # n -> algorithm -> (truthful, strategic), MODELS 1.7
    20: {"naive_mle": (.512, .649), "pessimistic_sw": (.641, .751), "median_mle": (.635, .693), "pessimistic_momle": (.661, .715)},
    50: {"naive_mle": (.384, .622), "pessimistic_sw": (.403, .652), "median_mle": (.516, .706), "pessimistic_momle": (.508, .532)},
    100: {"naive_mle": (.230, .516), "pessimistic_sw": (.249, .584), "median_mle": (.522, .605), "pessimistic_momle": (.506, .574)},
    200: {"naive_mle": (.133, .491), "pessimistic_sw": (.136, .459), "median_mle": (.487, .514), "pessimistic_momle": (.474, .415)},
}


def is_table1_preset(man):
    """The paper's protocol: the Table 1 preset file, unmodified in the protocol's keys."""
    cfg = man.get("config") or {}
    r = cfg.get("rlhf") or {}
    if os.path.basename(man.get("config_file") or "") != "table1.yaml":
        return False
    # --set overrides of anything but the layout and the output make it another experiment
    for o in man.get("overrides") or []:
        if not str(o).split("=", 1)[0].startswith(("parallel.", "output.")):
            return False
    return (r.get("d") == 16 and r.get("k") == 5 and r.get("strategy") == "spsa"
            and (r.get("spsa") or {}).get("steps") == 200 and (r.get("strategic") or {}).get("fraction") == 1
            and r.get("data", "comparisons") == "comparisons")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    run_dir = sys.argv[1]
    man = pk.manifest(run_dir)
    rows = pk.load_table("rlhf_table1", run_dir, man, "rlhf_runs.csv")
    cells = OrderedDict()
    for r in rows:
        key = (r["_point"], int(r["n"]), r["algorithm"])
        cells.setdefault(key, {"values": r["_values"], "seeds": {}})["seeds"].setdefault(r["seed"], {})[r["condition"]] = float(r["subopt"])
    paper = is_table1_preset(man)
    swept_other = any(k != "rlhf.n" for k, _ in pk.sweep_axes(man))
    head = "| %sn | algorithm | seeds | truthful | strategic | difference |%s" % (
        "point | " if swept_other else "", " paper (truthful / strategic) |" if paper else "")
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for (point, n, alg), c in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        pairs = [s for s in c["seeds"].values() if "truthful" in s and "strategic" in s]
        if not pairs:
            continue
        t = pk.mean_se([s["truthful"] for s in pairs])
        s_ = pk.mean_se([s["strategic"] for s in pairs])
        d = pk.mean_se([s["strategic"] - s["truthful"] for s in pairs])
        pre = "%s | " % pk.label_point(c["values"], skip=("rlhf.n",)) if swept_other else ""
        line = "| %s%d | %s | %d | %s | %s | %s |" % (pre, n, pk.name(alg), t[2], pk.fmt_mse(*t[:2]),
                                                     pk.fmt_mse(*s_[:2]), pk.fmt_mse(*d[:2]))
        if paper:
            p = PAPER.get(n, {}).get(alg)
            line += " %s |" % ("%.3f / %.3f" % p if p else "-")
        print(line)
    if not paper:
        print("\n(The paper's numbers are not shown: this run is not the Table 1 preset "
              "configs/rlhf/table1.yaml, so they would not be comparable.)")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Prints the SP-RLHF Table 1 layout from a results directory: SubOpt per (n, algorithm),
truthful | strategic | difference, mean +- standard error over seeds (from rlhf_runs.csv),
with the paper's published numbers alongside.  Usage: analysis/rlhf_table1.py RESULTS_DIR"""
import csv
import sys
from collections import OrderedDict

import numpy as np

PAPER = {  # n -> algorithm -> (truthful, strategic), MODELS 1.7
    20: {"naive_mle": (.512, .649), "pessimistic_sw": (.641, .751), "median_mle": (.635, .693), "pessimistic_momle": (.661, .715)},
    50: {"naive_mle": (.384, .622), "pessimistic_sw": (.403, .652), "median_mle": (.516, .706), "pessimistic_momle": (.508, .532)},
    100: {"naive_mle": (.230, .516), "pessimistic_sw": (.249, .584), "median_mle": (.522, .605), "pessimistic_momle": (.506, .574)},
    200: {"naive_mle": (.133, .491), "pessimistic_sw": (.136, .459), "median_mle": (.487, .514), "pessimistic_momle": (.474, .415)},
}
LABEL = {"naive_mle": "Naive MLEs", "pessimistic_sw": "Pessimistic SW", "median_mle": "Median of MLEs",
         "pessimistic_momle": "Pessimistic MoMLEs", "maxmin": "MaxMin", "oracle": "Oracle"}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = list(csv.DictReader(open(sys.argv[1] + "/rlhf_runs.csv")))
    cells = OrderedDict()
    for r in rows:
        key = (int(r["n"]), r["algorithm"])
        cells.setdefault(key, {}).setdefault(r["seed"], {})[r["condition"]] = float(r["subopt"])
    ns = sorted({k[0] for k in cells})
    algs = list(OrderedDict.fromkeys(k[1] for k in cells))

    def fmt(v):
        v = np.asarray(v, dtype=float)
        se = v.std(ddof=1) / np.sqrt(len(v)) if len(v) > 1 else 0.0
        return "%.3f ± %.3f" % (v.mean(), se)

    print("| n | algorithm | truthful | strategic | difference | paper (truthful / strategic) |")
    print("|---|---|---|---|---|---|")
    for n in ns:
        for a in algs:
            seeds = cells.get((n, a), {})
            t = [s["truthful"] for s in seeds.values() if "truthful" in s and "strategic" in s]
            s_ = [s["strategic"] for s in seeds.values() if "truthful" in s and "strategic" in s]
            if not t:
                continue
            d = np.array(s_) - np.array(t)
            paper = PAPER.get(n, {}).get(a)
            ptxt = "%.3f / %.3f" % paper if paper else "-"
            print("| %d | %s | %s | %s | %s | %s |" % (n, LABEL.get(a, a), fmt(t), fmt(s_), fmt(d), ptxt))


if __name__ == "__main__":
    main()

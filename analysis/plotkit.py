"""Shared helpers of the analysis scripts: reading a run directory, telling sweep points apart,
the one spread statistic (mean +- standard error over seeds), the caption line, and saving a
figure as PNG and PDF (plus, on request, the data behind it as JSON, which the tests check).

Sweep points. Every per-task CSV is grouped by sweep point, never pooled across points:
- a `point` column (the sweep point index) is used when present, with the swept values taken
  from the manifest's `sweep` (the last key varies fastest, as in the driver), typed as in the
  config (the CSV's columns named after the swept keys hold them as text);
- without a `point` column, the columns named after the swept keys' last component (`n` for
  `rlhf.n`, `mechanism` for `bandit.mechanism`) identify the point;
- without either, a run with one sweep point is that point; with several, equal blocks of rows
  in task order are taken as the points if every swept key that has a column agrees (files
  written before the `point` column existed); otherwise the file is refused.
"""
import csv
import hashlib
import itertools
import json
import math
import os
import sys

NAMES = {  # the papers' names
    "optgtm": "OptGTM", "ggtm": "GGTM", "linucb": "LinUCB", "lingreedy": "LinGreedy",
    "uniform": "Uniform", "naive_mle": "Naive MLEs", "pessimistic_sw": "Pessimistic SW",
    "median_mle": "Median of MLEs", "pessimistic_momle": "Pessimistic MoMLEs",
    "maxmin": "MaxMin", "oracle": "Oracle", "mean": "mean", "median": "median",
}
COLORS = {"optgtm": "tab:blue", "linucb": "tab:orange", "uniform": "tab:gray", "ggtm": "tab:green",
          "lingreedy": "tab:red", "naive_mle": "tab:orange", "pessimistic_sw": "tab:red",
          "median_mle": "tab:green", "pessimistic_momle": "tab:blue", "maxmin": "tab:purple",
          "oracle": "black", "mean": "tab:orange", "median": "tab:blue"}


def name(key):
    return NAMES.get(key, key)


def read_csv(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def no_rows(script, run_dir, table):
    """The message for a directory without the table's rows: a sweep array's parent directory
    (point-I/ pieces) is named as such, with the command that gathers it."""
    pieces = sorted(d for d in os.listdir(run_dir) if d.startswith("point-")) if os.path.isdir(run_dir) else []
    if pieces:
        return ("%s: %s holds the pieces of a sweep array (%s), not a run; gather them first:\n"
                "  bin/stratsim collect %s/point-* --out %s/all" % (script, run_dir, ", ".join(pieces), run_dir.rstrip("/"),
                                                                    run_dir.rstrip("/")))
    return "%s: no %s rows in %s" % (script, table, run_dir)


def run_args(argv, doc):
    """(run_dir, out, dump, manifest) of a script called as `script RUN_DIR [--out DIR] [--data]`;
    exits with the script's doc string otherwise."""
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(doc)
    out, dump = out_args(argv, argv[1])
    return argv[1], out, dump, manifest(argv[1])


def load_table(script, run_dir, man, table, required=True):
    """The rows of run_dir/table, each with its sweep point (assign_points). Exits with the
    script's message when the file cannot tell its sweep points apart, or (required) when it
    has no rows."""
    rows = read_csv(os.path.join(run_dir, table))
    if not rows and required:
        sys.exit(no_rows(script, run_dir, table))
    try:
        assign_points(rows, man, table)
    except PointError as err:
        sys.exit("%s: %s" % (script, err))
    return rows


def manifest(run_dir):
    path = os.path.join(run_dir, "manifest.json")
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        return json.load(f)


def sweep_axes(man):
    """[(key, [values...]), ...] in the manifest's order (the last varies fastest)."""
    sw = (man.get("config") or {}).get("sweep") or {}
    return list(sw.items())


def point_values(man, point):
    """The swept values of sweep point `point`: {key: value}."""
    axes = sweep_axes(man)
    vals = {}
    for key, values in reversed(axes):
        vals[key] = values[point % len(values)]
        point //= len(values)
    return dict(reversed(list(vals.items())))


def label_point(values, skip=()):
    return ", ".join("%s = %s" % (k.split(".")[-1], _fmt(v)) for k, v in values.items() if k not in skip)


def _fmt(v):
    """A swept value as in the config: 0.1, optgtm, [naive_mle, median_mle]."""
    if isinstance(v, float):
        return "%g" % v
    if isinstance(v, (list, tuple)):
        return "[%s]" % ", ".join(_fmt(x) for x in v)
    return str(v)


def freeze(v):
    """A swept value usable as a dict key (a swept list becomes a tuple)."""
    return tuple(freeze(x) for x in v) if isinstance(v, (list, tuple)) else v


def rest_key(values, skip=()):
    """The swept values of a point other than the keys in skip, as a hashable key: the points
    with the same rest_key share a table, a file or a row of panels (they differ only in a key
    that has its own column, such as n or mechanism)."""
    return tuple((k, freeze(v)) for k, v in values.items() if k not in skip)


class PointError(ValueError):
    """A file cannot tell several sweep points apart."""


def assign_points(rows, man, what="rows"):
    """Adds r['_point'] (int) and r['_values'] ({key: value}) to every row. Raises PointError
    if the file cannot tell several sweep points apart."""
    axes = sweep_axes(man)
    npoints = max(1, math.prod(len(v) for _, v in axes)) if axes else 1
    if sweep_index(man) is not None:  # a --sweep-index run holds one point
        npoints = 1
    if rows and "point" in rows[0]:
        for r in rows:
            p = int(r["point"])
            r["_point"] = p
            # typed values from the manifest's sweep (a swept list or matrix is a string in the CSV)
            r["_values"] = point_values(man, p) if axes else {}
        return rows
    if npoints == 1:
        vals = point_values(man, sweep_index(man) or 0) if axes else {}
        for r in rows:
            r["_point"] = sweep_index(man) or 0
            r["_values"] = vals
        return rows
    cols = {}
    for key, _ in axes:
        for c in (key, key.split(".")[-1]):
            if rows and c in rows[0]:
                cols[key] = c
                break
        else:
            if by_task_order(rows, man, npoints, cols_for(rows, axes)):
                return rows
            raise PointError("%s: cannot tell the %d sweep points apart (no 'point' column and no column for "
                     "the swept key %s); refusing to pool them" % (what, npoints, key))
    index = {}
    for p, combo in enumerate(itertools.product(*[v for _, v in axes])):
        index[tuple(_fmt(v) for v in combo)] = p
    for r in rows:
        key = tuple(_fmt(_typed(r[cols[k]])) for k, _ in axes)
        p = index.get(key)
        if p is None:
            raise PointError("%s: row does not match any sweep point: %s" % (what, key))
        r["_point"] = p
        r["_values"] = point_values(man, p)
    return rows


def cols_for(rows, axes):
    out = {}
    for key, _ in axes:
        for c in (key, key.split(".")[-1]):
            if rows and c in rows[0]:
                out[key] = c
    return out


def by_task_order(rows, man, npoints, cols):
    """Last resort for files written before the `point` column existed: stratsim writes the
    rows of a table in task order (sweep point, then seed), so equal blocks of rows are the
    points. Accepted only if the block sizes divide evenly and every swept key that has a
    column agrees with its block's point."""
    if not rows or len(rows) % npoints:
        return False
    block = len(rows) // npoints
    for i, r in enumerate(rows):
        vals = point_values(man, i // block)
        for key, c in cols.items():
            if _fmt(_typed(r[c])) != _fmt(vals[key]):
                return False
    for i, r in enumerate(rows):
        r["_point"] = i // block
        r["_values"] = point_values(man, i // block)
    return True


def sweep_index(man):
    return man.get("sweep_index")


def _typed(s):
    try:
        return int(s)
    except (TypeError, ValueError):
        try:
            return float(s)
        except (TypeError, ValueError):
            return s


def mean_se(xs):
    """(mean, standard error, count); se = sample sd / sqrt(count), nan for one value."""
    xs = [float(x) for x in xs]
    n = len(xs)
    if n == 0:
        return float("nan"), float("nan"), 0
    m = sum(xs) / n
    if n < 2:
        return m, float("nan"), n
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return m, math.sqrt(var / n), n


def fmt_mse(m, se, digits=3):
    if math.isnan(se):
        return "%.*f" % (digits, m)
    return "%.*f ± %.*f" % (digits, m, digits, se)


def config_hash(man):
    if man.get("config_hash"):
        return str(man["config_hash"])[:12]
    cfg = man.get("config")
    if cfg is None:
        return "?"
    return "sha256:" + hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:10]


def caption(man, seeds, extra=""):
    """'5 seeds · n = 20..200 · config 1a2b · stratsim 2a86c0e': the line under every figure."""
    parts = ["%s seed%s (mean ± s.e.)" % (seeds, "" if seeds == 1 else "s")]
    if extra:
        parts.append(extra)
    parts.append("config %s" % config_hash(man))
    parts.append("stratsim %s" % man.get("git_describe", "?"))
    return " · ".join(parts)


def out_args(argv, default_dir):
    """--out DIR and --data (also dump the plotted data as JSON) from an argument list."""
    out = default_dir
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
    os.makedirs(out, exist_ok=True)
    return out, "--data" in argv or bool(os.environ.get("STRATSIM_PLOT_DATA"))


def save(fig, base, data=None, dump=False):
    """Writes base.png and base.pdf (and base.json with the plotted data if dump), prints the
    paths, closes the figure."""
    import matplotlib.pyplot as plt
    written = []
    for ext in ("png", "pdf"):
        path = "%s.%s" % (base, ext)
        fig.savefig(path, dpi=130 if ext == "png" else None, bbox_inches="tight")
        written.append(path)
    plt.close(fig)
    if dump and data is not None:
        path = base + ".json"
        with open(path, "w") as f:
            json.dump(data, f, indent=1, default=_json_default)
        written.append(path)
    for p in written:
        print("wrote %s" % p)
    return written


def _json_default(o):
    try:
        return float(o)
    except (TypeError, ValueError):
        return str(o)


def setup_matplotlib():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10, "legend.fontsize": 8,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def add_caption(fig, text):
    fig.text(0.01, -0.01, text, ha="left", va="top", fontsize=7, color="0.35")

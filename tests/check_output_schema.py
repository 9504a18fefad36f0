#!/usr/bin/python3
"""Checks run directories against docs/output.md (the documented schema of every file).

Usage: /usr/bin/python3 tests/check_output_schema.py DOC RUN_DIR... [--summary RUN_DIR=LOG]...

For every run directory (a completed `stratsim run`):
- manifest.json has exactly the documented fields in the documented order, format
  "stratsim-run-1", status "completed", and its "files" list equals the CSV files present;
  config.yaml is there;
- every CSV written is documented for the run's experiment, and every documented file whose
  "written when" condition holds is written (and no other);
- its header is the sweep columns (`point`, then one column per swept key: dotted keys as-is,
  top-level keys as `sweep.<key>`) followed by the documented columns, repeated columns expanded
  with the config's value (`x_{1..rlhf.d}`); every column name is unique;
- every row: the field count, the documented type of each column, `point` in range and in task
  order, the swept keys' values those of the row's point (YAML flow text), every point present,
  the documented row key unique within a point, the seeds those of the point, the `(= key)`
  columns equal to the key's value at the point;
- a shared table is either written once without sweep columns (the row key then unique over the
  whole file: written once, not once per point) or, when its points differ, with them (and then
  not every point's rows are the same).
Then over all runs: every documented file was checked in some run, and every shared table was
seen in both forms. With --summary RUN_DIR=LOG: the console summary LOG of that run has one block
per sweep point, `== sweep point i of N: key=value ... ==`, in order, each saying
"mean +- s.e." with the point's seed count.
Prints one line per check; exits 1 if any failed. Python standard library only."""
import csv
import itertools
import json
import os
import re
import sys

errors = []


def fail(msg):
    errors.append(msg)
    print("FAIL: " + msg)


# ------------------------------------------------------------------ the document
def parse_doc(path):
    text = open(path).read()
    files, manifest_fields = {}, []
    cur = None
    section = None
    for line in text.splitlines():
        m = re.match(r"^### `([A-Za-z0-9_]+)\.csv`\s*$", line)
        if m:
            cur = files.setdefault(m.group(1), {"columns": [], "props": {}})
            section = "csv"
            continue
        if re.match(r"^## `manifest\.json`", line):
            section, cur = "manifest", None
            continue
        if line.startswith("## "):
            section, cur = None, None
            continue
        if section == "csv" and cur is not None:
            m = re.match(r"^- (experiment|written when|rows|sweep columns): (.*)$", line)
            if m:
                cur["props"][m.group(1)] = m.group(2).strip()
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| `") else []
            if cells:
                if len(cells) != 4:
                    fail("docs: %s: a column row needs 4 cells (column, type, unit, meaning): %s" % (line, cells))
                    continue
                eq = re.search(r"\(= `([^`]+)`\)", cells[3])
                cur["columns"].append({"name": cells[0].strip("`"), "type": cells[1], "eq": eq.group(1) if eq else None})
                if cells[1] not in ("int", "real", "text", "0/1"):
                    fail("docs: %s.csv: column %s has type %r (int, real, text or 0/1)" % (name_of(cur, files), cells[0], cells[1]))
        elif section == "manifest":
            m = re.match(r"^\| `([A-Za-z_]+)` \|", line)
            if m:
                manifest_fields.append(m.group(1))
    for name, f in files.items():
        for p in ("experiment", "written when", "rows", "sweep columns"):
            if p not in f["props"]:
                fail("docs: %s.csv has no '- %s:' line" % (name, p))
        if not f["columns"]:
            fail("docs: %s.csv has no column table" % name)
        f["key"] = re.findall(r"`([^`]+)`", f["props"].get("rows", "").split(")")[0])
        f["shared"] = f["props"].get("sweep columns") == "shared"
        if f["props"].get("sweep columns") not in ("always", "shared"):
            fail("docs: %s.csv: sweep columns must be 'always' or 'shared'" % name)
    return files, manifest_fields


def name_of(spec, files):
    return next(n for n, f in files.items() if f is spec)


# ------------------------------------------------------------------ configs and values
def get(cfg, key):
    for part in key.split("."):
        if not isinstance(cfg, dict) or part not in cfg:
            return None
        cfg = cfg[part]
    return cfg


def set_key(cfg, key, value):
    parts = key.split(".")
    for part in parts[:-1]:
        cfg = cfg.setdefault(part, {})
    cfg[parts[-1]] = value


def yaml_text(v):
    """The YAML flow text stratsim writes for a value (shortest round-trip reals)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        for prec in range(1, 18):
            s = "%.*g" % (prec, v)
            if float(s) == v:
                return s
        return s
    if isinstance(v, list):
        return "[" + ", ".join(yaml_text(x) for x in v) + "]"
    if v is None:
        return "~"
    return str(v)


class Run:
    def __init__(self, d):
        self.dir = d
        self.man = json.load(open(os.path.join(d, "manifest.json")))
        self.cfg = self.man["config"]
        self.axes = list((self.cfg.get("sweep") or {}).items())
        self.npoints = 1
        for _, vals in self.axes:
            self.npoints *= len(vals)
        idx = self.man.get("sweep_index")
        self.points = [idx] if idx is not None else list(range(self.npoints))

    def values(self, point):
        """[(key, value)] of a sweep point (the last key varies fastest)."""
        combos = list(itertools.product(*[v for _, v in self.axes]))
        return list(zip([k for k, _ in self.axes], combos[point])) if self.axes else []

    def point_cfg(self, point):
        cfg = json.loads(json.dumps(self.cfg))
        for k, v in self.values(point):
            set_key(cfg, k, v)
        return cfg

    def sweep_header(self):
        return ["point"] + [k if "." in k else "sweep." + k for k, _ in self.axes]


def holds(cond, cfg):
    """Evaluates a 'written when' line: always, or `key op value` clauses joined by 'and'."""
    if cond == "always":
        return True
    ok = True
    for clause in cond.split(" and "):
        m = re.match(r"^`([A-Za-z0-9_.]+) (==|!=|>) ([^`]+)`$", clause.strip())
        if not m:
            fail("docs: cannot read the condition %r" % clause)
            return False
        v, op, want = get(cfg, m.group(1)), m.group(2), m.group(3)
        got = yaml_text(v)
        if op == "==":
            ok &= got == want
        elif op == "!=":
            ok &= got != want
        else:
            ok &= v is not None and float(v) > float(want)
    return bool(ok)


def is_mdp(cfg):
    return get(cfg, "rlhf.horizon") not in (None, 1) or get(cfg, "rlhf.env.model") == "mdp"


# ------------------------------------------------------------------ one file
def expand(cols, cfg):
    out = []
    for c in cols:
        m = re.match(r"^(.*)\{(\d+)\.\.([A-Za-z0-9_.]+)(-1)?\}$", c["name"])
        if not m:
            out.append(c)
            continue
        n = get(cfg, m.group(3))
        lo = int(m.group(2))
        hi = n - 1 if m.group(4) else n
        out += [dict(c, name="%s%d" % (m.group(1), j), eq=None) for j in range(lo, hi + 1)]
    return out


def typed_ok(t, s):
    try:
        if t == "int":
            int(s)
        elif t == "real":
            float(s)
        elif t == "0/1":
            return s in ("0", "1")
        return True
    except ValueError:
        return False


def same_value(text, v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(text) == float(v)
        except ValueError:
            return False
    return text == yaml_text(v)


def header_form(run, spec, header, what):
    """'once' (a shared table without sweep columns), 'per point', or None (a failure)."""
    own = [c["name"] for c in expand(spec["columns"], run.point_cfg(run.points[0]))]
    with_sweep = run.sweep_header() + own
    if len(set(header)) != len(header):
        fail("%s: duplicate column names: %s" % (what, header))
    if spec["shared"] and header == own:
        return "once"
    if header == with_sweep:
        return "per point"
    fail("%s: header\n    %s\n  documented (docs/output.md)\n    %s" % (what, ",".join(header), ",".join(with_sweep)))
    return None


def fields_ok(cols, nsweep, header, body, what):
    """Every row has the header's field count and the documented type in each column."""
    for i, r in enumerate(body):
        if len(r) != len(header):
            return fail("%s:%d: %d fields, header has %d" % (what, i + 2, len(r), len(header))) or False
        for c, s in zip(cols, r[nsweep:]):
            if not typed_ok(c["type"], s):
                return fail("%s:%d: column %s = %r is not of type %s" % (what, i + 2, c["name"], s, c["type"])) or False
    return True


def points_ok(run, nsweep, body, what):
    """`point` of every row is a point of the run, in task order, with that point's swept values;
    every point has rows."""
    last = -1
    for i, r in enumerate(body):
        p = int(r[0]) if re.match(r"^\d+$", r[0]) else None
        if p not in run.points:
            return fail("%s:%d: point %r is not a point of this run" % (what, i + 2, r[0])) or False
        if p < last:
            return fail("%s:%d: point %d after point %d (not in task order)" % (what, i + 2, p, last)) or False
        last = p
        want = [yaml_text(v) for _, v in run.values(p)]
        if r[1:nsweep] != want:
            return fail("%s:%d: swept values %s, point %d has %s" % (what, i + 2, r[1:nsweep], p, want)) or False
    seen = sorted({int(r[0]) for r in body})
    if seen != run.points:
        return fail("%s: rows for points %s, the run has %s" % (what, seen, run.points)) or False
    return True


def point_rows_ok(run, spec, cols, idx, p, rs, what):
    """One point's rows (p None: a shared table written once): the row key unique, the seeds
    those of the point, the (= key) columns equal to the key's value."""
    pcfg = run.point_cfg(p if p is not None else run.points[0])
    keys = [tuple(r[idx[k]] for k in spec["key"]) for r in rs]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        fail("%s: point %s: the row key (%s) repeats: %s" % (what, p, ",".join(spec["key"]), dup))
    if "seed" in idx and p is not None:
        want = {str(pcfg["seed"] + s) for s in range(pcfg["seeds"])}
        got = {r[idx["seed"]] for r in rs}
        if got != want:
            fail("%s: point %s: seeds %s, config says %s" % (what, p, sorted(got), sorted(want)))
    for c in cols:
        if c["eq"] and p is not None:
            v = get(pcfg, c["eq"])
            bad = [r[idx[c["name"]]] for r in rs if not same_value(r[idx[c["name"]]], v)]
            if bad:
                fail("%s: point %s: %s = %s, expected %s (= %s)" % (what, p, c["name"], bad[0], yaml_text(v), c["eq"]))


def check_file(run, name, spec, shared_seen):
    what = "%s/%s.csv" % (os.path.basename(run.dir), name)
    with open(os.path.join(run.dir, name + ".csv"), newline="") as f:
        raw = f.read()
    if not raw.endswith("\n") or "\r" in raw:
        return fail("%s: not newline-terminated lines" % what)
    rows = list(csv.reader(raw.splitlines()))
    header, body = rows[0], rows[1:]
    n0 = len(errors)
    form = header_form(run, spec, header, what)
    if form is None:
        return
    nsweep = 0 if form == "once" else len(run.sweep_header())
    cols = expand(spec["columns"], run.point_cfg(run.points[0]))
    if not fields_ok(cols, nsweep, header, body, what):
        return
    if "no rows for MDPs" in spec["props"]["rows"] and is_mdp(run.point_cfg(run.points[0])):
        if body:
            return fail("%s: documented without rows for MDPs, has %d" % (what, len(body)))
        return print("ok: %s: %d columns, no rows (an MDP, as documented)" % (what, len(header)))
    if not body:
        return fail("%s: no rows" % what)
    if form == "per point" and not points_ok(run, nsweep, body, what):
        return
    by_point = {}
    for r in body:
        by_point.setdefault(int(r[0]) if form == "per point" else None, []).append(r)
    idx = {c: i for i, c in enumerate(header)}
    for p, rs in by_point.items():
        point_rows_ok(run, spec, cols, idx, p, rs, what)
    if spec["shared"]:
        shared_seen.setdefault(name, set()).add(form)
        if form == "per point" and len({tuple(tuple(r[nsweep:]) for r in rs) for rs in by_point.values()}) == 1:
            fail("%s: a shared table with the same rows at every point must be written once" % what)
    if len(errors) == n0:
        print("ok: %s: %d columns (%s sweep columns), %d rows, %d point%s" % (
            what, len(header), "no" if form == "once" else nsweep, len(body),
            len(by_point), "" if len(by_point) == 1 else "s"))


# ------------------------------------------------------------------ one run
def check_run(d, files, manifest_fields, checked, shared_seen):
    run = Run(d)
    man, what = run.man, os.path.basename(d)
    if list(man) != manifest_fields:
        fail("%s/manifest.json: fields\n    %s\n  documented (docs/output.md)\n    %s" % (what, list(man), manifest_fields))
    if man.get("format") != "stratsim-run-1" or man.get("status") != "completed":
        fail("%s/manifest.json: format %r, status %r" % (what, man.get("format"), man.get("status")))
    if not os.path.getsize(os.path.join(d, "config.yaml")):
        fail("%s/config.yaml is empty" % what)
    present = sorted(f for f in os.listdir(d) if f.endswith(".csv"))
    if sorted(man.get("files", [])) != present:
        fail("%s: manifest files %s, directory has %s" % (what, man.get("files"), present))
    exp = man["experiment"]
    cfg0 = run.point_cfg(run.points[0])
    for f in present:
        name = f[:-4]
        spec = files.get(name)
        if spec is None:
            fail("%s/%s is not documented in docs/output.md" % (what, f))
            continue
        if spec["props"].get("experiment") != exp:
            fail("%s/%s: documented for experiment %s, written by %s" % (what, f, spec["props"].get("experiment"), exp))
        check_file(run, name, spec, shared_seen)
        checked.add(name)
    for name, spec in files.items():
        if spec["props"].get("experiment") != exp:
            continue
        want = holds(spec["props"]["written when"], cfg0)
        if want != (name + ".csv" in present):
            fail("%s: %s.csv is %swritten, but docs/output.md says written when %s" % (
                what, name, "" if name + ".csv" in present else "not ", spec["props"]["written when"]))
    return run


def check_summary(run, log):
    text = open(log).read()
    heads = re.findall(r"^== sweep point (\d+) of (\d+): (.*) ==$", text, re.M)
    want = [(str(p), str(run.npoints), " ".join("%s=%s" % (k, yaml_text(v)) for k, v in run.values(p)))
            for p in run.points]
    if run.npoints < 2:
        return fail("summary of %s: not a sweep" % run.dir)
    if heads != want:
        return fail("summary %s: blocks\n    %s\n  expected\n    %s" % (log, heads, want))
    blocks = re.split(r"^== sweep point .* ==$", text, flags=re.M)[1:]
    for (p, _, _), b in zip(heads, blocks):  # the one spread statistic, with the seed count
        seeds = run.point_cfg(int(p))["seeds"]
        if "mean +- s.e." not in b or not re.search(r"\b%d seeds?\b" % seeds, b):
            return fail("summary %s: point %s does not say 'mean +- s.e.' with its %d seeds:\n%s" % (log, p, seeds, b))
    print("ok: summary of %s: %d blocks, one per point, labelled with the swept values, mean +- s.e. over the seeds" % (
        os.path.basename(run.dir), len(heads)))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    summaries = [argv[i + 1] for i, a in enumerate(argv) if a == "--summary"]
    args = [a for a in args if a not in summaries]
    if len(args) < 2:
        sys.exit(__doc__)
    files, manifest_fields = parse_doc(args[0])
    if not files or not manifest_fields:
        fail("docs: no file sections or no manifest table found in %s" % args[0])
    checked, shared_seen, runs = set(), {}, {}
    for d in args[1:]:
        runs[os.path.normpath(d)] = check_run(d, files, manifest_fields, checked, shared_seen)
    for s in summaries:
        d, log = s.split("=", 1)
        check_summary(runs[os.path.normpath(d)], log)
    missing = sorted(set(files) - checked)
    if missing:
        fail("documented but written by none of the runs: %s" % ", ".join(m + ".csv" for m in missing))
    for name, spec in files.items():
        if spec["shared"] and shared_seen.get(name) != {"once", "per point"}:
            fail("shared table %s.csv seen only %s" % (name, sorted(shared_seen.get(name, []))))
    print("%d files documented, %d checked, %d error%s" % (len(files), len(checked), len(errors),
                                                          "" if len(errors) == 1 else "s"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

#!/usr/bin/env python3
"""Checks the layering of docs/architecture.md; exits 1 on a violation.

  1. includes go down: a file includes only headers of its own layer or a lower one
     (util < par < core < simulators < program), and a simulator family (rlhf, bandit,
     facility) includes no other family's headers;
  2. MPI only in src/par: no <mpi.h> and no MPI_Xxx( call elsewhere (the MPI_Comm handle
     that PETSc objects are created on may be named);
  3. no function in src/ longer than --max-lines (80) lines (scripts/arch_metrics.py counts
     them), except the ones listed in LONG_ALLOWED below;
  4. no circle between files (with --objects: symbol references between build/src objects,
     from nm) other than the ones listed in CIRCLES_ALLOWED below;
  5. the registry is the only list of names (docs/plugins.md): no schema key with hand-typed
     choices ("a|b|c" instead of SS_PLUGIN_CHOICES), and no strcmp on a config string
     (ss_cfg_str) outside src/core: code asks the selected plug-in for an op or a value.

Usage: scripts/check_arch.py [--objects] [--max-lines N]
The allow lists name what is known and not yet fixed (issue 8); shrink them, never grow them."""
import collections
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from arch_metrics import functions  # noqa: E402

LAYERS = {"util": 0, "par": 1, "core": 2, "sim": 3, "program": 4}
FAMILIES = ("rlhf", "bandit", "facility")
# include/stratsim headers by layer; a header not listed is an error (add it here).
PUBLIC = {
    "util": "error rng xsum table table_read input_file",
    "par": "par median nodes commstats collectives argmax_max mailbox",
    "core": "config experiment plugin memory timer interrupt checkpoint task_state task_current output collect driver",
    "rlhf": "rlhf rlhf_params rlhf_env rlhf_population rlhf_comparisons rlhf_mle rlhf_confidence "
            "rlhf_data_cache rlhf_estimates rlhf_agg rlhf_policy rlhf_strategy rlhf_kern rlhf_lp",
    "bandit": "bandit bandit_context bandit_mech bandit_ridge",
    "facility": "facility",
}
HEADER = {f"stratsim/{h}.h": grp for grp, names in PUBLIC.items() for h in names.split()}
# Functions over the limit that another change is splitting (none left: issue 11 split
# ss_bandit_protocol_run, spsa_run and rlhf_plan_solve).
LONG_ALLOWED = set()
# Circles between files still present: none (issue 8 broke the last ones with leaf files: the
# config getters (config_get.c) apart from the parser, the memory-estimate terms
# (memory_terms.c) apart from the estimate, the mechanisms' shared verbs (bandit radius.c,
# facility summary.c) apart from their registries). Keep it empty.
CIRCLES_ALLOWED = []


def group_of(path):
    """The group (util, par, core, a family, program) of a source or header file."""
    parts = path.split("/")
    if parts[0] == "include":
        return HEADER.get("/".join(parts[1:]))
    if len(parts) == 2:
        return "program"
    return {"util": "util", "par": "par", "core": "core"}.get(parts[1], parts[1])


def layer(group):
    return LAYERS["sim"] if group in FAMILIES else LAYERS.get(group)


def check_includes(errors):
    files = sorted(glob.glob("src/**/*.[ch]", recursive=True) + glob.glob("include/stratsim/*.h"))
    for f in files:
        g = group_of(f)
        if g is None:
            errors.append(f"{f}: header not assigned to a layer in scripts/check_arch.py")
            continue
        for i, line in enumerate(open(f, encoding="utf-8"), 1):
            m = re.match(r'\s*#\s*include\s*"([^"]+)"', line)
            if m:
                inc = m.group(1)
                if inc.startswith("stratsim/"):
                    if inc == "stratsim_version.h":
                        continue
                    target = "include/" + inc
                else:  # beside the including file
                    target = os.path.normpath(os.path.join(os.path.dirname(f), inc))
                if not os.path.exists(target):
                    continue  # generated (build/gen)
                tg = group_of(target)
                if tg is None:
                    errors.append(f"{f}:{i}: includes {inc}, a header not assigned to a layer")
                elif layer(tg) > layer(g):
                    errors.append(f"{f}:{i}: {g} includes {inc} of the higher layer {tg}")
                elif tg in FAMILIES and g in FAMILIES and tg != g:
                    errors.append(f"{f}:{i}: {g} includes {inc} of another simulator ({tg})")
            code = re.sub(r"/\*.*?\*/|//.*$", "", line)
            if g != "par" and (re.search(r"\bMPI_[A-Z][a-z]\w*\s*\(", code) or re.match(r"\s*#\s*include\s*<mpi\.h>", code)):
                errors.append(f"{f}:{i}: MPI outside src/par")


def check_lengths(errors, max_lines):
    for f in sorted(glob.glob("src/**/*.c", recursive=True)):
        for name, line, n in functions(f):
            if n > max_lines and name not in LONG_ALLOWED:
                errors.append(f"{f}:{line}: {name} has {n} lines (> {max_lines})")


def file_circles():
    objs = sorted(o for o in glob.glob("build/src/**/*.o", recursive=True)
                  if os.path.exists(o[len("build/"):-2] + ".c"))  # not stale objects
    defined, undefined = {}, collections.defaultdict(set)
    for o in objs:
        for ln in subprocess.run(["nm", o], capture_output=True, text=True, check=True).stdout.splitlines():
            p = ln.split()
            if len(p) == 3 and p[1] in "TDRB":
                defined[p[2]] = o
            elif len(p) == 2 and p[0] == "U":
                undefined[o].add(p[1])
    graph = {o: {defined[s] for s in undefined[o] if defined.get(s, o) != o} for o in objs}
    index, low, stack, on, comps = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append({c[len("build/"):-2] + ".c" for c in comp})

    sys.setrecursionlimit(100000)
    for v in objs:
        if v not in index:
            visit(v)
    return comps


def check_enumerations(errors):
    choices = re.compile(r"SS_T_ENUM(_LIST)?\s*,[^,]*,[^,]*,[^,]*,[^,]*,\s*\"")
    for f in sorted(glob.glob("src/**/*.c", recursive=True)):
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), open(f, encoding="utf-8").read(), flags=re.S)
        cfg_vars = set(re.findall(r"(\w+)\s*=\s*ss_cfg_str\s*\(", text))
        for i, line in enumerate(text.split("\n"), 1):
            if choices.search(line):
                errors.append(f"{f}:{i}: hand-typed choices: use SS_PLUGIN_CHOICES and a registry family")
            if f.startswith("src/core/"):
                continue
            for m in re.finditer(r"\bstrn?cmp\s*\(\s*(ss_cfg_str\s*\(|(\w+)\s*,)", line):
                if m.group(1).startswith("ss_cfg_str") or m.group(2) in cfg_vars:
                    errors.append(f"{f}:{i}: strcmp on a config string: ask the registry (ss_plugin_selected)")


def main():
    max_lines = int(sys.argv[sys.argv.index("--max-lines") + 1]) if "--max-lines" in sys.argv else 80
    errors = []
    check_includes(errors)
    check_lengths(errors, max_lines)
    check_enumerations(errors)
    if "--objects" in sys.argv:
        for comp in file_circles():
            if not any(comp <= allowed for allowed in CIRCLES_ALLOWED):
                errors.append("circle between files: " + " ".join(sorted(comp)))
    for err in errors:
        print(err)
    print(f"check_arch: {len(errors)} violation(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

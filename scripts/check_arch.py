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
     (ss_cfg_str) outside src/core: code asks the selected plug-in for an op or a value;
  6. agreement inside the collectives (docs/errors.md): no agreement call outside src/par
     (ss_comm_agree*, or an agreement-only verb such as the former ss_par_check), except the
     driver's phase boundaries (ss_par_phase_end) in DRIVER_FILES: simulator code hands its
     pending error to the next collective verb;
  7. every config key the code reads (ss_cfg_int(cfg, "key"), ...) is in the schema of its
     experiment (docs/config.md, which a test keeps in step with the schema) with a type its
     getter accepts, so the getters' "internal error" last resort (src/core/config_get.c) cannot
     fire; a key passed through a variable must come from KEY_HELPERS' literal arguments.

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
    "util": "error rng simd xsum table input_file",
    "par": "par par_petsc median nodes commstats collectives argmax_max mailbox",
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


# The driver files where the ranks' phase boundaries (ss_par_phase_end) belong (docs/errors.md).
DRIVER_FILES = {"src/core/driver.c", "src/core/resume.c", "src/core/interrupt.c", "src/main.c"}
AGREEMENTS = re.compile(r"\b(ss_comm_agree\w*|ss_par_check|ss_par_agree\w*|ss_par_phase_end)\s*\(")


def check_agreements(errors):
    for f in sorted(glob.glob("src/**/*.c", recursive=True)):
        if f.startswith("src/par/"):
            continue
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), open(f, encoding="utf-8").read(), flags=re.S)
        for i, line in enumerate(text.split("\n"), 1):
            for m in AGREEMENTS.finditer(re.sub(r"//.*$", "", line)):
                if m.group(1) == "ss_par_phase_end" and f in DRIVER_FILES:
                    continue
                errors.append(f"{f}:{i}: {m.group(1)} outside src/par: hand the pending error to the next "
                              "collective verb (docs/errors.md)")


# Getter -> the schema types it accepts (src/core/config_get.c, lookup), as docs/config.md names them.
GETTERS = {
    "ss_cfg_int": {"int"}, "ss_cfg_real": {"real", "int"}, "ss_cfg_bool": {"bool"},
    "ss_cfg_str": {"string", "enum"}, "ss_cfg_list": {"list of real", "list of int"},
    "ss_cfg_int_list": {"list of int"}, "ss_cfg_matrix": {"matrix of real"},
    "ss_cfg_enum_list": {"list of enum"},
}
# Functions that read a key passed to them: name -> (getter it calls, index of the key argument).
KEY_HELPERS = {"ss_bandit_check_matrix": ("ss_cfg_matrix", 1), "check_rows": ("ss_cfg_matrix", 1)}
# Reads through a variable that other checks cover: a plug-in family's key (test_plugins checks
# each family's key against the schema), the helpers above (their callers are checked).
DYNAMIC_READS = {("src/core/plugin.c", "f->key"), ("src/bandit/cfg_matrix.c", "path")}


def schema_types(doc="docs/config.md"):
    """{section: {key: type}} from the generated config reference ('common' and each experiment)."""
    out, sec = collections.defaultdict(dict), "common"
    for line in open(doc, encoding="utf-8"):
        m = re.match(r"## experiment: (\w+)", line)
        if m:
            sec = m.group(1)
        m = re.match(r"\| `([\w.]+)` \| ([^|]+?) \|", line)
        if m:
            out[sec][m.group(1)] = m.group(2).strip()
    return out


def check_config_reads(errors):
    if not os.path.exists("docs/config.md"):
        return
    types = schema_types()
    names = "|".join(list(GETTERS) + list(KEY_HELPERS))
    # a call: the name, its first argument, then the key (a literal or an expression)
    pat = re.compile(r"(?<![\w.>])(" + names + r")\s*\(\s*([^,()]+)\s*,\s*(\"(?:[^\"\\]|\\.)*\"|[\w>.-]+)")
    anycall = re.compile(r"(?<![\w.>])(" + names + r")\s*\(")
    for f in sorted(glob.glob("src/**/*.c", recursive=True)):
        fam = f.split("/")[1] if f.count("/") > 1 else "program"
        if f == "src/core/config_get.c" or fam in ("util", "par"):
            continue
        allowed = dict(types["common"])
        if fam in FAMILIES:
            allowed.update(types[fam])
        text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), open(f, encoding="utf-8").read(), flags=re.S)
        for i, line in enumerate(text.split("\n"), 1):
            if len(pat.findall(line)) != len(anycall.findall(line)):
                errors.append(f"{f}:{i}: a config read whose key this check cannot see: keep the key on the call's line")
            for m in pat.finditer(line):
                fn, first, key = m.group(1), m.group(2).strip(), m.group(3)
                if first.startswith("const "):
                    continue  # the helper's own definition
                getter = KEY_HELPERS.get(fn, (fn, 1))[0]
                if not key.startswith('"'):
                    if (f, key) not in DYNAMIC_READS:
                        errors.append(f"{f}:{i}: {fn} reads the key {key}: use a literal (or list it in DYNAMIC_READS)")
                    continue
                key = key[1:-1]
                if key not in allowed:
                    errors.append(f"{f}:{i}: {fn} reads '{key}', a key not in the {fam} schema (docs/config.md)")
                elif allowed[key] not in GETTERS[getter]:
                    errors.append(f"{f}:{i}: {fn} reads '{key}' of type {allowed[key]} (it takes {sorted(GETTERS[getter])})")


def main():
    max_lines = int(sys.argv[sys.argv.index("--max-lines") + 1]) if "--max-lines" in sys.argv else 80
    errors = []
    check_includes(errors)
    check_lengths(errors, max_lines)
    check_enumerations(errors)
    check_agreements(errors)
    check_config_reads(errors)
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
